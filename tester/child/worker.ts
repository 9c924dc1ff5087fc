/**
 * The child process's side (runInChild.ts): take one run's input over IPC, run
 * it in the sandbox, send each test and output as it comes and the outcome at
 * the end, then let the event loop drain (no process.exit while an isolate may
 * still be torn down: DEPENDENCIES.md saw that crash the host).
 */
import { runTests } from '../runTests.ts';
import { useVendorSource } from '../vendor.ts';
import type { ChildMessage, ChildRequest } from './protocol.ts';

const send = (m: ChildMessage): void => {
  process.send?.(m);
};

process.once('message', (req: ChildRequest) => {
  useVendorSource(req.vendor);
  runTests({
    files: new Map(req.files),
    deps: new Map(req.deps.map(([name, files]) => [name, new Map(files)])),
    testFiles: req.testFiles,
    limits: req.limits,
    seed: req.seed,
    epochMs: req.epochMs,
    onTest: (test) => send({ type: 'test', test }),
    onOutput: (stream, text) => send({ type: 'output', stream, text }),
  }).then(
    (outcome) => {
      send({ type: 'done', outcome });
      process.disconnect?.();
    },
    (err: unknown) => {
      const code = (err as { code?: unknown } | null)?.code;
      send({ type: 'error', ...(typeof code === 'string' ? { code } : {}), message: err instanceof Error ? err.message : String(err) });
      process.disconnect?.();
    },
  );
});
