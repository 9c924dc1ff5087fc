/**
 * npm releases on chain (ledger/npmRelease.ts): names, versions, and the
 * platform fields (`os`, `cpu`, `libc`) an `import` records — the valid lists
 * accepted and each invalid one refused (TX_MALFORMED), npm's matching rules,
 * and a node refusing a tarball whose package.json says otherwise
 * (NPM_TARBALL_MISMATCH, node/npmTarball.ts) on the recorded fsevents and
 * chokidar tarballs.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isNpmName, isNpmVersion, isPlatformList, platformListAllows, platformMismatch, platformOfManifest, type Machine } from '../../ledger/npmRelease.ts';
import { applySignedTx, decodeTx, DEV_PARAMS, encodeTx, fromHex, sha256Hex, stateKeys, type ImportBody } from '../../ledger/index.ts';
import { chainIdOf } from '../../consensus/index.ts';
import { checkNpmTarball } from '../../node/npmTarball.ts';
import { actor, hashOf, keyPair, overlay, rejectsWith, txContext } from '../support/chain.ts';
import { codeOf } from '../support/codeOf.ts';
import { NPM_FIXTURES } from '../support/npmRegistry.ts';

describe('npm names and versions on chain', () => {
  it('takes the names npm takes today and refuses the rest', () => {
    for (const ok of ['zod', '@types/node', 'lodash.merge', 'a-b_c~d', '@s/x.y']) expect(isNpmName(ok), ok).toBe(true);
    for (const no of ['Zod', '.x', '_x', '@s', '@s/', 'a/b', 'a b', '']) expect(isNpmName(no), no).toBe(false);
    for (const ok of ['1.0.0', '1.0.0-rc.1', '1.0.0+sha.1', '0.0.0-0']) expect(isNpmVersion(ok), ok).toBe(true);
    for (const no of ['1.0', '01.0.0', '1.0.0-01', 'v1.0.0', '1.0.0-']) expect(isNpmVersion(no), no).toBe(false);
  });
});

const CHAIN_ID = fromHex(chainIdOf(DEV_PARAMS));
const release = (extra: Record<string, unknown> = {}): ImportBody => ({
  name: 'fsevents', version: '2.3.3', integrity: `sha512-${createHash('sha512').update('x').digest('base64')}`, contentHash: hashOf('x'), size: 1, deps: {}, ...extra,
} as ImportBody);

describe('import platform fields: os, cpu, libc (TX_MALFORMED)', () => {
  const carol = actor(keyPair('carol'), CHAIN_ID);
  /** the body as a node reads it back, or the code it refuses it with */
  const decoded = (extra: Record<string, unknown>): ImportBody | string => {
    let body: ImportBody | undefined;
    const code = codeOf(() => { body = (decodeTx(encodeTx(carol.peek('import', release(extra)))) as { body: ImportBody }).body; });
    return code ?? body!;
  };

  it('records the lists npm writes, negations included, and shows them in the release state', () => {
    const fields = { os: ['darwin', '!win32'], cpu: ['x64', 'arm64'], libc: ['glibc'] };
    expect(decoded(fields)).toMatchObject(fields);
    expect(decoded({})).not.toHaveProperty('os');
    const s = overlay();
    const tx = carol.peek('import', release(fields));
    applySignedTx(s, tx, txContext(CHAIN_ID, tx));
    expect(s.get(stateKeys.npmRelease('fsevents', '2.3.3'))).toMatchObject(fields);
  });

  it('TX_MALFORMED: an empty list, a non-list, a long or odd entry, too many entries', () => {
    expect(decoded({ os: Array.from({ length: 32 }, (_, i) => `os${i}`), cpu: ['x'.repeat(32)] })).not.toBe('TX_MALFORMED');
    for (const bad of [[], 'darwin', [7], ['Darwin'], ['dar win'], ['x'.repeat(33)], [''], ['a/b'], Array.from({ length: 33 }, (_, i) => `os${i}`)]) {
      for (const field of ['os', 'cpu', 'libc']) expect(decoded({ [field]: bad }), `${field} ${JSON.stringify(bad)}`).toBe('TX_MALFORMED');
    }
    expect(isPlatformList(['linux', '!win32', 'mips64el', 'any'])).toBe(true);
  });
});

