/**
 * `gopkgr test [DIR]`: run a package's tests in the sandbox exactly as a tester
 * does (tester/index.ts), print each test's outcome as it finishes, then a
 * summary with the resultHash.
 *
 * --json prints one object: {"passed","failed","skipped","tests":[{"name",
 * "status","error"?}],"resultHash","aborted"?}. Exit code 0 when everything
 * passed, 1 when a test failed, 2 when a limit aborted the run. The tests'
 * console output goes to stdout (stderr under --json).
 */
import path from 'node:path';
import { runTestsInChild } from '../../tester/child/runInChild.ts';
import { findTestFiles, readInstalledDeps, readPackageDir, testPatterns, type Outcome, type TestOutcome } from '../../tester/index.ts';
import { intOption, parse } from '../args.ts';
import type { Command } from '../command.ts';
import { oneLine } from '../printable.ts';

const usage = 'gopkgr test [DIR] [--cpu-ms N] [--memory-mib N] [--wall-ms N]';

const MARK: Record<TestOutcome['status'], string> = { passed: '✔', failed: '✖', skipped: '-', todo: '-', unsupported: '?' };

function line(t: TestOutcome): string[] {
  const suffix = t.status === 'skipped' ? ' # skipped' : t.status === 'todo' ? ' # todo' : t.status === 'unsupported' ? ' # unsupported in the sandbox' : '';
  // Names and errors are the package's own text, which a tester runs untrusted: no escape sequence reaches the terminal.
  const lines = [`${MARK[t.status]} ${oneLine(t.name)}${suffix}`];
  if (t.error !== undefined && (t.status === 'failed' || t.status === 'unsupported')) for (const l of t.error.split('\n')) lines.push(`    ${oneLine(l)}`);
  return lines;
}

export function exitCodeOf(outcome: Outcome): number {
  return outcome.aborted !== undefined ? 2 : outcome.failed > 0 ? 1 : 0;
}

export const test: Command = {
  name: 'test',
  summary: "run a package's tests in the sandbox, as a tester does",
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { 'cpu-ms': { type: 'string' }, 'memory-mib': { type: 'string' }, 'wall-ms': { type: 'string' } }, usage);
    const dir = path.resolve(positionals[0] ?? '.');
    const files = await readPackageDir(dir);
    const deps = await readInstalledDeps(dir, files);
    const testFiles = findTestFiles(files);
    if (testFiles.length === 0) ctx.err(`gopkgr: no test files in ${dir} match ${testPatterns(files).join(', ')}`);
    let done = 0;
    const progress = (): void => {
      if (ctx.tty) process.stderr.write(`\r\u001b[2K… ${done} test${done === 1 ? '' : 's'} done`);
    };
    const clearProgress = (): void => {
      if (ctx.tty) process.stderr.write('\r\u001b[2K');
    };
    // in a child process, as a tester runs it: a crash of the isolate or its addon ends only that process
    const outcome = await runTestsInChild({
      files,
      deps,
      testFiles,
      limits: {
        cpuTimeMs: intOption(values['cpu-ms'], 'cpu-ms', 1, 3_600_000),
        memoryMiB: intOption(values['memory-mib'], 'memory-mib', 8, 65_536),
        wallTimeMs: intOption(values['wall-ms'], 'wall-ms', 1, 3_600_000),
      },
      onTest: (t) => {
        done++;
        if (!ctx.json) {
          clearProgress();
          for (const l of line(t)) ctx.out(l);
        }
        progress();
      },
      onOutput: (_stream, text) => {
        clearProgress();
        (ctx.json ? process.stderr : process.stdout).write(text);
        progress();
      },
    });
    clearProgress();
    if (ctx.json) ctx.out(JSON.stringify(outcome));
    else {
      ctx.out('');
      const unsupported = outcome.tests.filter((t) => t.status === 'unsupported').length;
      ctx.out(`${outcome.passed} passed, ${outcome.failed} failed, ${outcome.skipped} skipped${unsupported > 0 ? ` (${unsupported} unsupported in the sandbox)` : ''} (${testFiles.length} file${testFiles.length === 1 ? '' : 's'})`);
      if (outcome.aborted !== undefined) ctx.out(`aborted: ${outcome.aborted}`);
      ctx.out(`resultHash ${outcome.resultHash}`);
    }
    return exitCodeOf(outcome);
  },
};
