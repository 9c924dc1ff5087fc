/**
 * One file's module graph in its context: package modules compiled and linked
 * by the host, each specifier resolved before instantiation, so the link
 * callback is a plain lookup; shim modules evaluated at once, before any
 * package code, one copy per importing module (tester/shims.ts), the internal
 * one shared by the host's entry module.
 *
 * Module systems as Node has them (formats.ts decides which a file is in):
 * - an ES module is compiled as itself;
 * - a CommonJS module is reached from ES code through a facade the host
 *   writes: `default` is its module.exports, plus the named exports the host's
 *   scan finds (Node's cjs-module-lexer rules); the module itself runs in the
 *   isolate's CommonJS loader (tester/shims/node.js), from the registry
 *   cjs.ts prepares, when the facade is evaluated - in the ES graph's order;
 * - a Node built-in other than node:test/node:assert gets a facade over the
 *   isolate's built-in (its own enumerable keys as named exports), evaluated
 *   at once; a built-in the sandbox cannot give fails the file as unsupported.
 *
 * isolated-vm 5 pitfall (DEPENDENCIES.md): evaluate() is called only on modules
 * the host instantiated itself (each shim module, and the one entry module per
 * file), never on one that was only linked as a dependency (that crashed the
 * host with SIGSEGV).
 */
import type ivm from 'isolated-vm';
import { GopkgrError } from '../../ledger/index.ts';
import { describeKey, type Resolver } from '../resolve.ts';
import { CJS_KEY, INTERNAL_KEY, SHIM_MODULES, TEST_SHIM_KEY, testShim } from '../shims.ts';
import { CjsRegistry } from './cjs.ts';
import { extractViMocks, type ViMock } from '../transpile.ts';
import { formatOf } from './formats.ts';
import type { IsolateGuard } from './guard.ts';
import type { ModuleSources } from './sources.ts';

const ENTRY_SOURCE = `import { loaded } from 'gopkgr:internal';\nimport 'gopkgr:file';\nloaded();\n`;

export interface ModuleEnv {
  guard: IsolateGuard;
  resolver: Resolver;
  sources: ModuleSources;
  /** whether the module `key` may register tests and hooks (testScope.ts) */
  mayRegisterTests: (key: string) => boolean;
}

/** What the graph needs from the file's runtime: a built-in's export names ('' when unsupported). */
export interface BuiltinInfo {
  exportNames(name: string): string;
}

/** An import the sandbox cannot give: the file is recorded as unsupported, not failed. */
export class UnsupportedImport extends GopkgrError {
  constructor(message: string) {
    super('SANDBOX_UNSUPPORTED', message);
  }
}

/** An ES module exporting `names` of the object `expr` evaluates to, and the object as default. */
function facadeSource(header: string, expr: string, names: Iterable<string>): string {
  const lines = [header, `const m = ${expr};`, 'export default m;'];
  let i = 0;
  for (const n of names) {
    lines.push(`const x${i} = m == null ? undefined : m[${JSON.stringify(n)}];`, `export { x${i} as ${JSON.stringify(n)} };`);
    i++;
  }
  return lines.join('\n') + '\n';
}

export class FileModules {
  private readonly byKey = new Map<string, ivm.Module>();
  private readonly edges = new Map<ivm.Module, Map<string, ivm.Module>>();
  private readonly internal: ivm.Module;
  private cjsInternal: ivm.Module | undefined;
  readonly cjs: CjsRegistry;
  /** an ES module imports fs: the package's files go into the context */
  usesFs = false;
  /** the test file's key, and vitest's module mocks it declares: mocked key → the factory's module */
  private testKey = '';
  private readonly mocks = new Map<string, ViMock>();
  /** ES modules only import() reaches, instantiated, evaluated when a call asks (evaluateLazy) */
  private readonly lazy = new Map<string, ivm.Module>();

  constructor(
    private readonly env: ModuleEnv,
    private readonly context: ivm.Context,
    private readonly builtins: BuiltinInfo,
  ) {
    this.internal = this.shimModule(INTERNAL_KEY);
    this.cjs = new CjsRegistry(env.resolver, env.sources, env.mayRegisterTests);
  }

