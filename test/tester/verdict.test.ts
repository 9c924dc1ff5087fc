/**
 * InfVer verdicts in the tester (tester/attest/verdict.ts): which testers may
 * give one (only on the chain's pinned TypeScript), the changes hash agreeing
 * testers share (its exact bytes pinned, order and temp directories not in it),
 * and the verdict the real checker computes on unpacked fixture packages.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEV_PARAMS, encode, sha256Hex } from '../../ledger/index.ts';
import { checkerTypescript } from '../../infver/index.ts';
import { changesHash, computeVerdict, verdictPolicy, CHANGES_HASH_DOMAIN, type VerdictChange } from '../../tester/index.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.join(REPO, 'test/fixtures/infver');

/** A fixture package directory as the tester holds an unpacked tarball: relative path → text. */
async function fileMap(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, file).split(path.sep).join('/'), await readFile(file, 'utf8'));
  }
  return out;
}

const CHANGE_A: VerdictChange = { entry: 'pkg', export: 'f', rule: 'value-incompatible', kind: 'breaking', detail: 'f no longer takes number' };
const CHANGE_B: VerdictChange = { entry: 'pkg', export: 'g', rule: 'export-added', kind: 'added', detail: 'g is new' };

describe('verdictPolicy: only the pinned TypeScript gives verdicts', () => {
  it('the dev chain pins the TypeScript the checker runs (package.json ~5.9.3, installed)', async () => {
    const installed = JSON.parse(await readFile(path.join(REPO, 'node_modules/typescript/package.json'), 'utf8')) as { version: string };
    expect(await checkerTypescript()).toBe(installed.version);
    expect(DEV_PARAMS.infverTypescript).toBe(installed.version);
  });

  it('attests verdicts on the pinned release', () => {
    expect(verdictPolicy('5.9.3', '5.9.3')).toEqual({ attest: true, typescript: '5.9.3' });
  });

  it('attests tests only, and says why, on another release or a chain that pins none', () => {
    const other = verdictPolicy('5.9.3', '5.8.2');
    expect(other.attest).toBe(false);
    expect(other.attest ? '' : other.reason).toBe("the chain pins TypeScript 5.9.3 for InfVer verdicts, this tester's checker runs 5.8.2: attesting tests only, no verdicts");
    const none = verdictPolicy(undefined, '5.9.3');
    expect(none.attest ? '' : none.reason).toMatch(/pins no TypeScript/);
  });
});

describe('changesHash: the bytes agreeing testers share', () => {
  it('is the sha256 of the canonical {v, bump, changes} with the changes as sorted rows (pinned)', () => {
    const rows = [[CHANGE_A.entry, CHANGE_A.export, CHANGE_A.rule, CHANGE_A.kind, CHANGE_A.detail], [CHANGE_B.entry, CHANGE_B.export, CHANGE_B.rule, CHANGE_B.kind, CHANGE_B.detail]];
    expect(changesHash('major', [CHANGE_A, CHANGE_B])).toBe(sha256Hex(encode({ v: CHANGES_HASH_DOMAIN, bump: 'major', changes: rows })));
    expect(changesHash('major', [CHANGE_A, CHANGE_B])).toBe('5bbb13a5fd8e4672e521514e8bf730399cb4ef30c3c58985ddf08265537d3d5b');
  });

  it('does not depend on the order the checker reported the changes in', () => {
    expect(changesHash('major', [CHANGE_B, CHANGE_A])).toBe(changesHash('major', [CHANGE_A, CHANGE_B]));
  });

  it('does not depend on where the versions were unpacked: the directories are scrubbed', () => {
    const at = (dir: string): VerdictChange => ({ ...CHANGE_A, detail: `Type 'import("${dir}/new/index").T' is not assignable to type 'import("${dir}/old/index").T'` });
    const one = changesHash('major', [at('/tmp/one')], { old: '/tmp/one/old', new: '/tmp/one/new' });
    const two = changesHash('major', [at('/var/two')], { old: '/var/two/old', new: '/var/two/new' });
    expect(one).toBe(two);
    // Without scrubbing they would differ: the paths are in the hashed text.
    expect(changesHash('major', [at('/tmp/one')])).not.toBe(changesHash('major', [at('/var/two')]));
  });

  it('differs for another bump or other changes', () => {
    expect(changesHash('minor', [CHANGE_A])).not.toBe(changesHash('major', [CHANGE_A]));
    expect(changesHash('major', [CHANGE_A])).not.toBe(changesHash('major', [CHANGE_A, CHANGE_B]));
    expect(changesHash('major', [{ ...CHANGE_A, detail: 'other words' }])).not.toBe(changesHash('major', [CHANGE_A]));
  });
});

describe('computeVerdict: the checker on two unpacked versions', () => {
  it('a parameter narrowed is major, the same on every run (fresh temp dirs each time)', async () => {
    const dir = path.join(FIXTURES, 'function-param-narrowed');
    const [prev, next] = await Promise.all([fileMap(path.join(dir, 'old')), fileMap(path.join(dir, 'new'))]);
    const first = await computeVerdict(prev, next);
    expect(first.bump).toBe('major');
    expect(first.changes).toBeGreaterThan(0);
    expect(first.changesHash).toMatch(/^[0-9a-f]{64}$/);
    const again = await computeVerdict(prev, next);
    expect(again).toEqual(first);
  }, 60_000);

  it('an optional parameter added is minor; a parameter renamed is a patch', async () => {
    for (const [fixture, bump] of [['function-optional-param-added', 'minor'], ['function-param-renamed-is-patch', 'patch']] as const) {
      const dir = path.join(FIXTURES, fixture);
      const verdict = await computeVerdict(await fileMap(path.join(dir, 'old')), await fileMap(path.join(dir, 'new')));
      expect(verdict.bump, fixture).toBe(bump);
    }
  }, 60_000);

  it('a tarball path that climbs out is refused', async () => {
    await expect(computeVerdict(new Map([['../evil.d.ts', 'export {};']]), new Map())).rejects.toMatchObject({ code: 'TEST_BAD_TARBALL' });
  });
});
