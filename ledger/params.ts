/**
 * Chain parameters and the genesis header. The genesis header's txRoot is the
 * sha256 of the canonical encoding of the parameters, so the chain id (the
 * genesis block id) commits to every parameter: two chains with different rules
 * can never share an id. The genesis seal is the consensus's (consensus/
 * genesisBlock, chainIdOf).
 */
import type { NpmKey } from './npmRelease.ts';
import { GopkgrError } from './errors.ts';
import { encode, type Canonical } from './encoding.ts';
import { sha256 } from './crypto.ts';
import { BLOCK_VERSION, ZERO_HASH, type BlockHeader, type Seal } from './block.ts';

/**
 * A consensus other than proof of work, named in the genesis (DESIGN.md "Consensus
 * is a part of its own"). The ledger keeps it as written; consensus/ reads it.
 * Absent: proof of work, its parameters the flat fields below (so the chains
 * made before consensus had a name keep their ids).
 */
export interface ConsensusParams {
  kind: string;
  [field: string]: Canonical;
}

export interface ChainParams {
  name: string;
  /** Target time between blocks. */
  blockTimeMs: number;
  /** Easiest allowed target (hex, 64 digits). */
  powLimit: string;
  /** First block's target (hex, 64 digits). */
  initialTarget: string;
  /** Blocks whose times steer the next target. */
  retargetWindow: number;
  /** Miner's reward per block and a tester's per included attestation. */
  minerReward: number;
  testerReward: number;
  /**
   * InfVer 2.0: how many testers must agree (same predecessor result hash) that
   * the previous version's tests fail against a new version before the chain
   * marks that version breaking by inference.
   */
  breakQuorum: number;
  /** Leading zero bits each tx's signing digest must have (anti-spam stamp). */
  txWorkBits: number;
  genesisTime: number;
  /**
   * InfVer: the TypeScript version (exact, MAJOR.MINOR.PATCH) testers' checkers
   * compute their verdicts with. Two checkers on different TypeScript releases
   * may disagree on a bump, so a tester on any other release attests no verdict.
   * Absent: the chain pins no checker and accepts no verdicts (the chains made
   * before verdicts existed keep their ids).
   */
  infverTypescript?: string;
  /**
   * npm imports: the registry keys (as /-/npm/v1/keys serves them) whose
   * signature an `import` must carry. Absent: imports need no signature (a dev
   * or private chain importing from a registry that does not sign).
   */
  npmKeys?: NpmKey[];
  consensus?: ConsensusParams;
  /**
   * Private chains (`gopkgr fork`): the only namespaces a claim may name. Absent:
   * any namespace (the public chain).
   */
  namespaces?: string[];
  /**
   * Private chains: the public chain this one was forked beside, and the public
   * block it had reached then (the checkpoint is recorded for people). Its chain
   * id is genesis's anchor; blocks' anchors and lock entries naming public
   * versions are judged against it (consensus/authority/anchor.ts, publicLock.ts).
   */
  parent?: ParentChain;
  /**
   * Chain trustees (identities, `id:<hex>`): besides a namespace's maintainers,
   * they may record advisories on any package and amend the bounds of any
   * version, as the PureScript registry's trustees do. Absent: none.
   */
  trustees?: string[];
}

export interface ParentChain {
  chainId: string;
  checkpoint?: { height: number; blockId: string; stateRoot: string };
  [field: string]: Canonical | undefined;
}

/** A local development chain: trivial work, fast blocks. */
export const DEV_PARAMS: ChainParams = {
  name: 'gopkgr-dev',
  blockTimeMs: 1000,
  powLimit: '0fff' + 'f'.repeat(60),
  initialTarget: '0fff' + 'f'.repeat(60),
  retargetWindow: 20,
  minerReward: 50,
  testerReward: 100,
  breakQuorum: 2,
  txWorkBits: 4,
  genesisTime: Date.UTC(2026, 0, 1),
  // The typescript release package.json pins (~5.9.3, installed 5.9.3); test/ledger/params.test.ts checks they match.
  infverTypescript: '5.9.3',
};