  /**
   * The entry module for test file `file`, instantiated and ready to evaluate:
   * it imports the internal shim and the file, then tells the runtime the file
   * has loaded. `loaded` runs once the file's graph is compiled, whether or not
   * that succeeded (the runtime seals its shim object there).
   */
  async entry(file: string, loaded: () => void): Promise<ivm.Module> {
    const { isolate } = this.env.guard;
    let root: ivm.Module;
    let preloads: ivm.Module[];
    let lazy: ivm.Module[];
    this.testKey = `pkg:${file}`;
    try {
      root = await this.load(this.testKey);
      // require() of an ES module (Node 20.19+): the module is evaluated before
      // the test file, and the CommonJS loader is handed its namespace; import()
      // of one: when the call asks. Its shim modules are made before the runtime
      // seals its shim object.
      ({ eager: preloads, lazy } = await this.esmForRequire());
    } finally {
      if (!isolate.isDisposed) loaded();
    }
    const imports = preloads.map((_, i) => `import 'gopkgr:esm${i}';\n`).join('');
    const e = isolate.compileModuleSync(ENTRY_SOURCE.replace("import 'gopkgr:file';", `${imports}import 'gopkgr:file';`), { filename: 'gopkgr:entry' });
    this.edges.set(e, new Map([['gopkgr:internal', this.internal], ['gopkgr:file', root], ...preloads.map((m, i): [string, ivm.Module] => [`gopkgr:esm${i}`, m])]));
    const linker = (specifier: string, referrer: ivm.Module): ivm.Module => {
      const m = this.edges.get(referrer)?.get(specifier);
      if (m === undefined) throw new Error(`unresolved import "${specifier}"`);
      return m;
    };
    for (const m of [e, ...lazy]) {
      const linked = await this.env.guard.call(() => m.instantiate(this.context, linker));
      if (!linked.ok) throw new GopkgrError('TEST_LINK', linked.message);
    }
    return e;
  }

  /**
   * Evaluate the ES module an import() call waits for (between two
   * macrotasks, so its top-level test() calls run inside the test that made
   * the call, as in Node); undefined when it evaluated, else why it threw.
   */
  async evaluateLazy(key: string): Promise<string | undefined> {
    const m = this.lazy.get(key);
    if (m === undefined) return `Cannot find module '${key}'`;
    const ran = await this.env.guard.call(() => m.evaluate());
    return ran.ok ? undefined : ran.message;
  }

  /**
   * For each ES module in the CommonJS registry: a module that hands its
   * namespace to the loader. One a require() loads, or the file's static
   * imports do, is evaluated before the test file (`eager`); one only
   * import() calls reach is evaluated when a call asks for it (`lazy`).
   */
  private async esmForRequire(): Promise<{ eager: ivm.Module[]; lazy: ivm.Module[] }> {
    const inGraph = new Set(this.byKey.keys());
    const made = new Map<string, ivm.Module>();
    // loading one may add more (its own import() calls): until none is left
    for (let more = true; more; ) {
      more = false;
      for (const [key, entry] of Object.entries(this.cjs.entries)) {
        if (entry.kind !== 'esm' || made.has(key)) continue;
        more = true;
        made.set(key, await this.namespaceModule(key));
      }
    }
    const required = new Set(Object.values(this.cjs.entries).flatMap((x) => Object.values(x.requires)));
    const eager: ivm.Module[] = [];
    const lazy: ivm.Module[] = [];
    for (const [key, m] of made) {
      if (inGraph.has(key) || required.has(key)) eager.push(m);
      else {
        this.cjs.entries[key]!.lazy = true;
        this.lazy.set(key, m);
        lazy.push(m);
      }
    }
    return { eager, lazy };
  }

  /** A module that evaluates the ES module `key` and hands its namespace to the CommonJS loader. */
  private async namespaceModule(key: string): Promise<ivm.Module> {
    const target = await this.load(key);
    this.cjsInternal ??= this.shimModule(CJS_KEY);
    const source = `import * as ns from 'gopkgr:target';\nimport { setNamespace } from 'gopkgr:cjs';\nsetNamespace(${JSON.stringify(key)}, ns);\n`;
    const m = this.env.guard.isolate.compileModuleSync(source, { filename: `require-esm:${describeKey(key)}` });
    this.edges.set(m, new Map([['gopkgr:target', target], ['gopkgr:cjs', this.cjsInternal]]));
    return m;
  }

  /** A shim module, evaluated now: node:test refuses to register for a module outside the test scope. */
  private shimModule(key: string, importer?: string): ivm.Module {
    const source = key === TEST_SHIM_KEY && importer !== undefined ? (this.env.mayRegisterTests(importer) ? testShim(null, describeKey(importer)) : testShim(describeKey(importer))) : SHIM_MODULES.get(key)!;
    return this.evaluated(source, key);
  }

  private evaluated(source: string, filename: string): ivm.Module {
    const m = this.env.guard.isolate.compileModuleSync(source, { filename });
    m.instantiateSync(this.context, () => {
      throw new Error('shim modules have no imports');
    });
    m.evaluateSync();
    return m;
  }

