// Tests run the same code on every machine: a TypeScript test runs once (not
// again from the JavaScript a tarball carries beside it), and a bare import
// resolves only to a package the lock tree names, never to whatever lies in
// node_modules.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readInstalledDeps, readPackageDir, runTests } from '../../tester/index.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gopkgr-locked-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

const TS_TEST = `import { test } from 'node:test';\nimport assert from 'node:assert';\nconst n: number = 2;\ntest('one', () => assert.equal(n, 2));\ntest('two', () => assert.equal(n * 2, 4));\n`;
const JS_EMITTED = `import { test } from 'node:test';\nimport assert from 'node:assert';\nconst n = 2;\ntest('one', () => assert.equal(n, 2));\ntest('two', () => assert.equal(n * 2, 4));\n`;

describe('TypeScript tests run once', () => {
  it('the tarball (source + emitted .js) and the source tree give the same tests and resultHash', async () => {
    const pkg = '{"name":"@me/ts","type":"module"}';
    const source = new Map([['package.json', pkg], ['test/a.test.ts', TS_TEST]]);
    const tarball = new Map([...source, ['test/a.test.js', JS_EMITTED]]);
    const fromSource = await runTests({ files: source });
    const fromTarball = await runTests({ files: tarball });
    expect(fromTarball.tests.map((t) => t.name)).toEqual(['test/a.test.ts > one', 'test/a.test.ts > two']);
    expect(fromTarball.passed).toBe(2);
    expect(fromTarball.resultHash).toBe(fromSource.resultHash);
    // an explicit list (the predecessor run's) is deduplicated too
    const listed = await runTests({ files: tarball, testFiles: ['test/a.test.js', 'test/a.test.ts'] });
    expect(listed.resultHash).toBe(fromSource.resultHash);
  });
});

describe('only locked dependencies resolve', () => {
  const files = {
    'package.json': '{"name":"@me/app","type":"module"}',
    'test/a.test.js': `import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { v } from 'stray';\ntest('uses stray', () => assert.equal(v, 1));\n`,
    'node_modules/stray/package.json': '{"name":"stray","type":"module","main":"index.js"}',
    'node_modules/stray/index.js': 'export const v = 1;\n',
  };

  it('a package in node_modules but not in gopkgr.lock is not read, and the import fails', async () => {
    const dir = await project(files);
    const pkg = await readPackageDir(dir);
    const deps = await readInstalledDeps(dir, pkg);
    expect([...deps.keys()]).toEqual([]);
    const outcome = await runTests({ files: pkg, deps });
    expect(outcome.passed).toBe(0);
    expect(outcome.tests[0]!.error).toMatch(/"stray".*not a locked dependency/);
  });

  it('the same package resolves once gopkgr.lock names it', async () => {
    const lock = { lockfileVersion: 1, added: {}, packages: { stray: { version: '1.0.0', contentHash: '0'.repeat(64), deps: {}, satisfying: {} } } };
    const dir = await project({ ...files, 'gopkgr.lock': JSON.stringify(lock) });
    const pkg = await readPackageDir(dir);
    const deps = await readInstalledDeps(dir, pkg);
    expect([...deps.keys()]).toEqual(['stray']);
    expect((await runTests({ files: pkg, deps })).passed).toBe(1);
  });
});
