/**
 * `gopkgr fork`'s parts (cli/fork/buildGenesis.ts, node/swarmKey.ts): the
 * genesis of a private chain is an authority chain limited to its namespaces,
 * its chain id commits to all of it, and the swarm key is libp2p's
 * pre-shared key format, checked where it is read.
 */
import { describe, expect, it } from 'vitest';
import { identityOf, validateParams } from '../../ledger/index.ts';
import { chainIdOf, consensusFor } from '../../consensus/index.ts';
import { newSwarmKey, parseSwarmKey } from '../../node/index.ts';
import { buildGenesis } from '../../cli/fork/buildGenesis.ts';
import { keyPair } from '../support/chain.ts';
import { codeOf } from '../support/codeOf.ts';

const A = identityOf(keyPair('fork-a').publicKey);
const B = identityOf(keyPair('fork-b').publicKey);
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0, 789);

describe('gopkgr fork: the genesis', () => {
  it('names authority consensus, the authorities in order, the slot, and the namespaces; validates to itself', () => {
    const g = buildGenesis({ name: 'acme', namespaces: ['@acme', '@acme-tools', '@acme'], authorities: [A, B], now: NOW });
    expect(g.consensus).toEqual({ kind: 'authority', authorities: [A, B], slotMs: 2000, epochBlocks: 100, anchorDepth: 6 });
    expect(g.namespaces).toEqual(['@acme', '@acme-tools']);
    expect(g.genesisTime).toBe(Date.UTC(2026, 5, 1, 12, 0, 0));
    expect(g.parent).toBeUndefined();
    expect(validateParams(JSON.parse(JSON.stringify(g)))).toEqual(g);
    expect(consensusFor(g).kind).toBe('authority');
  });

  it('gives a chain id that changes with any part of the genesis', () => {
    const base = { name: 'acme', namespaces: ['@acme'], authorities: [A, B], now: NOW };
    const parent = { chainId: 'ab'.repeat(32), checkpoint: { height: 9, blockId: 'cd'.repeat(32), stateRoot: 'ef'.repeat(32) } };
    const ids = [
      buildGenesis(base), buildGenesis({ ...base, name: 'acme2' }), buildGenesis({ ...base, namespaces: ['@acme', '@b'] }),
      buildGenesis({ ...base, authorities: [B, A] }), buildGenesis({ ...base, slotMs: 1000 }), buildGenesis({ ...base, now: NOW + 1000 }),
      buildGenesis({ ...base, parent }),
    ].map(chainIdOf);
    expect(new Set(ids).size).toBe(ids.length);
    expect(chainIdOf(buildGenesis(base))).toBe(ids[0]);
  });

  it('refuses no namespace, a bad namespace, no authority, a bad identity', () => {
    expect(codeOf(() => buildGenesis({ name: 'acme', namespaces: [], authorities: [A], now: NOW }))).toBe('USAGE');
    expect(codeOf(() => buildGenesis({ name: 'acme', namespaces: ['acme'], authorities: [A], now: NOW }))).toBe('BAD_NAME');
    expect(codeOf(() => buildGenesis({ name: 'acme', namespaces: ['@acme'], authorities: [], now: NOW }))).toBe('USAGE');
    expect(codeOf(() => buildGenesis({ name: 'acme', namespaces: ['@acme'], authorities: ['id:12'], now: NOW }))).toBe('BAD_HEX');
    expect(codeOf(() => buildGenesis({ name: 'Acme', namespaces: ['@acme'], authorities: [A], now: NOW }))).toBe('GENESIS_INVALID');
  });
});

describe('gopkgr fork: the swarm key', () => {
  it('is libp2p\'s pre-shared key format: 95 bytes, fresh each time', () => {
    const key = newSwarmKey();
    expect(key).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}$/);
    expect(key.length).toBe(95);
    expect(newSwarmKey()).not.toBe(key);
    expect(new TextDecoder().decode(parseSwarmKey(key + '\n', 'swarm.key'))).toBe(key);
  });

  it('SWARM_KEY_INVALID: another header, a short key, not hex', () => {
    const hex = 'a'.repeat(64);
    for (const bad of [`/key/swarm/psk/2.0.0/\n/base16/\n${hex}`, `/key/swarm/psk/1.0.0/\n/base16/\n${'a'.repeat(62)}`, `/key/swarm/psk/1.0.0/\n/base16/\n${'z'.repeat(64)}`, '']) {
      expect(codeOf(() => parseSwarmKey(bad, 'swarm.key'))).toBe('SWARM_KEY_INVALID');
    }
  });
});
