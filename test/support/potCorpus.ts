/**
 * The real-suite corpus (test/fixtures/pot-real/, built by scripts/potCorpus.mjs):
 * each package's files, its locked dependencies, and the per-test outcomes its
 * own runner gave natively when the corpus was built. `compareWithNative`
 * runs a package in the sandbox and lines its outcomes up with those.
 *
 * Agreement, test by test: the same status; or `unsupported` in the sandbox
 * (it needs what the sandbox cannot give), which is never counted as agreeing
 * with a native pass but is not a disagreement either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseText, readPackageDir, runTests, type Outcome } from '../../tester/index.ts';
import { MAX_NAME_CHARS } from '../../tester/options.ts';

/** The CPU limit of a comparison run (and four times it of wall clock): three times the default; outcomes do not depend on limits unless a run aborts. */
export const COMPARE_CPU_MS = 30_000;

export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/pot-real/', import.meta.url));

export interface NativeRecord {
  name: string;
  version: string;
  node: string;
  runner: string;
  deps: string[];
  ms: number;
  /** the day the native run was recorded (YYYY-MM-DD): the sandbox's clock starts there, as the package's clock did */
  recorded?: string;
  tests: { name: string; status: string }[];
}

export interface CorpusPackage {
  dir: string;
  native: NativeRecord;
  files: Map<string, string>;
  deps: Map<string, Map<string, string>>;
}

export function corpusNames(): string[] {
  return readdirSync(CORPUS_DIR).filter((d) => !d.startsWith('.')).sort();
}

export async function loadCorpusPackage(name: string): Promise<CorpusPackage> {
  const dir = path.join(CORPUS_DIR, name);
  const native = JSON.parse(readFileSync(path.join(dir, 'native.json'), 'utf8')) as NativeRecord;
  const files = await readPackageDir(path.join(dir, 'pkg'));
  const deps = new Map<string, Map<string, string>>();
  for (const ref of native.deps) {
    const depName = ref.slice(0, ref.lastIndexOf('@'));
    deps.set(depName, await readPackageDir(path.join(dir, 'deps', depName)));
  }
  return { dir, native, files, deps };
}

/** Midnight UTC of the day the corpus recorded a package natively (undefined: the sandbox's default epoch). */
export function recordedEpoch(native: NativeRecord): number | undefined {
  return native.recorded === undefined ? undefined : Date.parse(`${native.recorded}T00:00:00Z`);
}

/**
 * Tests whose native outcome is itself nondeterministic, by package, with the
 * outcomes `node --test` gave when the file was re-run natively: whichever the
 * corpus recorded, the sandbox (deterministic: virtual time) is not counted as
 * disagreeing while it gives one of them.
 */
export const NATIVE_FLAKY: Record<string, Record<string, string[]>> = {
  avvio: {
    // nested 10 ms plugin timeouts race on the wall clock: 6 native runs on Node 20.20 gave 2 passes, 4 failures
    // (the corpus recorded a failure); in virtual time the innermost timeout fires first and the test passes
    'test/plugin-timeout-await.test.js > do not load': ['passed', 'failed'],
  },
};

export interface Comparison {
  outcome: Outcome;
  agree: string[];
  unsupported: string[];
  /** natively nondeterministic (NATIVE_FLAKY), the sandbox giving one of the native outcomes: `name: native → sandbox` */
  nativeFlaky: string[];
  /** `name: native → sandbox` */
  disagree: string[];
}

export async function compareWithNative(p: CorpusPackage): Promise<Comparison> {
  // CPU headroom: @fastify/busboy's suite needs ~9 s of the default 10 s on this machine,
  // and a loaded machine must not turn the comparison into an abort
  const outcome = await runTests({ files: p.files, deps: p.deps, epochMs: recordedEpoch(p.native), limits: { cpuTimeMs: COMPARE_CPU_MS, wallTimeMs: 4 * COMPARE_CPU_MS } });
  const sandbox = new Map(outcome.tests.map((t) => [t.name, t.status as string]));
  const agree: string[] = [];
  const unsupported: string[] = [];
  const disagree: string[] = [];
  const nativeFlaky: string[] = [];
  const flaky = NATIVE_FLAKY[p.native.name] ?? {};
  // names as the sandbox records them (trailing blanks dropped, tester/outcome.ts)
  const native = p.native.tests.map((t) => ({ name: normaliseText(t.name, MAX_NAME_CHARS), status: t.status }));
  // a file the sandbox could not load for want of something it cannot give: each of its tests is unsupported
  const fileOf = (name: string): string => name.split(' > ')[0]!;
  for (const t of native) {
    const s = sandbox.get(t.name) ?? (sandbox.get(fileOf(t.name)) === 'unsupported' ? 'unsupported' : undefined);
    if (s === t.status) agree.push(t.name);
    else if (s === 'unsupported') unsupported.push(t.name);
    else if (s !== undefined && flaky[t.name]?.includes(s) === true && flaky[t.name]!.includes(t.status)) nativeFlaky.push(`${t.name}: ${t.status} → ${s}`);
    else disagree.push(`${t.name}: ${t.status} → ${s ?? 'missing'}`);
  }
  const nativeNames = new Set(native.map((t) => t.name));
  for (const t of outcome.tests) if (!nativeNames.has(t.name) && t.status !== 'unsupported') disagree.push(`${t.name}: missing → ${t.status}`);
  return { outcome, agree, unsupported, nativeFlaky, disagree };
}
