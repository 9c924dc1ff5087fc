/**
 * The same diffs in this process through the library (`diffPackages`, what
 * the CLI calls), TypeScript loaded once by a warm-up: beside the CLI's
 * per-pair time, this shows how much of it is process start and module
 * loading rather than the comparison.
 */
import { diffPackages } from '../../infver/index.ts';
import type { Bump, Pair } from './corpus.ts';
import { median, time } from './stats.ts';

export interface InProcessRun {
  id: string;
  /** median over the runs, ms */
  ms: number;
  bump?: Bump;
  error?: string;
}

/** Diff every pair `runs` times after one untimed warm-up diff of the first pair; `onPair` hears each result as it comes. */
export async function diffInProcess(pairs: readonly Pair[], runs: number, onPair?: (run: InProcessRun) => void): Promise<InProcessRun[]> {
  if (pairs.length > 0) await diffPackages(pairs[0]!.oldDir, pairs[0]!.newDir).catch(() => undefined);
  const out: InProcessRun[] = [];
  for (const pair of pairs) {
    const times: number[] = [];
    let bump: Bump | undefined;
    let error: string | undefined;
    for (let i = 0; i < runs; i++) {
      times.push(
        await time(async () => {
          try {
            bump = (await diffPackages(pair.oldDir, pair.newDir)).bump;
          } catch (err) {
            error = err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err);
          }
        }),
      );
    }
    const run: InProcessRun = { id: pair.id, ms: median(times), ...(error === undefined ? { bump } : { error }) };
    out.push(run);
    onPair?.(run);
  }
  return out;
}
