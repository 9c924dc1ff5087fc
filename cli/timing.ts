/**
 * Where a command's time goes, for profiling by hand and for bench/install:
 * with GOPKGR_TIMING set, each phase prints `[timing] <ms since start> <phase>`
 * on stderr (milliseconds since the process started, module loading
 * included). Silent otherwise; the output is for people, not a contract.
 */
const enabled = (process.env.GOPKGR_TIMING ?? '') !== '';

export function phase(label: string): void {
  if (enabled) process.stderr.write(`[timing] ${performance.now().toFixed(0).padStart(6)} ms  ${label}\n`);
}
