/**
 * The host's side of the protocol with the runtime shim (tester/shims/runtime.js)
 * in one file's context: set-up runs the runtime and the assert shim, then the
 * host holds References to the runtime's control functions and only ever calls
 * them, reading back primitives and JSON text. No host function, Reference or
 * Callback is ever passed in.
 */
import type ivm from 'isolated-vm';
import { MAX_ERROR_CHARS, MAX_NAME_CHARS, type SandboxLimits } from '../options.ts';
import type { RuntimeConfig } from '../shims.ts';
import type { SnapshotInput } from './snapshots.ts';

/** Bits of tick()'s answer. */
export const RAN = 1;
export const DONE = 2;
export const NEWS = 4;
export const VIRTUAL_TIME_OUT = 8;
/** nothing ran: results from the last macrotask's microtasks wait to be pulled first */
export const PULL_FIRST = 16;
/** nothing ran: an import() waits for the host to evaluate the ES module it loads */
export const IMPORTS = 32;

export interface RuntimeScripts {
  runtime: ivm.Script;
  assert: ivm.Script;
  /** Node's module systems and built-ins (tester/shims/node.js) */
  node: ivm.Script;
}

interface Controls {
  tick: ivm.Reference;
  stall: ivm.Reference;
  uncaught: ivm.Reference;
  loadError: ivm.Reference;
  end: ivm.Reference;
  pull: ivm.Reference;
  seal: ivm.Reference;
  defineModules: ivm.Reference;
  exportNames: ivm.Reference;
  takeImports: ivm.Reference;
  importFailed: ivm.Reference;
}

export class RuntimeChannel {
  /** every Reference taken so far, released by release() even when set-up failed halfway */
  private readonly refs: { release(): void }[] = [];
  private controls: Controls | undefined;

  /** Set-up runs only our code, before any package code: synchronous calls are safe. */
  open(context: ivm.Context, scripts: RuntimeScripts, file: string, { seed, epochMs }: { seed: string; epochMs: number }, limits: SandboxLimits, runner: RuntimeConfig['runner'] = 'node', snapshots: SnapshotInput = { snapshot: null, legacySnapshotFormat: false }): void {
    const runtimeFn = scripts.runtime.runSync(context, { reference: true }) as ivm.Reference;
    const config: RuntimeConfig = { file, seed, epochMs, outputBytes: limits.outputBytes, virtualTimeMs: limits.virtualTimeMs, maxNameChars: MAX_NAME_CHARS, maxErrorChars: MAX_ERROR_CHARS, runner };
    const control = runtimeFn.applySync(undefined, [JSON.stringify(config)], { result: { reference: true } }) as ivm.Reference;
    scripts.assert.runSync(context);
    const nodeFn = scripts.node.runSync(context, { reference: true }) as ivm.Reference;
    const nodeControl = nodeFn.applySync(undefined, [JSON.stringify({ file, seed, runner, ...snapshots })], { result: { reference: true } }) as ivm.Reference;
    this.refs.push(nodeFn, nodeControl);
    const fromRef = (ctl: ivm.Reference) => (name: string): ivm.Reference => {
      const ref = ctl.getSync(name, { reference: true }) as ivm.Reference;
      this.refs.push(ref);
      return ref;
    };
    const fn = fromRef(control);
    const defineModules = fromRef(nodeControl)('defineModules');
    const exportNames = fromRef(nodeControl)('exportNames');
    const takeImports = fromRef(nodeControl)('takeImports');
    const importFailed = fromRef(nodeControl)('importFailed');
    const tick = fn('tick');
    const stall = fn('stall');
    const uncaught = fn('uncaught');
    const loadError = fn('loadError');
    const end = fn('end');
    const pull = fn('pull');
    const seal = fn('seal');
    this.refs.push(runtimeFn, control);
    this.controls = { tick, stall, uncaught, loadError, end, pull, seal, defineModules, exportNames, takeImports, importFailed };
  }

  private get c(): Controls {
    if (this.controls === undefined) throw new Error('the runtime channel is not open');
    return this.controls;
  }

  /** Run one macrotask (and its microtasks): the RAN/DONE/NEWS/VIRTUAL_TIME_OUT bits. */
  tick(): Promise<unknown> {
    return this.c.tick.apply(undefined, []);
  }

  /** The event loop is empty and the file is not done: fail what waits, like Node. */
  stall(): Promise<unknown> {
    return this.c.stall.apply(undefined, []);
  }

  /** An unhandled rejection the last tick ended in: the runtime blames the macrotask's owner. */
  uncaught(message: string): Promise<unknown> {
    return this.c.uncaught.apply(undefined, [message]);
  }

  /** The file did not load (compile, link or evaluation error); `unsupported`: an import the sandbox cannot give. */
  loadError(message: string, unsupported = false): Promise<unknown> {
    return this.c.loadError.apply(undefined, [message, unsupported]);
  }

  /**
   * The CommonJS registry (cjs.ts) and, when a module uses fs, the package's
   * files: JSON text in, before any package code runs (so a synchronous call is safe).
   */
  defineModules(registry: string, files: string | undefined): void {
    this.c.defineModules.applySync(undefined, files === undefined ? [registry] : [registry, files]);
  }

  /** A built-in's named exports as JSON text, '' when the sandbox cannot give it; set-up time only, before package code. */
  exportNames(name: string): string {
    const r = this.c.exportNames.applySync(undefined, [name]);
    return typeof r === 'string' ? r : '';
  }

  /** The module keys import() calls wait for, as JSON text (each asked for once). */
  takeImports(): Promise<unknown> {
    return this.c.takeImports.apply(undefined, []);
  }

  /** The ES module an import() waits for threw while it was evaluated: the import() rejects. */
  importFailed(key: string, message: string): Promise<unknown> {
    return this.c.importFailed.apply(undefined, [key, message]);
  }

  /** The host gives up on the file: fail what has not finished (and the file, when `always`). */
  end(message: string, always: boolean): Promise<unknown> {
    return this.c.end.apply(undefined, [message, always]);
  }

  /** New outcomes and output as JSON text, in bounded batches. */
  pull(): Promise<unknown> {
    return this.c.pull.apply(undefined, []);
  }

  /** Every shim copy has read the shim object: take it away before package code runs. */
  seal(): void {
    this.c.seal.applySync(undefined, []);
  }

  release(): void {
    for (const ref of this.refs) {
      try {
        ref.release();
      } catch {
        /* the isolate is gone */
      }
    }
  }
}
