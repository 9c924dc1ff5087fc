/**
 * The JavaScript each module key compiles from, made once per run: ES modules
 * as they are (TypeScript transpiled), JSON as a default export, and CommonJS
 * modules' text for the isolate's module wrapper (CommonJS TypeScript emitted
 * as CommonJS, as tsx does). Shared by every file's context: the text is the
 * same in each.
 */
import { GopkgrError } from '../../ledger/index.ts';
import { describeKey, parseKey, type Resolver } from '../resolve.ts';
import { isTypeScript, transpile } from '../transpile.ts';

export class ModuleSources {
  private readonly cache = new Map<string, Promise<string>>();
  private readonly cjsCache = new Map<string, Promise<string>>();

  constructor(private readonly resolver: Resolver) {}

  js(key: string): Promise<string> {
    let js = this.cache.get(key);
    if (js === undefined) {
      js = this.make(key);
      this.cache.set(key, js);
    }
    return js;
  }

  /** A CommonJS module's text, for the isolate's `(function (exports, require, module, __filename, __dirname) {...})`. */
  cjs(key: string): Promise<string> {
    let js = this.cjsCache.get(key);
    if (js === undefined) {
      const { path } = parseKey(key);
      const text = this.resolver.source(key) ?? '';
      js = isTypeScript(path) || path.endsWith('.cts') ? transpile(describeKey(key), text, true) : Promise.resolve(stripHashbang(text));
      this.cjsCache.set(key, js);
    }
    return js;
  }

  private async make(key: string): Promise<string> {
    const { path } = parseKey(key);
    const text = this.resolver.source(key) ?? '';
    if (path.endsWith('.json')) {
      try {
        return `export default ${JSON.stringify(JSON.parse(text))};`;
      } catch (err) {
        throw new GopkgrError('TEST_BAD_JSON', `${describeKey(key)}: ${(err as Error).message}`);
      }
    }
    return isTypeScript(path) ? transpile(describeKey(key), text) : text;
  }
}

/** Node ignores a `#!` first line; inside a function wrapper it would be a syntax error. */
function stripHashbang(text: string): string {
  return text.startsWith('#!') ? '//' + text.slice(2) : text;
}
