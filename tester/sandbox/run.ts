/**
 * One sandboxed run: one isolate (guard.ts), one fresh context per test file,
 * as `node --test` gives each file its own process. A file's context gets the
 * runtime channel (channel.ts), its module graph (modules.ts), and its event
 * loop driven by the host (fileLoop.ts); results go to the recorder.
 */
import type ivm from 'isolated-vm';
import { GopkgrError } from '../../ledger/index.ts';
import { MAX_ERROR_CHARS, type SandboxLimits } from '../options.ts';
import type { RawTest } from '../outcome.ts';
import { Resolver, type DepMap, type FileMap } from '../resolve.ts';
import { ASSERT_SOURCE, nodeSource, RUNTIME_SOURCE } from '../shims.ts';
import { RuntimeChannel, type RuntimeScripts } from './channel.ts';
import { runFileLoop } from './fileLoop.ts';
import { Abort, IsolateGuard } from './guard.ts';
import { FileModules, UnsupportedImport, type ModuleEnv } from './modules.ts';
import { ResultRecorder, type SandboxResult } from './recorder.ts';
import { snapshotInput } from './snapshots.ts';
import { hasBabelConfig, ModuleSources } from './sources.ts';
import { testScope } from './testScope.ts';

export interface SandboxInput {
  files: FileMap;
  deps: DepMap;
  /** package paths, run in this order */
  testFiles: readonly string[];
  limits: SandboxLimits;
  seed: string;
  /** Date.now() when each test file starts */
  epochMs: number;
  /** the package's test runner: jest's API is global */
  runner?: 'node' | 'vitest' | 'jest';
  onTest?: (test: RawTest) => void;
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
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

class SandboxRun {
  private readonly guard: IsolateGuard;
  private readonly env: ModuleEnv;
  private readonly recorder: ResultRecorder;

  constructor(private readonly input: SandboxInput) {
    const resolver = new Resolver(input.files, input.deps, input.runner === 'jest');
    useUtcTimeZone();
    this.guard = new IsolateGuard(input.limits);
    this.env = { guard: this.guard, resolver, sources: new ModuleSources(resolver, input.runner ?? 'node', hasBabelConfig(input.files)), mayRegisterTests: testScope(input.testFiles) };
    this.recorder = new ResultRecorder(this.guard, { onTest: input.onTest, onOutput: input.onOutput });
  }

  private files: string | undefined;

  /** The package's files (and its locked dependencies') for the read-only fs, as JSON, made once per run. */
  private filesText(): string {
    this.files ??= JSON.stringify(this.env.resolver.allFiles());
    return this.files;
  }

  async run(): Promise<SandboxResult> {
    const { guard } = this;
    try {
      const scripts: RuntimeScripts = {
        runtime: guard.isolate.compileScriptSync(RUNTIME_SOURCE, { filename: 'gopkgr:runtime' }),
        assert: guard.isolate.compileScriptSync(ASSERT_SOURCE, { filename: 'gopkgr:assert' }),
        node: guard.isolate.compileScriptSync(nodeSource(), { filename: 'gopkgr:node' }),
      };
      for (const file of this.input.testFiles) {
        await this.runFile(scripts, file);
        if (guard.abort !== undefined) break;
      }
    } catch (err) {
      guard.settle(err);
    } finally {
      guard.close();
    }
    return this.recorder.result();
  }

  private async runFile(scripts: RuntimeScripts, file: string): Promise<void> {
    const { guard, recorder } = this;
    const context = guard.isolate.createContextSync();
    const channel = new RuntimeChannel();
    try {
      const runner = this.input.runner ?? 'node';
      channel.open(context, scripts, file, { seed: this.input.seed, epochMs: this.input.epochMs }, this.input.limits, runner, snapshotInput(this.input.files, file, runner));
      const modules = new FileModules(this.env, context, channel);
      let entry: ivm.Module | undefined;
      try {
        entry = await modules.entry(file, () => channel.seal());
        const usesFs = modules.cjs.builtins.has('fs') || modules.cjs.builtins.has('fs/promises') || modules.usesFs || modules.cjs.computedRequire;
        channel.defineModules(modules.cjs.text(), usesFs ? this.filesText() : undefined);
      } catch (err) {
        if (err instanceof Abort) throw err;
        entry = undefined;
        const message = err instanceof GopkgrError ? `${err.code}: ${err.message}` : (err as Error).message;
        await guard.call(() => channel.loadError(message.slice(0, MAX_ERROR_CHARS), err instanceof UnsupportedImport));
      }
      if (entry !== undefined) {
        const loaded = entry;
        const ran = await guard.call(() => loaded.evaluate());
        if (!ran.ok) await guard.call(() => channel.loadError(ran.message));
      }
      await runFileLoop(guard, channel, recorder, entry === undefined ? undefined : (key) => modules.evaluateLazy(key));
    } finally {
      channel.release();
      try {
        context.release();
      } catch {
        /* the isolate is gone */
      }
    }
  }
}

export async function runInSandbox(input: SandboxInput): Promise<SandboxResult> {
  return new SandboxRun(input).run();
}
