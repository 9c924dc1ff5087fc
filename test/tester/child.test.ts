// A run in a child process of the tester (tester/child/): the same outcome and
// resultHash as in process, tests streamed as they finish, and a child that
// dies (killed here; a SIGSEGV in the addon or V8 out of memory end it the
// same way) aborts the run as SANDBOX_CRASH with the tests it reported, while
// the tester goes on.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTestsInChild } from '../../tester/child/runInChild.ts';
import { readPackageDir, runTests } from '../../tester/index.ts';

const COMPAT = fileURLToPath(new URL('../fixtures/tester/node-compat/', import.meta.url));

describe('runs in a child process', () => {
  it('give the outcome and resultHash of an in-process run', async () => {
    const files = await readPackageDir(COMPAT);
    const streamed: string[] = [];
    const [child, inline] = await Promise.all([runTestsInChild({ files, onTest: (t) => streamed.push(t.name) }), runTests({ files })]);
    expect(child.resultHash).toBe(inline.resultHash);
    expect(child.passed).toBe(inline.passed);
    expect(streamed).toEqual(inline.tests.map((t) => t.name));
  });

  it('a child that dies aborts the run as SANDBOX_CRASH, keeping the tests it reported', async () => {
    const files = new Map([
      ['package.json', '{"type":"module"}'],
      // 'spins' starts after a timer, so 'first' has been pulled and sent before the loop
      ['test/a.test.js', `import { test } from 'node:test';\ntest('first', () => {});\ntest('spins', async () => { await new Promise((r) => setTimeout(r, 10)); for (;;) {} });\n`],
    ]);
    const controller = new AbortController();
    const outcome = await runTestsInChild({ files, signal: controller.signal, onTest: () => controller.abort() });
    expect(outcome.aborted).toMatch(/^SANDBOX_CRASH: the sandbox process died \(signal SIGKILL\)/);
    expect(outcome.tests).toEqual([{ name: 'test/a.test.js > first', status: 'passed' }]);
    // the tester is alive and runs the next package
    expect((await runTestsInChild({ files: new Map([['package.json', '{"type":"module"}'], ['test/b.test.js', `import { test } from 'node:test';\ntest('ok', () => {});\n`]]) })).passed).toBe(1);
  });
});
