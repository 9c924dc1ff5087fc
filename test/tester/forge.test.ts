// The forge corpus (test/fixtures/tester/forge): library and test code that
// tries to change how its tests are recorded - prototype setters on every name
// the runner used to assign, climbing from `t`, tampering with the shared
// node:assert / node:test exports, replaced built-ins, lying errors, errors
// after a test ended. Each file runs under `node --test` and in the sandbox; the
// per-test outcomes and whether the file failed must agree, and no forged check
// of the broken `add` may come out passing.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findTestFiles, readPackageDir, runTests, type Outcome } from '../../tester/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/tester/', import.meta.url));
const FORGE = path.join(FIXTURES, 'forge');

/**
 * Where `node --test` itself is fooled, the sandbox is stricter: these tests
 * check the broken `add`, Node reports them passed (or skipped), the sandbox
 * must fail them.
 * - shared-module: Node hands every importer the same node:assert object, so
 *   a library's `assert.strictEqual = () => {}` (or `test.it = test.skip`)
 *   reaches the test file; here each importer has its own frozen copy.
 * - promise-constructor: Node follows a test's promise with Promise.resolve(),
 *   which calls a replaced Promise.prototype.then once .constructor is
 *   replaced; here a native promise is followed through the engine. The
 *   same holds for assert.rejects/doesNotReject waiting on the test's promise.
 * - iterators: Node's deep equality iterates Maps and Sets through their
 *   (replaceable) iterators; here through captured forEach.
 * - error-hasinstance: Node's assert.throws(fn, Class) asks `instanceof`, so a
 *   class with its own Symbol.hasInstance accepts any error; here only the
 *   prototype chain counts.
 * - hook-todo: a library's root beforeEach (or library code a hook hands `t`
 *   to) calls t.todo() and Node reports the failing tests as todo; here a
 *   module that is not a test file cannot register hooks or tests (the file
 *   fails), and a hook's `t` cannot mark its test todo or skipped.
 */
const NODE_FOOLED: Record<string, string[]> = {
  'test/shared-module.test.js': [
    'default export: strictEqual',
    'default export: assert.strict.equal',
    'node:assert/strict default export: equal',
    'default export: ok',
    'node:test default export: it',
    'node:test default export: test',
  ],
  'test/promise-constructor.test.js': ['a rejecting async test under a fake Promise constructor', 'doesNotReject on a rejecting async function under a fake Promise constructor'],
  'test/iterators.test.js': ['maps with different values differ', 'sets with different values differ'],
  'test/error-hasinstance.test.js': ['assertion fails: throws with a class whose hasInstance lies'],
  'test/hook-todo.test.js': ['add adds under a library beforeEach', 'a suite whose hook hands t to the library > add adds in the suite'],
};
/** Node's own runner breaks when these built-ins are replaced (see src/tamper-harsh.js). */
const SANDBOX_ONLY = 'test/primordials-harsh.test.js';

interface FileResult {
  tests: Map<string, string>;
  fileFailed: boolean;
}

function nodeTest(files: string[]): Promise<Map<string, FileResult>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--test', `--test-reporter=${path.join(FIXTURES, 'reporter.mjs')}`, ...files],
      { cwd: FORGE, timeout: 120_000 },
      (err, stdout, stderr) => {
        // exit code 1 is expected: the corpus fails on purpose
        if (err && err.code !== 1) return reject(new Error(`${err.message}\n${stderr}`));
        const byFile = new Map<string, FileResult>();
        for (const line of stdout.trim().split('\n')) {
          const { file, name, status } = JSON.parse(line) as { file: string; name: string; status: string };
          const rel = path.relative(FORGE, file).split(path.sep).join('/');
          const r = byFile.get(rel) ?? { tests: new Map(), fileFailed: false };
          byFile.set(rel, r);
          if (status === 'failed') r.fileFailed = true;
          // the file itself shows up as a test when it failed outside any test
          if (path.isAbsolute(name) || name === rel) continue;
          r.tests.set(name, status);
        }
        resolve(byFile);
      },
    );
  });
}

function bySandboxFile(outcome: Outcome): Map<string, FileResult> {
  const byFile = new Map<string, FileResult>();
  for (const t of outcome.tests) {
    const file = t.name.split(' > ')[0]!;
    const r = byFile.get(file) ?? { tests: new Map(), fileFailed: false };
    byFile.set(file, r);
    if (t.status === 'failed') r.fileFailed = true;
    if (t.name !== file) r.tests.set(t.name.slice(file.length + 3), t.status);
  }
  return byFile;
}

