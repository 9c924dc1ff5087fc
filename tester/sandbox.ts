/**
 * One sandboxed run: one isolated-vm isolate, one fresh context per test file
 * (as `node --test` gives each file its own process), the host driving the
 * context's event loop one macrotask at a time.
 *
 * What the package can reach: the context's JavaScript built-ins (minus what
 * tester/shims/runtime.js takes out), the shims, its own files and its locked
 * dependencies. No host function, Reference or Callback is ever passed in; the
 * host only calls into the context (tick, stall, pull, ...) and reads back
 * primitives and JSON text, which it validates (tester/outcome.ts). Every
 * module that imports node:test or node:assert gets its own copy of that shim
 * module, evaluated before any package code, so tampering with one copy's
 * exports reaches neither the runner nor another module.
 *
 * Errors the package leaves unhandled: a callback that throws is reported by
 * the runtime itself; an unhandled rejection makes the host's tick call fail,
 * and the host hands it to the runtime, which blames the owner of the
 * macrotask that just ran (the test that scheduled it), as `node --test` does.
 *
 * How a run ends:
 * - CPU time over the limit, or wall time over its limit: a host-side watchdog
 *   (every WATCHDOG_MS) disposes the isolate, whatever it is doing. No call
 *   passes isolated-vm's own `timeout` option: each one leaves a timer in
 *   isolated-vm's timer thread until its deadline, and a run that makes ~100k
 *   tick calls (a test kept alive by setInterval) overflowed that thread's stack
 *   when they expired together (SIGSEGV in timer_thread_t::run_next, seen here).
 * - Heap over the limit: isolated-vm disposes the isolate itself.
 * - A promise that never settles: the loop finds no macrotask left while the
 *   file is not done and stalls the waiting tests, as Node's runner does
 *   ("Promise resolution is still pending but the event loop has already
 *   resolved") - deterministic, no waiting for a clock.
 * - Virtual time used up, a storm of unhandled rejections, or stalls that free
 *   nothing: the file ends and the runtime fails every test it had not
 *   finished (and the file), so nothing unfinished is left unrecorded.
 * - The isolate not speaking the protocol (a malformed or oversized pull, more
 *   than MAX_TESTS tests): the run is aborted with that code, like a limit.
 *   Names and error texts are cut inside the isolate and pulls come in bounded
 *   batches, so no honest or hostile test record can cause this.
 *
 * Only the run's test files and the test support trees they live in
 * (tester/predecessor.ts testSupportDir) get a node:test that registers tests
 * and hooks; any other module's copy refuses and fails the file.
 *
 * isolated-vm 5 pitfalls (DEPENDENCIES.md) handled here: evaluate() is called
 * only on modules the host instantiated itself (each shim module, and one entry
 * module per file), never on one that was only linked as a dependency (that
 * crashed the host with SIGSEGV); the isolate is always disposed before the run
 * returns, and nothing here calls process.exit.
 */
import ivm from 'isolated-vm';
import { GopkgrError, type ErrorCode } from '../ledger/index.ts';
import { MAX_ERROR_CHARS, MAX_NAME_CHARS, MAX_PULL_CHARS, MAX_TESTS, SANDBOX_EPOCH_MS, type SandboxLimits } from './options.ts';
import { describeKey, parseKey, Resolver, type DepMap, type FileMap } from './resolve.ts';
import { ASSERT_SOURCE, INTERNAL_KEY, RUNTIME_SOURCE, SHIM_MODULES, TEST_SHIM_KEY, testShim, type RuntimeConfig } from './shims.ts';
import { testSupportDir } from './predecessor.ts';
import { isTypeScript, transpile } from './transpile.ts';
import { readPull, type RawTest } from './outcome.ts';

/** How often the watchdog reads the isolate's CPU time: 25 ms keeps overshoot small at negligible cost. */
const WATCHDOG_MS = 25;
/** Stalls in a row with nothing settling before a file is given up. */
const MAX_STALLS = 3;
/** Calls in a row that end in an unhandled rejection before a file is given up. */
const MAX_REJECTIONS = 1_000;

const RAN = 1;
const DONE = 2;
const NEWS = 4;
const VIRTUAL_TIME_OUT = 8;
const STALLED_TEXT = 'Promise resolution is still pending but the event loop has already resolved';

