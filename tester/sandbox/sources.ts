/**
 * The JavaScript each module key compiles from, made once per run: package
 * files as they are, TypeScript transpiled, JSON as a default export; CommonJS
 * refused. Shared by every file's context: the text is the same in each.
 */
import { GopkgrError } from '../../ledger/index.ts';
import { describeKey, parseKey, type Resolver } from '../resolve.ts';
import { isTypeScript, transpile } from '../transpile.ts';

export class ModuleSources {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly resolver: Resolver) {}

  js(key: string): Promise<string> {
    let js = this.cache.get(key);
    if (js === undefined) {
      js = this.make(key);
      this.cache.set(key, js);
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
    if (/\.c[jt]s$/.test(path)) throw new GopkgrError('TEST_COMMONJS', `${describeKey(key)}: CommonJS modules are not supported in the sandbox`);
    return isTypeScript(path) ? transpile(describeKey(key), text) : text;
  }
}
