/**
 * One file's module graph in its context: package modules compiled and linked
 * by the host, each specifier resolved before instantiation, so the link
 * callback is a plain lookup; shim modules evaluated at once, before any
 * package code, one copy per importing module (tester/shims.ts), the internal
 * one shared by the host's entry module.
 *
 * isolated-vm 5 pitfall (DEPENDENCIES.md): evaluate() is called only on modules
 * the host instantiated itself (each shim module, and the one entry module per
 * file), never on one that was only linked as a dependency (that crashed the
 * host with SIGSEGV).
 */
import type ivm from 'isolated-vm';
import { GopkgrError } from '../../ledger/index.ts';
import { describeKey, type Resolver } from '../resolve.ts';
import { INTERNAL_KEY, SHIM_MODULES, TEST_SHIM_KEY, testShim } from '../shims.ts';
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

export class FileModules {
  private readonly byKey = new Map<string, ivm.Module>();
  private readonly edges = new Map<ivm.Module, Map<string, ivm.Module>>();
  private readonly internal: ivm.Module;

  constructor(
    private readonly env: ModuleEnv,
    private readonly context: ivm.Context,
  ) {
    this.internal = this.shimModule(INTERNAL_KEY);
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
    try {
      root = await this.load(`pkg:${file}`);
    } finally {
      if (!isolate.isDisposed) loaded();
    }
    const e = isolate.compileModuleSync(ENTRY_SOURCE, { filename: 'gopkgr:entry' });
    this.edges.set(e, new Map([['gopkgr:internal', this.internal], ['gopkgr:file', root]]));
    const linked = await this.env.guard.call(() =>
      e.instantiate(this.context, (specifier, referrer) => {
        const m = this.edges.get(referrer)?.get(specifier);
        if (m === undefined) throw new Error(`unresolved import "${specifier}"`);
        return m;
      }),
    );
    if (!linked.ok) throw new GopkgrError('TEST_LINK', linked.message);
    return e;
  }

  /** A shim module, evaluated now: node:test refuses to register for a module outside the test scope. */
  private shimModule(key: string, importer?: string): ivm.Module {
    const source = key === TEST_SHIM_KEY && importer !== undefined && !this.env.mayRegisterTests(importer) ? testShim(describeKey(importer)) : SHIM_MODULES.get(key)!;
    const m = this.env.guard.isolate.compileModuleSync(source, { filename: key });
    m.instantiateSync(this.context, () => {
      throw new Error('shim modules have no imports');
    });
    m.evaluateSync();
    return m;
  }

  /** A package module and everything it imports, compiled; links recorded for instantiation. */
  private async load(key: string): Promise<ivm.Module> {
    const have = this.byKey.get(key);
    if (have !== undefined) return have;
    const { guard, resolver, sources } = this.env;
    const code = await sources.js(key);
    const compiled = await guard.call(() => guard.isolate.compileModule(code, { filename: `file:///${describeKey(key)}` }));
    if (!compiled.ok) throw new GopkgrError('TEST_COMPILE', `${describeKey(key)}: ${compiled.message}`);
    const m = compiled.value;
    this.byKey.set(key, m);
    const links = new Map<string, ivm.Module>();
    this.edges.set(m, links);
    for (const spec of m.dependencySpecifiers) {
      const dep = resolver.resolve(spec, key);
      links.set(spec, SHIM_MODULES.has(dep) && dep !== INTERNAL_KEY ? this.shimModule(dep, key) : await this.load(dep));
    }
    return m;
  }
}
