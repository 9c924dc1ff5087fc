/**
 * Chain parameters (ledger/params.ts): the InfVer pin `infverTypescript` is
 * optional, kept exactly when given (an absent key encodes differently, and the
 * chain id follows the encoding), and refused with GENESIS_INVALID when it is
 * not an exact version.
 */
import { describe, expect, it } from 'vitest';
import { DEV_PARAMS, encode, GopkgrError, validateParams, type Canonical } from '../../ledger/index.ts';
import { chainIdOf } from '../../consensus/index.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof GopkgrError ? `${err.code}: ${err.message}` : String(err);
  }
  return 'accepted';
}

describe('chain params: infverTypescript', () => {
  it('the dev params validate to themselves, the pin included', () => {
    expect(validateParams(JSON.parse(JSON.stringify(DEV_PARAMS)))).toEqual(DEV_PARAMS);
    expect(DEV_PARAMS.infverTypescript).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('a genesis without the pin stays without it, so the chains made before it keep their ids', () => {
    const { infverTypescript: _pin, ...unpinned } = DEV_PARAMS;
    const read = validateParams(JSON.parse(JSON.stringify(unpinned)));
    expect('infverTypescript' in read).toBe(false);
    expect(encode(read as unknown as Canonical)).toEqual(encode(unpinned as unknown as Canonical));
    expect(chainIdOf(read)).not.toBe(chainIdOf(DEV_PARAMS));
  });

  it('a pre-release TypeScript can be pinned too', () => {
    expect(validateParams({ ...DEV_PARAMS, infverTypescript: '6.0.0-beta' }).infverTypescript).toBe('6.0.0-beta');
  });

  for (const bad of ['5.9', '^5.9.3', '~5.9.3', 'latest', '', ' 5.9.3', '05.9.3', 5.9, null]) {
    it(`GENESIS_INVALID: infverTypescript ${JSON.stringify(bad)}`, () => {
      expect(codeOf(() => validateParams({ ...DEV_PARAMS, infverTypescript: bad }))).toBe(
        'GENESIS_INVALID: chain parameter "infverTypescript" must be an exact TypeScript version (MAJOR.MINOR.PATCH)',
      );
    });
  }
});

describe('chain params: a private chain\'s namespaces and parent', () => {
  const parent = { chainId: 'ab'.repeat(32), checkpoint: { height: 12, blockId: 'cd'.repeat(32), stateRoot: 'ef'.repeat(32) } };

  it('keeps namespaces and parent as written, and the chain id commits to both', () => {
    const read = validateParams(JSON.parse(JSON.stringify({ ...DEV_PARAMS, namespaces: ['@acme'], parent })));
    expect(read.namespaces).toEqual(['@acme']);
    expect(read.parent).toEqual(parent);
    const ids = new Set([
      chainIdOf(read), chainIdOf({ ...read, namespaces: ['@acme', '@beta'] }), chainIdOf({ ...read, parent: { ...parent, checkpoint: { ...parent.checkpoint, height: 13 } } }), chainIdOf(DEV_PARAMS),
    ]);
    expect(ids.size).toBe(4);
  });

  for (const bad of [[], ['acme'], ['@Acme'], ['@acme', '@acme'], '@acme']) {
    it(`GENESIS_INVALID: namespaces ${JSON.stringify(bad)}`, () => {
      expect(codeOf(() => validateParams({ ...DEV_PARAMS, namespaces: bad }))).toBe('GENESIS_INVALID: chain parameter "namespaces" must list distinct namespaces (@name)');
    });
  }

  it('GENESIS_INVALID: a parent without a hex chain id, or a checkpoint without its fields', () => {
    expect(codeOf(() => validateParams({ ...DEV_PARAMS, parent: { chainId: 'xyz' } }))).toMatch(/^GENESIS_INVALID: chain parameter "parent.chainId"/);
    expect(codeOf(() => validateParams({ ...DEV_PARAMS, parent: { ...parent, checkpoint: { height: 1 } } }))).toMatch(/^GENESIS_INVALID: chain parameter "parent.checkpoint"/);
  });
});
