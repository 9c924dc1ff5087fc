// `gopkgr test`: the command's contract (exit codes 0/1/2, the --json object,
// package.json test globs), run in-process against fixture packages.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { test as testCommand } from '../../cli/commands/test.ts';
import type { Context } from '../../cli/context.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/tester/', import.meta.url));
const work = await tempDir('gopkgr-cli-test-');
afterAll(closeAll);

async function run(args: string[], json = true): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: Context = { json, dataDir: work, nodeUrl: 'http://127.0.0.1:1', out: (l) => out.push(l), info: (l) => out.push(l), err: (l) => err.push(l), tty: false };
  const code = await testCommand.run(json ? [...args, '--json'] : args, ctx);
  return { code, out, err };
}

function pkg(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('gopkgr test', () => {
  it('exit 0 and the --json object when everything passes', async () => {
    const { code, out } = await run([path.join(FIXTURES, 'passing')]);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const result = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(result).toEqual({
      passed: 2,
      failed: 0,
      skipped: 1,
      tests: [
        { name: 'test/ok.test.ts > one', status: 'passed' },
        { name: 'test/ok.test.ts > two', status: 'passed' },
        { name: 'test/ok.test.ts > three is skipped', status: 'skipped' },
      ],
      resultHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('exit 1 when a test fails, with the error in the human output', async () => {
    const dir = pkg('failing', { 'package.json': '{"type":"module"}', 'test/a.test.js': `import { test } from 'node:test'; import assert from 'node:assert'; test('bad', () => assert.strictEqual(1, 2));` });
    const { code, out } = await run([dir], false);
    expect(code).toBe(1);
    expect(out).toContain('✖ test/a.test.js > bad');
    expect(out).toContain('0 passed, 1 failed, 0 skipped (1 file)');
    expect(out.some((l) => l.startsWith('resultHash '))).toBe(true);
  });

  it('prints a test\'s name and error without the control characters the package put in them (the outcome already drops colour codes); --json keeps them', async () => {
    // An OSC sequence (set the terminal's title) and a bell: not the colour codes normaliseText strips.
    const dir = pkg('escapes', { 'package.json': '{"type":"module"}', 'test/a.test.js': `import { test } from 'node:test'; test('x\\u001b]0;pwned\\u0007y', () => { throw new Error('boom\\u001b]0;t\\u0007 red'); });` });
    const human = await run([dir], false);
    expect(human.out).toContain('✖ test/a.test.js > x ]0;pwned y');
    expect(human.out.some((l) => l.includes('boom ]0;t  red'))).toBe(true);
    // eslint-disable-next-line no-control-regex
    expect(human.out.filter((l) => /[\u0000-\u001f]/.test(l))).toEqual([]);
    const json = JSON.parse((await run([dir])).out[0]!) as { tests: Array<{ name: string }> };
    expect(json.tests[0]!.name).toBe('test/a.test.js > x\u001b]0;pwned\u0007y');
  });

  it('exit 2 when a limit aborts the run', async () => {
    const dir = pkg('spinning', { 'test/a.test.js': `import { test } from 'node:test'; test('spin', () => { for (;;) {} });` });
    const { code, out } = await run([dir, '--cpu-ms', '200']);
    expect(code).toBe(2);
    const result = JSON.parse(out[0]!) as { aborted?: string };
    expect(Object.keys(result)).toEqual(['passed', 'failed', 'skipped', 'tests', 'resultHash', 'aborted']);
    expect(result.aborted).toMatch(/^SANDBOX_CPU_LIMIT: /);
  });

  it('reads test globs from package.json', async () => {
    const { out } = await run([path.join(FIXTURES, 'determinism')]);
    const names = (JSON.parse(out[0]!) as { tests: { name: string }[] }).tests.map((t) => t.name);
    expect(names.some((n) => n.startsWith('test/random.spec.ts'))).toBe(true);
  });

  it('uses locked dependencies installed in node_modules', async () => {
    const dir = pkg('with-dep', {
      'package.json': '{"name":"@me/app","type":"module"}',
      'test/a.test.ts': `import { test } from 'node:test'; import assert from 'node:assert/strict'; import { pad } from '@acme/pad'; import { VERSION } from '@acme/pad/version'; test('dep', () => { assert.equal(pad('x', 3), '  x'); assert.equal(VERSION, 2); });`,
      'node_modules/@acme/pad/package.json': '{"name":"@acme/pad","type":"module","exports":{".":{"types":"./dist/index.d.ts","import":"./dist/index.js"},"./version":"./dist/version.js"}}',
      'node_modules/@acme/pad/dist/index.js': `export function pad(s, n) { return s.padStart(n); }`,
      'node_modules/@acme/pad/dist/version.js': `export const VERSION = 2;`,
      'gopkgr.lock': JSON.stringify({ lockfileVersion: 1, added: {}, packages: { '@acme/pad': { version: '1.0.0', contentHash: 'a'.repeat(64), deps: {}, satisfying: {} } } }),
    });
    const { code, out } = await run([dir]);
    expect(JSON.parse(out[0]!)).toMatchObject({ passed: 1, failed: 0 });
    expect(code).toBe(0);
  });

  it('rejects bad options', async () => {
    await expect(run([work, '--cpu-ms', 'lots'])).rejects.toThrow(/--cpu-ms must be an integer/);
    await expect(run([path.join(work, 'missing')])).rejects.toThrow(/is not a package directory/);
  });
});
