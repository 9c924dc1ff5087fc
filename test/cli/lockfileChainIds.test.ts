/**
 * Chain ids in a lockfile without a gopkgr.json (cli/install/nextLockfile.ts
 * nextLockfile): a tree whose packages came from more than one chain (an @acme
 * package and its public dependency, both through one private node, each answer
 * naming its chain) records each entry's chain id; a tree of one chain records
 * none, as it always did.
 */
import { describe, expect, it } from 'vitest';
import { nextLockfile } from '../../cli/install/nextLockfile.ts';
import type { IndexVersion } from '../../resolver/index.ts';

const PRIVATE = 'a'.repeat(64);
const PUBLIC = 'b'.repeat(64);

const version = (v: string, deps: Record<string, string> = {}): IndexVersion => ({ version: v, contentHash: v.replace(/\./g, '').padEnd(64, 'c'), deps, deprecated: false });

function lockOf(views: Map<string, object>) {
  const selected = new Map([['@acme/app', version('1.0.0', { '@pub/lib': '^1.0.0' })], ['@pub/lib', version('1.2.0')]]);
  return nextLockfile({
    solution: { selected, requiredBy: new Map() },
    index: new Map([...selected].map(([name, v]) => [name, [v]])),
    sources: new Map([...selected.keys()].map((name) => [name, 'http://127.0.0.1:7400'])),
    chains: {},
    router: undefined,
    lock: undefined,
    added: { '@acme/app': '^1.0.0' },
    npmTree: { nodes: new Map(), missing: [], skippedOptional: [], unsupported: [], otherPlatform: [], peerIssues: [] },
    views,
  });
}

describe('lockfile chain ids of a tree spanning chains', () => {
  it('records each entry\'s chain when the answers name two chains', () => {
    const lock = lockOf(new Map([['@acme/app', { chainId: PRIVATE }], ['@pub/lib', { chainId: PUBLIC }]]));
    expect(lock.packages['@acme/app']!.chainId).toBe(PRIVATE);
    expect(lock.packages['@pub/lib']!.chainId).toBe(PUBLIC);
  });

  it('records none for a tree of one chain, or answers that name none', () => {
    const one = lockOf(new Map([['@acme/app', { chainId: PUBLIC }], ['@pub/lib', { chainId: PUBLIC }]]));
    expect(Object.values(one.packages).map((p) => p.chainId)).toEqual([undefined, undefined]);
    const none = lockOf(new Map([['@acme/app', {}], ['@pub/lib', { chainId: 'not hex' }]]));
    expect(Object.values(none.packages).map((p) => p.chainId)).toEqual([undefined, undefined]);
  });
});
