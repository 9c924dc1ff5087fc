/**
 * The JavaScript each module key compiles from, made once per run: ES modules
 * as they are (TypeScript transpiled), JSON as a default export, and CommonJS
 * modules' text for the isolate's module wrapper (CommonJS TypeScript emitted
 * as CommonJS, as tsx does). Shared by every file's context: the text is the
 * same in each.
 */
import { GopkgrError } from '../../ledger/index.ts';
import { describeKey, parseKey, type Resolver } from '../resolve.ts';
import { hoistJestMocks, isTypeScript, transpile } from '../transpile.ts';
import { rewriteDynamicImports } from './dynamicImport.ts';
import { withImportMeta } from './importMeta.ts';
import { SANDBOX_ROOT } from './paths.ts';
import { hasEsSyntax } from './formats.ts';

export class ModuleSources {
  private readonly cache = new Map<string, Promise<string>>();
  private readonly cjsCache = new Map<string, Promise<string>>();

  /**
   * runner: under vitest and jest a package's ES modules see `__dirname` and
   * `__filename` too. babel: the package has a Babel configuration, so jest
   * (babel-jest) turns the ES syntax of its JavaScript into CommonJS; without
   * one, jest leaves JavaScript as it is (an `import` statement then fails).
   */
  constructor(
    private readonly resolver: Resolver,
    readonly runner: 'node' | 'vitest' | 'jest' = 'node',
    private readonly babel = false,
  ) {}

  /** The modules a module's literal `import()` calls load (dynamicImport.ts), known once its text is made. */
  readonly dynamicTargets = new Map<string, string[]>();
  /** Modules with an `import()` the isolate resolves as it runs (a computed specifier, a built-in). */
  readonly dynamicImporters = new Set<string>();

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
      // jest transforms the package's ES syntax to CommonJS (formats.ts): so does this, for JavaScript too
      const toCommonJs = isTypeScript(path) || path.endsWith('.cts') || (this.babel && this.resolver.packageAsCommonJs && parseKey(key).scope === 'pkg' && hasEsSyntax(text));
      js = toCommonJs ? transpile(describeKey(key), text, true) : Promise.resolve(stripHashbang(text));
      if (this.resolver.packageAsCommonJs && parseKey(key).scope === 'pkg' && /\bjest\s*\.\s*(?:un)?mock\s*\(/.test(text)) js = js.then((code) => hoistJestMocks(describeKey(key), code));
      js = js.then((code) => this.withDynamicImports(code, key));
      this.cjsCache.set(key, js);
    }
    return js;
  }

  private async withDynamicImports(js: string, key: string): Promise<string> {
    const { code, targets, dynamic } = await rewriteDynamicImports(js, key, this.resolver);
    this.dynamicTargets.set(key, targets);
    if (dynamic) this.dynamicImporters.add(key);
    return code;
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
    const js = await this.withDynamicImports(await withImportMeta(isTypeScript(path) ? await transpile(describeKey(key), text) : text, key, this.resolver, this.runner), key);
    return this.runner !== 'node' && parseKey(key).scope === 'pkg' ? withFileNames(js, `${SANDBOX_ROOT}/${path}`) : js;
  }
}

const DECLARES_FILE_NAMES = /\b(?:const|let|var|function|class)\s+__(?:dirname|filename)\b|\bimport\b[^;]*\b__(?:dirname|filename)\b/;

/**
 * vitest's module runner gives every module of the package `__dirname` and
 * `__filename`, ES modules included, and jest runs each module as CommonJS:
 * a module that uses them without declaring them gets them, on its first line
 * (line numbers stay as they are).
 */
function withFileNames(js: string, file: string): string {
  if (!/\b__(?:dirname|filename)\b/.test(js) || DECLARES_FILE_NAMES.test(js) || js.startsWith('#!')) return js;
  return `const __filename = ${JSON.stringify(file)}, __dirname = ${JSON.stringify(file.slice(0, file.lastIndexOf('/')))};${js}`;
}

/** Whether a package has a Babel configuration (babel-jest reads it). */
export function hasBabelConfig(files: ReadonlyMap<string, string>): boolean {
  if (['babel.config.js', 'babel.config.cjs', 'babel.config.mjs', 'babel.config.json', '.babelrc', '.babelrc.js', '.babelrc.json'].some((f) => files.has(f))) return true;
  try {
    return (JSON.parse(files.get('package.json') ?? '{}') as { babel?: unknown }).babel !== undefined;
  } catch {
    return false;
  }
}

/** Node ignores a `#!` first line; inside a function wrapper it would be a syntax error. */
function stripHashbang(text: string): string {
  return text.startsWith('#!') ? '//' + text.slice(2) : text;
}