  /**
   * A built-in's facade, evaluated now (before package code): its object and
   * its own keys as named exports. vitest's and jest's API, like node:test,
   * registers nothing for an importer outside the test scope.
   */
  private builtinModule(key: string, importer: string): ivm.Module {
    const name = key.slice('builtin:node:'.length);
    const testApi = name === 'vitest' || name === '@jest/globals';
    const refused = testApi && !this.env.mayRegisterTests(importer);
    const cacheKey = refused ? `${key}|${importer}` : key;
    const have = this.byKey.get(cacheKey);
    if (have !== undefined) return have;
    if (name === 'fs' || name === 'fs/promises') this.usesFs = true;
    const names = this.builtins.exportNames(name);
    if (names === '') throw new UnsupportedImport(`node:${name} is not available in the gopkgr sandbox (it cannot be deterministic there)`);
    const expr = refused ? `globalThis.__gopkgr_shim.vitestFor(${JSON.stringify(describeKey(importer))})` : `globalThis.__gopkgr_shim.builtin(${JSON.stringify(name)})`;
    const m = this.evaluated(facadeSource('', expr, JSON.parse(names) as string[]), key);
    this.byKey.set(cacheKey, m);
    return m;
  }

  /** A CommonJS module's facade: runs the module in the isolate's loader when the ES graph evaluates it. */
  private async cjsFacade(key: string): Promise<ivm.Module> {
    await this.cjs.add(key);
    this.cjsInternal ??= this.shimModule(CJS_KEY);
    const source = facadeSource(`import { cjs } from 'gopkgr:cjs';`, `cjs(${JSON.stringify(key)})`, await this.cjs.exportNames(key));
    const compiled = await this.env.guard.call(() => this.env.guard.isolate.compileModule(source, { filename: `cjs:${describeKey(key)}` }));
    if (!compiled.ok) throw new GopkgrError('TEST_COMPILE', `${describeKey(key)}: ${compiled.message}`);
    this.edges.set(compiled.value, new Map([['gopkgr:cjs', this.cjsInternal]]));
    return compiled.value;
  }

  /**
   * vi.mock(path, factory): a module that runs the factory (when the graph
   * evaluates it, before the test file's body) and exports the keys of what it
   * returns; every importer of the mocked module links to it instead.
   */
  private mockModule(key: string, mock: ViMock): ivm.Module {
    const have = this.byKey.get(`mock:${key}`);
    if (have !== undefined) return have;
    const lines = [`import { vi, expect } from 'vitest';`, `const m = (${mock.factory})();`];
    mock.names.forEach((n, i) => {
      lines.push(`const x${i} = m[${JSON.stringify(n)}];`, `export { x${i} as ${JSON.stringify(n)} };`);
    });
    const m = this.env.guard.isolate.compileModuleSync(lines.join('\n') + '\n', { filename: `vi.mock:${describeKey(key)}` });
    this.byKey.set(`mock:${key}`, m);
    this.edges.set(m, new Map([['vitest', this.builtinModule('builtin:node:vitest', this.testKey)]]));
    return m;
  }

  /** A package module and everything it imports, compiled; links recorded for instantiation. */
  private async load(key: string): Promise<ivm.Module> {
    const have = this.byKey.get(key);
    if (have !== undefined) return have;
    const { guard, resolver, sources } = this.env;
    const format = formatOf(resolver, key);
    if (format === 'cjs') {
      const m = await this.cjsFacade(key);
      this.byKey.set(key, m);
      return m;
    }
    let code = await sources.js(key);
    if (key === this.testKey && sources.runner === 'vitest') {
      const found = await extractViMocks(describeKey(key), code);
      code = found.code;
      for (const m of found.mocks) this.mocks.set(resolver.resolve(m.specifier, key), m);
    }
    // what its literal import() calls load goes into the registry (an ES module only import() reaches is evaluated when asked: esmForRequire)
    for (const t of sources.dynamicTargets.get(key) ?? []) await this.cjs.add(t);
    // an import() resolved in the isolate tells a missing file from one it was not given by the package's file list
    if (sources.dynamicImporters.has(key)) this.usesFs = true;
    const compiled = await guard.call(() => guard.isolate.compileModule(code, { filename: `file:///${describeKey(key)}` }));
    if (!compiled.ok) throw new GopkgrError('TEST_COMPILE', `${describeKey(key)}: ${compiled.message}`);
    const m = compiled.value;
    this.byKey.set(key, m);
    const links = new Map<string, ivm.Module>();
    this.edges.set(m, links);
    for (const spec of m.dependencySpecifiers) {
      const dep = resolver.resolve(spec, key);
      const mock = this.mocks.get(dep);
      if (mock !== undefined) links.set(spec, this.mockModule(dep, mock));
      else if (SHIM_MODULES.has(dep) && dep !== INTERNAL_KEY && dep !== CJS_KEY) links.set(spec, this.shimModule(dep, key));
      else if (dep.startsWith('builtin:')) links.set(spec, this.builtinModule(dep, key));
      else links.set(spec, await this.load(dep));
    }
    return m;
  }
}