export function validateParams(p: unknown): ChainParams {
  const o = p as Record<string, unknown>;
  const fail = (field: string, what: string): never => {
    throw new GopkgrError('GENESIS_INVALID', `chain parameter "${field}" ${what}`);
  };
  if (typeof o !== 'object' || o === null) fail('(root)', 'must be an object');
  if (typeof o.name !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(o.name)) fail('name', 'must be a short lowercase name');
  for (const k of ['blockTimeMs', 'retargetWindow', 'minerReward', 'testerReward', 'breakQuorum', 'txWorkBits', 'genesisTime'] as const) {
    if (typeof o[k] !== 'number' || !Number.isSafeInteger(o[k]) || (o[k] as number) < 0) fail(k, 'must be a non-negative integer');
  }
  if ((o.blockTimeMs as number) < 1 || (o.retargetWindow as number) < 1) fail('blockTimeMs/retargetWindow', 'must be at least 1');
  if ((o.breakQuorum as number) < 1) fail('breakQuorum', 'must be at least 1');
  if ((o.txWorkBits as number) > 24) fail('txWorkBits', 'must be at most 24');
  for (const k of ['powLimit', 'initialTarget'] as const) {
    if (typeof o[k] !== 'string' || !/^[0-9a-f]{64}$/.test(o[k] as string)) fail(k, 'must be 64 lowercase hex digits');
  }
  if (BigInt('0x' + o.initialTarget) > BigInt('0x' + o.powLimit)) fail('initialTarget', 'must not exceed powLimit');
  if (o.infverTypescript !== undefined && (typeof o.infverTypescript !== 'string' || !/^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})(-[0-9A-Za-z.-]{1,40})?$/.test(o.infverTypescript))) {
    fail('infverTypescript', 'must be an exact TypeScript version (MAJOR.MINOR.PATCH)');
  }
  const npmKeys = o.npmKeys;
  if (npmKeys !== undefined) {
    if (!Array.isArray(npmKeys) || npmKeys.length === 0 || npmKeys.length > 16) fail('npmKeys', 'must be a list of 1 to 16 keys');
    for (const k of npmKeys as unknown[]) {
      const key = k as Record<string, unknown>;
      if (typeof k !== 'object' || k === null || Object.keys(key).sort().join() !== 'key,keyid' || typeof key.keyid !== 'string' || key.keyid.length > 200
        || typeof key.key !== 'string' || !/^[A-Za-z0-9+/]{40,400}={0,2}$/.test(key.key)) fail('npmKeys', 'entries must be {keyid, key} with key the base64 of a public key');
    }
  }
  const consensus = o.consensus;
  if (consensus !== undefined) {
    if (typeof consensus !== 'object' || consensus === null || Array.isArray(consensus) || consensus instanceof Uint8Array) fail('consensus', 'must be an object');
    const kind = (consensus as Record<string, unknown>).kind;
    if (typeof kind !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(kind)) fail('consensus.kind', 'must be a short lowercase name');
  }
  const namespaces = o.namespaces;
  if (namespaces !== undefined) {
    if (!Array.isArray(namespaces) || namespaces.length === 0 || namespaces.length > 1000
      || !namespaces.every((n) => typeof n === 'string' && /^@[a-z0-9][a-z0-9-]{0,63}$/.test(n)) || new Set(namespaces).size !== namespaces.length) {
      fail('namespaces', 'must list distinct namespaces (@name)');
    }
  }
  const parent = o.parent as Record<string, unknown> | undefined;
  if (parent !== undefined) {
    if (typeof parent !== 'object' || parent === null || typeof parent.chainId !== 'string' || !/^[0-9a-f]{64}$/.test(parent.chainId)) fail('parent.chainId', 'must be 64 lowercase hex digits');
    const cp = parent.checkpoint as Record<string, unknown> | undefined;
    if (cp !== undefined && (typeof cp !== 'object' || cp === null || typeof cp.height !== 'number' || !Number.isSafeInteger(cp.height) || cp.height < 0
      || typeof cp.blockId !== 'string' || !/^[0-9a-f]{64}$/.test(cp.blockId) || typeof cp.stateRoot !== 'string' || !/^[0-9a-f]{64}$/.test(cp.stateRoot))) {
      fail('parent.checkpoint', 'must be {height, blockId, stateRoot} (hex ids)');
    }
  }
  const trustees = o.trustees;
  if (trustees !== undefined) {
    if (!Array.isArray(trustees) || trustees.length === 0 || trustees.length > 64
      || !trustees.every((t) => typeof t === 'string' && /^id:0[23][0-9a-f]{64}$/.test(t)) || new Set(trustees).size !== trustees.length) {
      fail('trustees', 'must list 1 to 64 distinct identities (id:<compressed key hex>)');
    }
  }
  return {
    name: o.name as string,
    blockTimeMs: o.blockTimeMs as number,
    powLimit: o.powLimit as string,
    initialTarget: o.initialTarget as string,
    retargetWindow: o.retargetWindow as number,
    minerReward: o.minerReward as number,
    testerReward: o.testerReward as number,
    breakQuorum: o.breakQuorum as number,
    txWorkBits: o.txWorkBits as number,
    genesisTime: o.genesisTime as number,
    ...(o.infverTypescript !== undefined ? { infverTypescript: o.infverTypescript as string } : {}),
    ...(npmKeys !== undefined ? { npmKeys: npmKeys as NpmKey[] } : {}),
    // Only when given: an absent key and a present one encode differently, and the chain id follows the encoding.
    ...(consensus !== undefined ? { consensus: consensus as ConsensusParams } : {}),
    ...(namespaces !== undefined ? { namespaces: namespaces as string[] } : {}),
    ...(parent !== undefined ? { parent: parent as ParentChain } : {}),
    ...(trustees !== undefined ? { trustees: trustees as string[] } : {}),
  };
}

/**
 * A private chain (`gopkgr fork`): sealed by authorities or limited to some
 * namespaces. Its node needs the swarm key for libp2p and a token on every
 * HTTP request.
 */
export function isPrivateChain(params: ChainParams): boolean {
  return params.consensus?.kind === 'authority' || params.namespaces !== undefined;
}

/** Whether a key (public key hex) is one of the chain's trustees (genesis `trustees`). */
export function isTrustee(params: ChainParams, pubHex: string): boolean {
  return params.trustees?.includes(`id:${pubHex}`) === true;
}

/** The genesis header with the consensus's genesis seal: its txRoot commits to every parameter. */
export function genesisHeader<S extends Seal>(params: ChainParams, seal: S): BlockHeader<S> {
  return {
    v: BLOCK_VERSION,
    height: 0,
    parent: ZERO_HASH,
    txRoot: sha256(encode(params as unknown as Canonical)),
    time: params.genesisTime,
    seal,
  };
}