describe("npm's platform matching", () => {
  const linux: Machine = { platform: 'linux', arch: 'x64', libc: 'glibc' };
  const darwin: Machine = { platform: 'darwin', arch: 'arm64' };

  it('a list of allowed values, `!value` to exclude, only negations allow the rest, ["any"] allows all', () => {
    expect(platformListAllows(['darwin'], 'darwin')).toBe(true);
    expect(platformListAllows(['darwin'], 'linux')).toBe(false);
    expect(platformListAllows(['!win32'], 'linux')).toBe(true);
    expect(platformListAllows(['!win32'], 'win32')).toBe(false);
    expect(platformListAllows(['!win32', '!darwin'], 'linux')).toBe(true);
    expect(platformListAllows(['linux', '!win32'], 'darwin')).toBe(false);
    expect(platformListAllows(['any'], 'aix')).toBe(true);
    expect(platformListAllows(['glibc'], undefined)).toBe(false);
  });

  it('os and cpu on every machine, libc on linux only', () => {
    expect(platformMismatch({ os: ['darwin'] }, linux)).toBe('os darwin excludes linux');
    expect(platformMismatch({ os: ['darwin'] }, darwin)).toBeUndefined();
    expect(platformMismatch({ os: ['!win32'], cpu: ['x64'] }, linux)).toBeUndefined();
    expect(platformMismatch({ cpu: ['x64'] }, darwin)).toBe('cpu x64 excludes arm64');
    expect(platformMismatch({ cpu: ['!arm64'] }, darwin)).toBe('cpu !arm64 excludes arm64');
    expect(platformMismatch({ libc: ['musl'] }, linux)).toBe('libc musl excludes glibc');
    expect(platformMismatch({ libc: ['musl'] }, { ...linux, libc: 'musl' })).toBeUndefined();
    expect(platformMismatch({ libc: ['musl'] }, darwin)).toBeUndefined();
    expect(platformMismatch({ libc: ['glibc'] }, { platform: 'linux', arch: 'x64' })).toBe('libc glibc excludes an unknown libc');
    expect(platformMismatch({}, linux)).toBeUndefined();
  });

  it("reads a machine's libc only for a release that lists libc (finding it costs the CLI a process report)", () => {
    let reads = 0;
    const lazy = { platform: 'linux', arch: 'x64', get libc(): string {
      reads++;
      return 'glibc';
    } };
    expect(platformMismatch({ os: ['linux'], cpu: ['x64'] }, lazy)).toBeUndefined();
    expect(platformMismatch({}, lazy)).toBeUndefined();
    expect(reads).toBe(0);
    expect(platformMismatch({ libc: ['musl'] }, lazy)).toBe('libc musl excludes glibc');
    expect(reads).toBe(1);
  });

  it("reads a package.json's fields as the chain records them", () => {
    expect(platformOfManifest({ os: 'darwin', cpu: [], libc: null })).toEqual({ os: ['darwin'] });
    expect(platformOfManifest({ os: ['darwin'], cpu: ['x64'] })).toEqual({ os: ['darwin'], cpu: ['x64'] });
  });
});

describe("a node checks the recorded platform fields against the tarball's package.json (NPM_TARBALL_MISMATCH)", () => {
  const bodyOf = (name: string, version: string, bytes: Uint8Array, extra: Record<string, unknown>): ImportBody => ({
    name, version, integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`, contentHash: fromHex(sha256Hex(bytes)), size: bytes.length, deps: {}, ...extra,
  } as ImportBody);
  const tarball = (file: string): Promise<Uint8Array> => readFile(path.join(NPM_FIXTURES, 'tarballs', file));

  it('fsevents 2.3.3 is recorded with os ["darwin"], and only so', async () => {
    const bytes = await tarball('fsevents-2.3.3.tgz');
    await checkNpmTarball(bytes, bodyOf('fsevents', '2.3.3', bytes, { os: ['darwin'] }));
    await rejectsWith(checkNpmTarball(bytes, bodyOf('fsevents', '2.3.3', bytes, {})), 'NPM_TARBALL_MISMATCH');
    await rejectsWith(checkNpmTarball(bytes, bodyOf('fsevents', '2.3.3', bytes, { os: ['linux'] })), 'NPM_TARBALL_MISMATCH');
    await rejectsWith(checkNpmTarball(bytes, bodyOf('fsevents', '2.3.3', bytes, { os: ['darwin'], cpu: ['x64'] })), 'NPM_TARBALL_MISMATCH');
  });

  it('chokidar 3.6.0 has no platform fields, so none may be recorded', async () => {
    const bytes = await tarball('chokidar-3.6.0.tgz');
    await checkNpmTarball(bytes, bodyOf('chokidar', '3.6.0', bytes, {}));
    const err = await rejectsWith(checkNpmTarball(bytes, bodyOf('chokidar', '3.6.0', bytes, { os: ['linux'] })), 'NPM_TARBALL_MISMATCH');
    expect(err.message).toMatch(/has os null in its package\.json, the import records \["linux"\]/);
  });
});