export interface SandboxInput {
  files: FileMap;
  deps: DepMap;
  /** package paths, run in this order */
  testFiles: readonly string[];
  limits: SandboxLimits;
  seed: string;
  onTest?: (test: RawTest) => void;
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export interface SandboxResult {
  tests: RawTest[];
  aborted?: { code: string; message: string };
}

class Abort extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An isolate takes its local time zone from the host process (V8 and ICU read
 * TZ), and some of its uses cannot be patched from JavaScript (Date.parse of a
 * string without an offset, ICU's zone names). Node applies a change of
 * process.env.TZ at once, and every isolate created afterwards reads UTC, so
 * testers in Tokyo and in Lima compute the same outcomes. This sets the host
 * process's zone too: a tester's own timestamps are ISO/UTC anyway. The locale
 * cannot be changed after start-up; the runtime pins it inside the isolate.
 */
function useUtcTimeZone(): void {
  if (process.env.TZ !== 'UTC') process.env.TZ = 'UTC';
}

type Called<T> = { ok: true; value: T } | { ok: false; message: string };

export async function runInSandbox(input: SandboxInput): Promise<SandboxResult> {
  const { limits } = input;
  const resolver = new Resolver(input.files, input.deps);
  const jsCache = new Map<string, Promise<string>>();
  const tests: RawTest[] = [];
  let abort: Abort | undefined;
  useUtcTimeZone();
  const isolate = new ivm.Isolate({
    memoryLimit: limits.memoryMiB,
    onCatastrophicError: (message) => {
      abort ??= new Abort('SANDBOX_CRASH', `the isolate failed: ${message}`);
    },
  });
  const deadline = Date.now() + limits.wallTimeMs;
  // Who may register tests and hooks: the run's test files and the test
  // support trees they live in (the same trees a predecessor run takes from
  // the old version), never library code nor dependencies.
  const testFileSet = new Set(input.testFiles);
  const supportDirs = new Set<string>();
  for (const f of input.testFiles) {
    const dir = testSupportDir(f);
    if (dir !== undefined) supportDirs.add(dir);
  }
  const mayRegisterTests = (key: string): boolean => {
    const { scope, path } = parseKey(key);
    return scope === 'pkg' && (testFileSet.has(path) || [...supportDirs].some((d) => path.startsWith(d)));
  };

  const stop = (reason: Abort): void => {
    abort ??= reason;
    if (!isolate.isDisposed) {
      try {
        isolate.dispose();
      } catch {
        /* already going */
      }
    }
  };
  const watchdog = setInterval(() => {
    if (isolate.isDisposed) return;
    if (Number(isolate.cpuTime) / 1e6 > limits.cpuTimeMs) stop(new Abort('SANDBOX_CPU_LIMIT', `the tests used more than ${limits.cpuTimeMs} ms of CPU time`));
    else if (Date.now() > deadline) stop(new Abort('SANDBOX_TIMEOUT', `the tests ran longer than ${limits.wallTimeMs} ms`));
  }, WATCHDOG_MS);

  /** Any call into the isolate: fatal conditions become an Abort, the rest an error message. */
  async function call<T>(f: () => Promise<T> | T): Promise<Called<T>> {
    if (abort !== undefined) throw abort;
    try {
      return { ok: true, value: await f() };
    } catch (err) {
      if (abort !== undefined) throw abort;
      // isolated-vm rethrows an isolate's error as a host error of the same name.
      const message = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, MAX_ERROR_CHARS);
      if (isolate.isDisposed) {
        stop(/memory limit/i.test(message) ? new Abort('SANDBOX_MEMORY_LIMIT', `the tests used more than ${limits.memoryMiB} MiB of memory`) : new Abort('SANDBOX_CRASH', `the isolate failed: ${message}`));
        throw abort;
      }
      if (/Script execution timed out/.test(message)) {
        stop(new Abort('SANDBOX_TIMEOUT', `the tests ran longer than ${limits.wallTimeMs} ms`));
        throw abort;
      }
      return { ok: false, message };
    }
  }

  function jsFor(key: string): Promise<string> {
    let js = jsCache.get(key);
    if (js === undefined) {
      js = (async () => {
        const { path } = parseKey(key);
        const text = resolver.source(key) ?? '';
        if (path.endsWith('.json')) {
          try {
            return `export default ${JSON.stringify(JSON.parse(text))};`;
          } catch (err) {
            throw new GopkgrError('TEST_BAD_JSON', `${describeKey(key)}: ${(err as Error).message}`);
          }
        }
        if (/\.c[jt]s$/.test(path)) throw new GopkgrError('TEST_COMMONJS', `${describeKey(key)}: CommonJS modules are not supported in the sandbox`);
        return isTypeScript(path) ? transpile(describeKey(key), text) : text;
      })();
      jsCache.set(key, js);
    }
    return js;
  }

  async function runFile(runtimeScript: ivm.Script, assertScript: ivm.Script, file: string): Promise<void> {
    const context = isolate.createContextSync();
    const refs: { release(): void }[] = [];
    try {
      // Set-up runs only our code, before any package code: synchronous calls are safe.
      const runtimeFn = runtimeScript.runSync(context, { reference: true }) as ivm.Reference;
      const config: RuntimeConfig = { file, seed: input.seed, epochMs: SANDBOX_EPOCH_MS, outputBytes: limits.outputBytes, virtualTimeMs: limits.virtualTimeMs, maxNameChars: MAX_NAME_CHARS, maxErrorChars: MAX_ERROR_CHARS };
      const control = runtimeFn.applySync(undefined, [JSON.stringify(config)], { result: { reference: true } }) as ivm.Reference;
      assertScript.runSync(context);
      const fn = (name: string): ivm.Reference => {
        const ref = control.getSync(name, { reference: true }) as ivm.Reference;
        refs.push(ref);
        return ref;
      };
      const tick = fn('tick');
      const stall = fn('stall');
      const uncaught = fn('uncaught');
      const loadError = fn('loadError');
      const end = fn('end');
      const pull = fn('pull');
      const seal = fn('seal');
      refs.push(runtimeFn, control);

      // A shim module evaluated now, before any package code: one copy per
      // importing module (tester/shims.ts), the internal one shared by the host's
      // entry modules.
      const shimModule = (key: string, importer?: string): ivm.Module => {
        const source = key === TEST_SHIM_KEY && importer !== undefined && !mayRegisterTests(importer) ? testShim(describeKey(importer)) : SHIM_MODULES.get(key)!;
        const m = isolate.compileModuleSync(source, { filename: key });
        m.instantiateSync(context, () => {
          throw new Error('shim modules have no imports');
        });
        m.evaluateSync();
        return m;
      };
      const internal = shimModule(INTERNAL_KEY);

      // Package modules: compiled and linked by the host, each specifier resolved
      // before instantiation, so the link callback is a plain lookup.
      const byKey = new Map<string, ivm.Module>();
      const edges = new Map<ivm.Module, Map<string, ivm.Module>>();
      const load = async (key: string): Promise<ivm.Module> => {
        const have = byKey.get(key);
        if (have !== undefined) return have;
        const code = await jsFor(key);
        const compiled = await call(() => isolate.compileModule(code, { filename: `file:///${describeKey(key)}` }));
        if (!compiled.ok) throw new GopkgrError('TEST_COMPILE', `${describeKey(key)}: ${compiled.message}`);
        const m = compiled.value;
        byKey.set(key, m);
        const links = new Map<string, ivm.Module>();
        edges.set(m, links);
        for (const spec of m.dependencySpecifiers) {
          const dep = resolver.resolve(spec, key);
          links.set(spec, SHIM_MODULES.has(dep) && dep !== INTERNAL_KEY ? shimModule(dep, key) : await load(dep));
        }
        return m;
      };
      let entry: ivm.Module | undefined;
      try {
        let root: ivm.Module;
        try {
          root = await load(`pkg:${file}`);
        } finally {
          // Every shim copy has read the shim object: take it away before package code runs.
          if (!isolate.isDisposed) seal.applySync(undefined, []);
        }
        const e = isolate.compileModuleSync(`import { loaded } from 'gopkgr:internal';\nimport 'gopkgr:file';\nloaded();\n`, { filename: 'gopkgr:entry' });
        edges.set(e, new Map([['gopkgr:internal', internal], ['gopkgr:file', root]]));
        const linked = await call(() =>
          e.instantiate(context, (specifier, referrer) => {
            const m = edges.get(referrer)?.get(specifier);
            if (m === undefined) throw new Error(`unresolved import "${specifier}"`);
            return m;
          }),
        );
        if (!linked.ok) throw new GopkgrError('TEST_LINK', linked.message);
        entry = e;
      } catch (err) {
        if (err instanceof Abort) throw err;
        const message = err instanceof GopkgrError ? `${err.code}: ${err.message}` : (err as Error).message;
        await call(() => loadError.apply(undefined, [message.slice(0, MAX_ERROR_CHARS)]));
      }
      if (entry !== undefined) {
        const ran = await call(() => entry.evaluate());
        if (!ran.ok) await call(() => loadError.apply(undefined, [ran.message]));
      }

      // An Abort ends the whole run: stop() records it before it is thrown, so
      // no catch on the way out can turn it into a clean, empty run.
      const fatal = (code: ErrorCode, message: string): never => {
        stop(new Abort(code, message));
        throw abort;
      };
      /** Pull until the runtime has nothing new: each answer is a bounded batch. */
      const drain = async (): Promise<void> => {
        for (;;) {
          const r = await call(() => pull.apply(undefined, []));
          if (!r.ok) return;
          if (typeof r.value !== 'string' || r.value.length > MAX_PULL_CHARS) fatal('SANDBOX_PROTOCOL', 'the sandbox returned a malformed result');
          const pulled = readPull(r.value as string);
          if (pulled === undefined) return fatal('SANDBOX_PROTOCOL', 'the sandbox returned a malformed result');
          for (const [stream, text] of pulled.output) input.onOutput?.(stream, text);
          for (const t of pulled.tests) {
            if (tests.length >= MAX_TESTS) fatal('SANDBOX_TOO_MANY_TESTS', `more than ${MAX_TESTS} tests`);
            tests.push(t);
            input.onTest?.(t);
          }
          if (pulled.tests.length === 0 && pulled.output.length === 0) return;
        }
      };

      let stalls = 0;
      let rejections = 0;
      for (;;) {
        const r = await call(() => tick.apply(undefined, []));
        if (!r.ok) {
          // An unhandled rejection in the isolate makes the call reject: report it
          // to the runtime, which fails the running test (or the file).
          if (++rejections > MAX_REJECTIONS) {
            // Giving up must not hide the tests this file did not finish.
            await call(() => end.apply(undefined, [`Error: more than ${MAX_REJECTIONS} unhandled rejections in a row`, true]));
            break;
          }
          await call(() => uncaught.apply(undefined, [r.message]));
          continue;
        }
        rejections = 0;
        const flags = typeof r.value === 'number' ? r.value : 0;
        if (flags & NEWS) await drain();
        if (flags & DONE) break;
        if (flags & RAN && !(flags & VIRTUAL_TIME_OUT)) {
          stalls = 0;
          continue;
        }
        if (++stalls > MAX_STALLS) {
          await call(() => end.apply(undefined, ['Error: ' + STALLED_TEXT, false]));
          break;
        }
        await call(() => stall.apply(undefined, []));
      }
      await drain();
    } finally {
      for (const ref of refs) {
        try {
          ref.release();
        } catch {
          /* the isolate is gone */
        }
      }
      try {
        context.release();
      } catch {
        /* the isolate is gone */
      }
    }
  }

  try {
    const runtimeScript = isolate.compileScriptSync(RUNTIME_SOURCE, { filename: 'gopkgr:runtime' });
    const assertScript = isolate.compileScriptSync(ASSERT_SOURCE, { filename: 'gopkgr:assert' });
    for (const file of input.testFiles) {
      await runFile(runtimeScript, assertScript, file);
      if (abort !== undefined) break;
    }
  } catch (err) {
    if (err instanceof Abort) abort ??= err;
    else {
      // A synchronous set-up call hit a limit or the isolate went away.
      if (isolate.isDisposed && abort === undefined) {
        const message = (err as Error).message;
        abort = /memory limit/i.test(message) ? new Abort('SANDBOX_MEMORY_LIMIT', `the tests used more than ${limits.memoryMiB} MiB of memory`) : new Abort('SANDBOX_CRASH', message);
      } else if (abort === undefined) throw err;
    }
  } finally {
    clearInterval(watchdog);
    if (!isolate.isDisposed) isolate.dispose();
  }
  return abort === undefined ? { tests } : { tests, aborted: { code: abort.code, message: abort.message } };
}
