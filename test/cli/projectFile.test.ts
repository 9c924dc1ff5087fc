/**
 * gopkgr.json (cli/project/projectFile.ts) and the router's choice of registry
 * (cli/project/registryRouter.ts), in process: a valid file is read as written,
 * each malformed field is PROJECT_FILE_INVALID naming that field, and names
 * route by namespace, tag and catch-all with the codes of the routing rules.
 */
import { describe, expect, it } from 'vitest';
import { GopkgrError } from '../../ledger/index.ts';
import { parseProjectFile } from '../../cli/project/projectFile.ts';
import { RegistryRouter } from '../../cli/project/registryRouter.ts';
import { codeOf } from '../support/codeOf.ts';

const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);
const valid = {
  registries: [
    { name: 'acme', node: 'http://127.0.0.1:7400/', chainId: A, namespaces: ['@acme'], tokenEnv: 'ACME_GOPKGR_TOKEN' },
    { name: 'public', node: 'http://127.0.0.1:7357', chainId: B },
  ],
  overrides: { '@x/deep': '^2.1.0', '@x/pinned': `sha256:${A}`, '@x/local': 'file:../local', '@x/patched': `git+https://example.com/x.git#${'c'.repeat(40)}` },
};
const parse = (raw: unknown): ReturnType<typeof parseProjectFile> => parseProjectFile(raw, 'gopkgr.json', '/p/app');
const messageOf = (raw: unknown): string => {
  try {
    parse(raw);
  } catch (err) {
    if (err instanceof GopkgrError && err.code === 'PROJECT_FILE_INVALID') return err.message;
    throw err;
  }
  throw new Error('no error');
};
const withRegistry = (i: number, patch: Record<string, unknown>): unknown => ({ registries: valid.registries.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

describe('gopkgr.json', () => {
  it('reads a valid file: registries in order, trailing slash dropped, default timeout, each override kind', () => {
    const p = parse(valid);
    expect(p.registries.map((r) => [r.name, r.node, r.namespaces ?? null])).toEqual([['acme', 'http://127.0.0.1:7400', ['@acme']], ['public', 'http://127.0.0.1:7357', null]]);
    expect(p.registries[0]!.timeoutMs).toBe(30_000);
    expect([...p.overrides.values()].map((o) => o.kind)).toEqual(['range', 'hash', 'file', 'git']);
    expect(p.overrides.get('@x/local')).toMatchObject({ dir: '/p/local' });
  });

  it.each([
    [withRegistry(0, { chainId: 'A1' }), 'registries[0].chainId'],
    [withRegistry(0, { node: 'ftp://x' }), 'registries[0].node'],
    [withRegistry(1, { name: 'acme' }), 'registries[1].name'],
    [withRegistry(0, { namespaces: ['acme'] }), 'registries[0].namespaces[0]'],
    [withRegistry(0, { namespaces: [] }), 'registries[0].namespaces'],
    [withRegistry(0, { namespaces: undefined }), 'registries[1].namespaces'],
    [withRegistry(1, { namespaces: ['@acme'] }), 'registries[1].namespaces[0]'],
    [withRegistry(0, { tokenEnv: 'A-B' }), 'registries[0].tokenEnv'],
    [withRegistry(0, { timeoutMs: 5 }), 'registries[0].timeoutMs'],
    [withRegistry(0, { extra: 1 }), 'registries[0].extra'],
    [{ registries: {} }, 'registries must be an array'],
    [{ overrides: { '@x/a': 'git+https://h/x.git#main' } }, 'overrides["@x/a"]'],
    [{ overrides: { '@x/a': 'sha256:abc' } }, 'overrides["@x/a"]'],
    [{ overrides: { 'left-pad': '^1' } }, 'overrides["left-pad"]'],
    [{ overrides: { '@x/a': 'not a range' } }, 'overrides["@x/a"]'],
    [{ other: 1 }, '"other"'],
    [[], 'must be a JSON object'],
  ])('refuses %j naming %s', (raw, field) => {
    expect(messageOf(raw)).toContain(field);
  });
});

describe('routing names to registries', () => {
  const { registries } = parse(valid);
  it('sends a namespace to its owner only, anything else to the registry without namespaces', () => {
    const router = new RegistryRouter(registries);
    expect(router.registryFor('@acme/secret').name).toBe('acme');
    expect(router.registryFor('@other/x').name).toBe('public');
  });

  it('lets a tag pick a registry for an unowned name, never for an owned one, and never an unknown one', () => {
    const router = new RegistryRouter(registries, { '@other/x': 'acme', '@acme/secret': 'public', '@other/y': 'nowhere', '@acme/ok': 'acme' });
    expect(router.registryFor('@other/x').name).toBe('acme');
    expect(router.registryFor('@acme/ok').name).toBe('acme');
    expect(codeOf(() => router.registryFor('@acme/secret'))).toBe('CHAIN_TAG_CONFLICT');
    expect(codeOf(() => router.registryFor('@other/y'))).toBe('CHAIN_TAG_UNKNOWN');
  });

  it('REGISTRY_NONE when every registry lists namespaces and none owns the name', () => {
    const router = new RegistryRouter([registries[0]!]);
    expect(codeOf(() => router.registryFor('@other/x'))).toBe('REGISTRY_NONE');
  });

  it('sends a registry its tokenEnv\'s token, and the fallback token to one without tokenEnv', () => {
    const router = new RegistryRouter(registries, {}, 'fallback', { ACME_GOPKGR_TOKEN: 'acme-token' });
    expect(router.clientOf(registries[0]!)).toMatchObject({ token: 'acme-token' });
    expect(router.clientOf(registries[1]!)).toMatchObject({ token: 'fallback' });
  });
});