describe('the forge corpus', () => {
  it('fails in the sandbox wherever node --test fails, and where Node is fooled too', async () => {
    const files = await readPackageDir(FORGE);
    const all = findTestFiles(files);
    const shared = all.filter((f) => f !== SANDBOX_ONLY);
    expect(shared.length).toBeGreaterThanOrEqual(11);
    const [native, outcome] = await Promise.all([nodeTest(shared), runTests({ files, testFiles: shared })]);
    expect(outcome.aborted).toBeUndefined();
    const sandbox = bySandboxFile(outcome);
    for (const file of shared) {
      const n = native.get(file);
      const s = sandbox.get(file);
      expect(n, `node --test ran ${file}`).toBeDefined();
      expect(s, `the sandbox ran ${file}`).toBeDefined();
      const expected = new Map(n!.tests);
      for (const name of NODE_FOOLED[file] ?? []) {
        expect(expected.get(name), `${file} > ${name}: node --test is fooled`).toMatch(/^(passed|skipped|todo)$/);
        expected.set(name, 'failed');
      }
      expect([...s!.tests].sort(), file).toEqual([...expected].sort());
      expect(s!.fileFailed, `${file} failed as a whole`).toBe(n!.fileFailed || (NODE_FOOLED[file] ?? []).length > 0);
    }
    // Every test of the corpus that checks the broken `add` failed.
    const addChecks = outcome.tests.filter((t) => /add adds|add is|subtest fails|fails inside|timer error fails|still compares|still matches|default export|named import|differ|sibling|rejecting async|assertion fails/.test(t.name));
    expect(addChecks.length).toBeGreaterThanOrEqual(25);
    for (const t of addChecks) if (!t.name.endsWith('climbs from t to its siblings')) expect(t, t.name).toMatchObject({ status: 'failed' });
  });

  it('reports errors after a test ended as a failure of the file, not of the test running then', async () => {
    const files = await readPackageDir(FORGE);
    const outcome = await runTests({ files, testFiles: ['test/late-module.test.js', 'test/late-rejection.test.js', 'test/late-timer.test.js'] });
    expect(outcome.tests.map((t) => [t.name, t.status])).toEqual([
      // the module's timer fires (and fails the file) while the test waits
      ['test/late-module.test.js', 'failed'],
      ['test/late-module.test.js > is running when the module timer fires', 'passed'],
      ['test/late-rejection.test.js > schedules a rejection for after it ends', 'passed'],
      ['test/late-rejection.test.js > passes at once', 'passed'],
      ['test/late-rejection.test.js', 'failed'],
      ['test/late-timer.test.js > schedules a throw for after it ends', 'passed'],
      ['test/late-timer.test.js', 'failed'],
      ['test/late-timer.test.js > a later test, running when the timer fires', 'passed'],
    ]);
    expect(outcome.tests[0]!.error).toMatch(/^Error: A resource generated asynchronous activity after the test ended\. This activity created the error "Error: thrown by a module timer"/);
    expect(outcome.tests[4]!.error).toMatch(/^Error: Test "schedules a rejection for after it ends" generated asynchronous activity after the test ended\. This activity created the error "Error: rejected after the test ended" .*unhandledRejection/);
    expect(outcome.tests[6]!.error).toMatch(/created the error "Error: thrown after the test ended" .*uncaughtException/);
  });

  it('keeps its records under built-ins that break node --test itself', async () => {
    const files = await readPackageDir(FORGE);
    const outcome = await runTests({ files, testFiles: [SANDBOX_ONLY] });
    expect(outcome.aborted).toBeUndefined();
    expect(outcome.tests.map((t) => `${t.name}: ${t.status}`)).toEqual([
      `${SANDBOX_ONLY} > add adds: failed`,
      `${SANDBOX_ONLY} > add adds, asynchronously: failed`,
      `${SANDBOX_ONLY} > a subtest fails its parent > inner: failed`,
      `${SANDBOX_ONLY} > a subtest fails its parent: failed`,
      `${SANDBOX_ONLY} > a timer error fails the test: failed`,
      `${SANDBOX_ONLY} > a suite > fails inside: failed`,
      `${SANDBOX_ONLY} > an honest passing test: passed`,
    ]);
  });

  it('gives the context object only the documented API', async () => {
    const body = `import { test } from 'node:test';
test('t', (t) => {
  const proto = Object.getPrototypeOf(t);
  const names = Reflect.ownKeys(proto).map(String).sort().join(',');
  const own = Reflect.ownKeys(t).length;
  let constructed = 'no';
  try { new t.constructor(); constructed = 'yes'; } catch (e) { constructed = e.name; }
  let detached = 'no';
  try { proto.test.call({}, 'x', () => {}); detached = 'yes'; } catch (e) { detached = e.name; }
  let replaced = 'no';
  try { proto.test = () => {}; replaced = 'yes'; } catch (e) { replaced = e.name; }
  throw new Error([names, own, Object.isFrozen(proto), constructed, detached, replaced].join(' | '));
});`;
    const outcome = await runTests({ files: new Map([['test/t.test.js', body]]) });
    expect(outcome.tests[0]!.error).toBe(
      'Error: after,afterEach,assert,before,beforeEach,constructor,diagnostic,fullName,mock,name,plan,runOnly,signal,skip,test,todo | 0 | true | TypeError | TypeError | TypeError',
    );
  });

  it('gives each importing module its own frozen node:assert and node:test', async () => {
    const lib = `import assert from 'node:assert'; import test from 'node:test'; export { assert, test };`;
    const body = `import assert from 'node:assert'; import strict from 'node:assert/strict'; import test, { it } from 'node:test'; import * as lib from '../src/lib.js';
test('copies', () => {
  const facts = [
    lib.assert !== assert, lib.assert.strict !== assert.strict, lib.test !== test, lib.test.skip !== test.skip,
    Object.isFrozen(assert), Object.isFrozen(assert.strict), Object.isFrozen(strict), Object.isFrozen(test), Object.isFrozen(test.skip), Object.isFrozen(it),
    lib.assert.AssertionError === assert.AssertionError, Object.isFrozen(assert.AssertionError.prototype),
  ];
  throw new Error(facts.join(','));
});`;
    const outcome = await runTests({ files: new Map([['src/lib.js', lib], ['test/t.test.js', body]]) });
    expect(outcome.tests[0]!.error).toBe('Error: ' + Array(12).fill('true').join(','));
  });
});
