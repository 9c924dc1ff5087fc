/**
 * The CommonJS side of one file's module graph, prepared on the host: the
 * isolate cannot call out to resolve or read, so every CommonJS module a test
 * can reach through require() with a literal specifier is resolved here
 * (conditions require/node/default) and handed in as one registry
 * (tester/shims/node.js `defineModules`). A specifier that does not resolve is
 * recorded with its error, thrown only if the require() call runs (so
 * `try { require('optional') } catch {}` works as under Node).
 *
 * Paths inside the sandbox: the package at /pkg, a locked dependency at
 * /pkg/node_modules/<name> (for __filename, __dirname, require.resolve, fs).
 */
import { GopkgrError } from '../../ledger/index.ts';
import { describeKey, type Resolver } from '../resolve.ts';
import { cjsExportNames, formatOf, requiredSpecifiers } from './formats.ts';
import type { ModuleSources } from './sources.ts';
import { sandboxPath } from './paths.ts';


type Target = string | { error: string; unsupported?: boolean };

export interface Entry {
  kind: 'cjs' | 'json' | 'esm';
  file: string;
  source?: string;
  requires: Record<string, Target>;
  mayRegister: boolean;
  /** an ES module only import() reaches: evaluated when a call asks for it, as in Node (modules.ts) */
  lazy?: boolean;
}

const MAX_REEXPORT_DEPTH = 8;
/** `require(` followed by anything but a string literal (a cheap scan; a false hit only costs the file list) */
const COMPUTED_REQUIRE = /(?:^|[^.\w$])require\s*\(\s*[^'"`\s)]/;

export class CjsRegistry {
  readonly entries: Record<string, Entry> = {};
  /** builtins some CommonJS module requires (fs needs the file list) */
  readonly builtins = new Set<string>();
  /** a module calls require() with a computed specifier: the isolate gets the package's files to resolve it (a JSON file) */
  computedRequire = false;

  constructor(
    private readonly resolver: Resolver,
    private readonly sources: ModuleSources,
    private readonly mayRegister: (key: string) => boolean,
  ) {}

  /** Add a CommonJS (or JSON) module and everything it requires. */
  async add(key: string): Promise<void> {
    const queue = [key];
    while (queue.length > 0) {
      const k = queue.shift()!;
      if (this.entries[k] !== undefined) continue;
      const format = formatOf(this.resolver, k);
      const file = sandboxPath(k);
      if (format === 'esm') {
        this.entries[k] = { kind: 'esm', file, requires: {}, mayRegister: false };
        continue;
      }
      if (format === 'json') {
        this.entries[k] = { kind: 'json', file, source: this.resolver.source(k) ?? '', requires: {}, mayRegister: false };
        continue;
      }
      const source = await this.sources.cjs(k);
      for (const t of this.sources.dynamicTargets.get(k) ?? []) queue.push(t);
      if (COMPUTED_REQUIRE.test(source) || this.sources.dynamicImporters.has(k)) this.computedRequire = true;
      const requires: Record<string, Target> = {};
      for (const spec of requiredSpecifiers(source)) {
        try {
          const target = this.resolver.resolve(spec, k, 'require');
          requires[spec] = target;
          if (target.startsWith('builtin:')) this.builtins.add(target.slice('builtin:node:'.length));
          else queue.push(target);
        } catch (err) {
          if (!(err instanceof GopkgrError)) throw err;
          requires[spec] = { error: `Cannot find module '${spec}' (required by ${describeKey(k)}): ${err.message}` };
        }
      }
      this.entries[k] = { kind: 'cjs', file, source, requires, mayRegister: this.mayRegister(k) };
    }
  }

  /** The named exports of a CommonJS module's ES facade. */
  async exportNames(key: string, depth = 0): Promise<Set<string>> {
    if (formatOf(this.resolver, key) !== 'cjs') return new Set();
    const { names, reexports } = cjsExportNames(await this.sources.cjs(key));
    if (depth < MAX_REEXPORT_DEPTH) {
      for (const spec of reexports) {
        try {
          const target = this.resolver.resolve(spec, key, 'require');
          if (!target.startsWith('builtin:')) for (const n of await this.exportNames(target, depth + 1)) names.add(n);
        } catch {
          /* a re-export that does not resolve adds nothing, as in Node */
        }
      }
    }
    return names;
  }

  text(): string {
    return JSON.stringify(this.entries);
  }
}
