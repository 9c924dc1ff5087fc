/**
 * How long the end-to-end helpers wait, in one place. A run on a loaded 2-core
 * machine (other test files, a miner, TypeScript extraction) is 3-5x slower than
 * an idle one, so each figure is several times what an idle machine needs: a
 * deadline here only decides how long a real hang takes to be reported.
 */

/** An e2e test or hook that names no timeout (vitest.config.ts): several nodes, commands and waits in a row. */
export const E2E_TEST_TIMEOUT_MS = 300_000;

/** One `gopkgr` command run to completion (an idle publish with InfVer extraction takes ~5 s). */
export const CLI_TIMEOUT_MS = 180_000;

/** A `gopkgr node` process printing its ready line (idle: ~1-2 s). */
export const NODE_READY_TIMEOUT_MS = 90_000;

/** A node given SIGTERM before it is killed with SIGKILL. */
export const STOP_GRACE_MS = 15_000;

/** `waitFor` and the helpers built on it when a test names no deadline. */
export const WAIT_TIMEOUT_MS = 60_000;

/** How often `waitFor` checks again. */
export const POLL_MS = 100;
