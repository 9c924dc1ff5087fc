/**
 * Transactions: their shape, canonical bytes, ids, work stamps and signatures.
 *
 * A signed tx is the canonical CBOR map
 *   { v: 1, type, from: <33-byte key>, nonce, stamp, body: {...}, sig: <64 bytes>, fee?: <uint ≥ 1> }
 * `fee` is what the sender pays the block's producer; a fee of zero is written by
 * leaving the key out (so the txs signed before fees existed keep their bytes, and
 * one tx has one encoding: `fee: 0` is refused).
 * and a block reward is { v: 1, type: "reward", height, outputs: [{ to, amount }] }.
 *
 * Exact bytes:
 *   txId      = sha256(encode(tx))                           (signature included)
 *   sigDigest = sha256("gopkgr/tx/v1" || chainId || encode(tx without sig))
 *   sig       = ECDSA-secp256k1(sigDigest), compact r||s, low-S
 *   stamp     : sigDigest has at least params.txWorkBits leading zero bits
 * The chain id in the signed bytes keeps a tx from being replayed on another chain.
 *
 * Everything here is stateless; the rules that read the registry are in rules.ts.
 */
import { GopkgrError } from './errors.ts';
import { bytesEqual, decode, encode, encodingAt, knownEncoding, rememberEncoding, type Canonical } from './encoding.ts';
import { sha256, sign, verify } from './crypto.ts';
import { MAX_DEPS, MAX_DESCRIPTION_LENGTH, MAX_LOCK_ENTRIES, MAX_TX_BYTES, TX_SIGN_DOMAIN } from './constants.ts';
import { isNamespace, isPackageName, isRange, isVersion } from './names.ts';
import { isNpmName, isNpmVersion, isPlatformList, isSha512Integrity, MAX_PLATFORM_ENTRIES, PLATFORM_FIELDS } from './npmRelease.ts';

export const TX_VERSION = 1;

export interface ClaimBody { ns: string }
export interface MaintainerBody { ns: string; op: 'add' | 'remove'; who: Uint8Array }
export interface CreateBody { ns: string; name: string }
export interface PublishBody {
  pkg: Uint8Array;
  version: string;
  contentHash: Uint8Array;
  size: number;
  apiHash?: Uint8Array;
  manifest?: Canonical;
  deps: Record<string, string>;
  /** `@ns/name@version` → content hash, closed over transitive deps */
  lock: Record<string, Uint8Array>;
  /** where the release was built from: a git URL and a full commit id, both or neither */
  repo?: string;
  commit?: string;
  /** the command that built it before packing; absent when the packer's own compile is the build */
  build?: string;
  /** git's tree id of the package directory at `commit` (only with a commit): where in the repository the package is */
  sourceTree?: string;
  /** package.json's `description`: one line of printable text, searched by `GET /v1/search` */
  description?: string;
}
export interface DeprecateBody { pkg: Uint8Array; version: string; deprecated: boolean; reason?: string }
export interface BoundsBody { pkg: Uint8Array; version: string; deps: Record<string, string> }
export interface RotateBody { to: Uint8Array; proof: Uint8Array }
/**
 * A security advisory on a package (ledger/advisory.ts): the versions it
 * affects (a semver range), how bad it is, and what to do, in words. Its id is
 * the id of the tx that recorded it.
 */
export interface AdvisoryBody { pkg: Uint8Array; range: string; severity: string; text: string }
/** Move `amount` (at least 1) of the sender's balance to the identity `to`. */
export interface TransferBody { to: Uint8Array; amount: number }
export interface AttestBody {
  pkg: Uint8Array;
  version: string;
  contentHash: Uint8Array;
  lockHash: Uint8Array;
  passed: number;
  failed: number;
  skipped: number;
  resultHash: Uint8Array;
  runtimeMs: number;
  /**
   * InfVer 2.0, all four or none: the previous version (`prev`, the one
   * published right before this one) had its test files run against this
   * version's sources; its outcome counts and result hash.
   */
  prev?: string;
  prevPassed?: number;
  prevFailed?: number;
  prevResultHash?: Uint8Array;
  /**
   * InfVer, both or neither: the tester's verdict on this version, computed with
   * the checker on the chain's pinned TypeScript (params.infverTypescript) from
   * the version published right before this one to this one — the bump the API
   * change needs, and the sha256 of the canonical list of changes it found
   * (tester/attest/verdict.ts), so agreeing testers can be matched.
   */
  infver?: 'major' | 'minor' | 'patch';
  infverHash?: Uint8Array;
  /**
   * Optional: the tester rebuilt the version from its recorded repo and commit
   * (the `gopkgr verify` pipeline) and compared the packed bytes with its
   * content hash: `reproduced` (the same bytes), `differs`, or `unverifiable`
   * (the commit could not be fetched or built). Only for a version that
   * records a commit.
   */
  rebuild?: RebuildVerdict;
  /**
   * Crater (ledger/dependentRun.ts): this attestation is not of the version's
   * own tests but of the suite of `dependent` (a version of a package that
   * depends on this one directly), run with this version substituted in its
   * lock tree; `lockHash` is then the hash of that substituted lock. Not with
   * the predecessor, verdict or rebuild fields, which describe the version's own run.
   */
  dependent?: { pkg: Uint8Array; version: string };
}

/** What rebuilding a version from its recorded source gave (`gopkgr verify`'s verdict). */
export type RebuildVerdict = 'reproduced' | 'differs' | 'unverifiable';
export const REBUILD_VERDICTS: readonly RebuildVerdict[] = ['reproduced', 'differs', 'unverifiable'];

/**
 * An npm release brought onto the chain: its registry record and the sha256 of
 * its exact tarball (stored unchanged as a blob). Dependency specs are as the
 * registry gave them (ledger/npmRelease.ts).
 */
export interface ImportBody {
  /** the npm name, without the `npm:` prefix it has on chain */
  name: string;
  version: string;
  /** the registry's `dist.integrity` (sha512) */
  integrity: string;
  contentHash: Uint8Array;
  size: number;
  deps: Record<string, string>;
  optionalDeps?: Record<string, string>;
  peerDeps?: Record<string, string>;
  /** present (true) when the package has install scripts, which gopkgr never runs */
  installScripts?: true;
  /** the registry's signature of `name@version:integrity`, when it gives one */
  signature?: { keyid: string; sig: string };
  /**
   * The package.json's platform fields (`["darwin"]`, `["!win32"]`, `["x64"]`,
   * `["glibc"]`), absent when it has none: installers skip an optional
   * dependency whose fields exclude their machine, as npm does.
   */
  os?: string[];
  cpu?: string[];
  libc?: string[];
  /**
   * InfVer on npm: the bump the importer's checker found from `prev`, the
   * newest release of the package on chain below this one, to this one (absent
   * when there is none, or either has no declarations).
   */
  infver?: { prev: string; bump: 'major' | 'minor' | 'patch' };
}

/** Private chains: an authority's vote to add an identity to the authority set or remove one (ledger/authorityVote.ts). */
export interface AuthorityVoteBody { action: 'add' | 'remove'; identity: Uint8Array }
/** Private chains: two encoded headers one authority signed for one slot. */
export interface EvidenceBody { a: Uint8Array; b: Uint8Array }
/** An encoded authority header is ~180 bytes; room to spare, none for junk. */
export const MAX_EVIDENCE_HEADER_BYTES = 1024;

export interface BodyByType {
  claim: ClaimBody;
  maintainer: MaintainerBody;
  create: CreateBody;
  publish: PublishBody;
  deprecate: DeprecateBody;
  bounds: BoundsBody;
  rotate: RotateBody;
  attest: AttestBody;
  import: ImportBody;
  transfer: TransferBody;
  advisory: AdvisoryBody;
  'authority-vote': AuthorityVoteBody;
  evidence: EvidenceBody;
}
export type SignedTxType = keyof BodyByType;
export const SIGNED_TX_TYPES: readonly SignedTxType[] = ['claim', 'maintainer', 'create', 'publish', 'deprecate', 'bounds', 'rotate', 'attest', 'import', 'transfer', 'advisory', 'authority-vote', 'evidence'];

/** `fee`: absent means zero (see the header); when present it is at least 1. */
export type UnsignedTxOf<K extends SignedTxType> = { v: number; type: K; from: Uint8Array; nonce: number; stamp: number; body: BodyByType[K]; fee?: number };
export type UnsignedTx = { [K in SignedTxType]: UnsignedTxOf<K> }[SignedTxType];
export type SignedTx = UnsignedTx & { sig: Uint8Array };

export interface RewardOutput { to: Uint8Array; amount: number }
export interface RewardTx { v: number; type: 'reward'; height: number; outputs: RewardOutput[] }

export type Tx = SignedTx | RewardTx;

/** The tarball a tx records (a publish's or an npm import's), whose blob a node keeps and serves. */
export function tarballOf(tx: Tx): Uint8Array | undefined {
  return tx.type === 'publish' || tx.type === 'import' ? tx.body.contentHash : undefined;
}

/**
 * What a description may not hold: C0 and C1 controls (newlines included), DEL, and the bidirectional
 * overrides and isolates that disguise text. Exported so a publisher can clean text into what the rule takes.
 */
// eslint-disable-next-line no-control-regex
export const UNPRINTABLE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function bad(message: string): never {
  throw new GopkgrError('TX_MALFORMED', message);
}

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
}

function onlyKeys(o: Obj, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(o)) if (!allowed.includes(key)) bad(`${where} has unknown field "${key}"`);
}

function bytesField(o: Obj, key: string, len: number, where: string): Uint8Array {
  const v = o[key];
  if (!(v instanceof Uint8Array) || v.length !== len) bad(`${where}.${key} must be ${len} bytes`);
  return v;
}

function uintField(o: Obj, key: string, where: string, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) bad(`${where}.${key} must be an integer from 0 to ${max}`);
  return v;
}

function stringField(o: Obj, key: string, where: string, maxLen: number): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length > maxLen) bad(`${where}.${key} must be a string of at most ${maxLen} characters`);
  return v;
}

function optional<T>(o: Obj, key: string, read: () => T): T | undefined {
  return o[key] === undefined ? undefined : read();
}

/**
 * Only the form is checked here (33 bytes, prefix 02 or 03): decompressing the
 * point costs a square root, ~15% of a tx's import time, and a key that is not
 * on the curve can never verify a signature, so the signature check rejects it.
 */
function publicKeyField(o: Obj, key: string, where: string): Uint8Array {
  const v = bytesField(o, key, 33, where);
  if (v[0] !== 2 && v[0] !== 3) bad(`${where}.${key} is not a compressed secp256k1 public key`);
  return v;
}

function versionField(o: Obj, where: string): string {
  const v = o.version;
  if (!isVersion(v)) bad(`${where}.version must be MAJOR.MINOR.PATCH`);
  return v;
}

function rangesField(o: Obj, key: string, where: string): Record<string, string> {
  const deps = o[key];
  if (!isObj(deps)) bad(`${where}.${key} must be a map of package name to range`);
  const entries = Object.entries(deps);
  if (entries.length > MAX_DEPS) bad(`${where}.${key} has ${entries.length} entries, more than ${MAX_DEPS}`);
  for (const [name, range] of entries) {
    const slash = name.indexOf('/');
    if (slash < 0 || !isNamespace(name.slice(0, slash)) || !isPackageName(name.slice(slash + 1))) bad(`${where}.${key} names "${name}", which is not @ns/name`);
    if (!isRange(range)) bad(`${where}.${key}["${name}"] is not a semver range`);
  }
  return deps as Record<string, string>;
}

function lockField(o: Obj, where: string): Record<string, Uint8Array> {
  const lock = o.lock;
  if (!isObj(lock)) bad(`${where}.lock must be a map of @ns/name@version to content hash`);
  const entries = Object.entries(lock);
  if (entries.length > MAX_LOCK_ENTRIES) bad(`${where}.lock has ${entries.length} entries, more than ${MAX_LOCK_ENTRIES}`);
  for (const [ref, hash] of entries) {
    const at = ref.lastIndexOf('@');
    const name = at > 0 ? ref.slice(0, at) : '';
    const slash = name.indexOf('/');
    if (slash < 0 || !isNamespace(name.slice(0, slash)) || !isPackageName(name.slice(slash + 1)) || !isVersion(ref.slice(at + 1))) {
      bad(`${where}.lock key "${ref}" is not @ns/name@version`);
    }
    if (!(hash instanceof Uint8Array) || hash.length !== 32) bad(`${where}.lock["${ref}"] must be a 32-byte content hash`);
  }
  return lock as Record<string, Uint8Array>;
}

/** An npm dependency map: npm names to the spec the registry gave (ranges, tags, aliases, URLs), kept as written. */
function npmDepsField(o: Obj, key: string, where: string): Record<string, string> {
  const deps = o[key];
  if (!isObj(deps)) bad(`${where}.${key} must be a map of npm package name to version spec`);
  const entries = Object.entries(deps);
  if (entries.length > MAX_DEPS) bad(`${where}.${key} has ${entries.length} entries, more than ${MAX_DEPS}`);
  for (const [name, spec] of entries) {
    if (!isNpmName(name)) bad(`${where}.${key} names "${String(name).slice(0, 100)}", which is not an npm package name`);
    if (typeof spec !== 'string' || spec.length > 1024) bad(`${where}.${key}["${name}"] must be a version spec of at most 1024 characters`);
  }
  return deps as Record<string, string>;
}

/** The optional fields of an attestation that describe its predecessor run (InfVer 2.0). */
const PREV_FIELDS = ['prev', 'prevPassed', 'prevFailed', 'prevResultHash'] as const;
/** The optional fields of an attestation that carry its InfVer verdict. */
const VERDICT_FIELDS = ['infver', 'infverHash'] as const;
const BUMPS: readonly unknown[] = ['major', 'minor', 'patch'];

function readBody(type: SignedTxType, body: Obj): BodyByType[SignedTxType] {
  const w = 'body';
  switch (type) {
    case 'claim': {
      onlyKeys(body, ['ns'], w);
      const ns = stringField(body, 'ns', w, 40);
      return { ns };
    }
    case 'maintainer': {
      onlyKeys(body, ['ns', 'op', 'who'], w);
      const op = body.op;
      if (op !== 'add' && op !== 'remove') bad('body.op must be "add" or "remove"');
      return { ns: stringField(body, 'ns', w, 40), op, who: publicKeyField(body, 'who', w) };
    }
    case 'create': {
      onlyKeys(body, ['ns', 'name'], w);
      return { ns: stringField(body, 'ns', w, 40), name: stringField(body, 'name', w, 214) };
    }
    case 'publish': {
      onlyKeys(body, ['pkg', 'version', 'contentHash', 'size', 'apiHash', 'manifest', 'deps', 'lock', 'repo', 'commit', 'build', 'sourceTree', 'description'], w);
      const out: PublishBody = {
        pkg: bytesField(body, 'pkg', 32, w),
        version: versionField(body, w),
        contentHash: bytesField(body, 'contentHash', 32, w),
        size: uintField(body, 'size', w),
        deps: rangesField(body, 'deps', w),
        lock: lockField(body, w),
      };
      const apiHash = optional(body, 'apiHash', () => bytesField(body, 'apiHash', 32, w));
      if (apiHash !== undefined) out.apiHash = apiHash;
      if (body.manifest !== undefined) out.manifest = body.manifest as Canonical;
      const repo = optional(body, 'repo', () => stringField(body, 'repo', w, 512));
      const commit = optional(body, 'commit', () => stringField(body, 'commit', w, 64));
      const build = optional(body, 'build', () => stringField(body, 'build', w, 512));
      if ((repo === undefined) !== (commit === undefined)) bad('body.commit is required exactly when body.repo is given');
      if (commit !== undefined && !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) bad('body.commit must be a full git commit id (40 or 64 hex digits)');
      const sourceTree = optional(body, 'sourceTree', () => stringField(body, 'sourceTree', w, 64));
      if (sourceTree !== undefined && commit === undefined) bad('body.sourceTree is only allowed with body.commit');
      if (sourceTree !== undefined && !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sourceTree)) bad('body.sourceTree must be a full git tree id (40 or 64 hex digits)');
      if (repo !== undefined) out.repo = repo;
      if (commit !== undefined) out.commit = commit;
      if (build !== undefined) out.build = build;
      if (sourceTree !== undefined) out.sourceTree = sourceTree;
      const description = optional(body, 'description', () => stringField(body, 'description', w, MAX_DESCRIPTION_LENGTH));
      // Shown in terminals and pages: no control or bidirectional-override characters; absent rather than empty (one encoding).
      if (description !== undefined && (description.trim() === '' || UNPRINTABLE_CHARS.test(description))) {
        bad('body.description must be one line of printable text (no control or bidirectional-override characters), or absent');
      }
      if (description !== undefined) out.description = description;
      return out;
    }
    case 'deprecate': {
      onlyKeys(body, ['pkg', 'version', 'deprecated', 'reason'], w);
      if (typeof body.deprecated !== 'boolean') bad('body.deprecated must be a boolean');
      const out: DeprecateBody = { pkg: bytesField(body, 'pkg', 32, w), version: versionField(body, w), deprecated: body.deprecated };
      const reason = optional(body, 'reason', () => stringField(body, 'reason', w, 1024));
      if (reason !== undefined) out.reason = reason;
      return out;
    }
    case 'bounds': {
      onlyKeys(body, ['pkg', 'version', 'deps'], w);
      return { pkg: bytesField(body, 'pkg', 32, w), version: versionField(body, w), deps: rangesField(body, 'deps', w) };
    }
    case 'rotate': {
      onlyKeys(body, ['to', 'proof'], w);
      return { to: publicKeyField(body, 'to', w), proof: bytesField(body, 'proof', 64, w) };
    }
    case 'import': {
      onlyKeys(body, ['name', 'version', 'integrity', 'contentHash', 'size', 'deps', 'optionalDeps', 'peerDeps', 'installScripts', 'signature', 'infver', ...PLATFORM_FIELDS], w);
      if (!isNpmName(body.name)) bad('body.name must be an npm package name (lowercase, at most 214 characters, an optional @scope/)');
      if (!isNpmVersion(body.version)) bad('body.version must be a SemVer 2.0 version');
      if (!isSha512Integrity(body.integrity)) bad('body.integrity must be "sha512-" and the base64 of 64 bytes');
      const out: ImportBody = {
        name: body.name,
        version: body.version,
        integrity: body.integrity,
        contentHash: bytesField(body, 'contentHash', 32, w),
        size: uintField(body, 'size', w),
        deps: npmDepsField(body, 'deps', w),
      };
      const optionalDeps = optional(body, 'optionalDeps', () => npmDepsField(body, 'optionalDeps', w));
      const peerDeps = optional(body, 'peerDeps', () => npmDepsField(body, 'peerDeps', w));
      if (optionalDeps !== undefined) out.optionalDeps = optionalDeps;
      if (peerDeps !== undefined) out.peerDeps = peerDeps;
      if (body.installScripts !== undefined) {
        if (body.installScripts !== true) bad('body.installScripts is true or absent');
        out.installScripts = true;
      }
      if (body.signature !== undefined) {
        const sig = body.signature;
        if (!isObj(sig)) bad('body.signature must be a map {keyid, sig}');
        onlyKeys(sig, ['keyid', 'sig'], 'body.signature');
        out.signature = { keyid: stringField(sig, 'keyid', 'body.signature', 200), sig: stringField(sig, 'sig', 'body.signature', 400) };
      }
      if (body.infver !== undefined) {
        const v = body.infver;
        if (!isObj(v)) bad('body.infver must be a map {prev, bump}');
        onlyKeys(v, ['prev', 'bump'], 'body.infver');
        if (!isNpmVersion(v.prev)) bad('body.infver.prev must be a SemVer 2.0 version');
        if (!BUMPS.includes(v.bump)) bad('body.infver.bump must be "major", "minor" or "patch"');
        out.infver = { prev: v.prev, bump: v.bump as 'major' | 'minor' | 'patch' };
      }
      for (const field of PLATFORM_FIELDS) {
        const list = body[field];
        if (list === undefined) continue;
        if (!isPlatformList(list)) bad(`body.${field} must be a list of 1 to ${MAX_PLATFORM_ENTRIES} entries of 1 to 32 characters a-z 0-9 _ ! - (absent when the release has none)`);
        out[field] = [...list];
      }
      return out;
    }
    case 'attest': {
      onlyKeys(body, ['pkg', 'version', 'contentHash', 'lockHash', 'passed', 'failed', 'skipped', 'resultHash', 'runtimeMs', ...PREV_FIELDS, ...VERDICT_FIELDS, 'rebuild', 'dependent'], w);
      const out: AttestBody = {
        pkg: bytesField(body, 'pkg', 32, w),
        version: versionField(body, w),
        contentHash: bytesField(body, 'contentHash', 32, w),
        lockHash: bytesField(body, 'lockHash', 32, w),
        passed: uintField(body, 'passed', w, 1_000_000),
        failed: uintField(body, 'failed', w, 1_000_000),
        skipped: uintField(body, 'skipped', w, 1_000_000),
        resultHash: bytesField(body, 'resultHash', 32, w),
        runtimeMs: uintField(body, 'runtimeMs', w, 24 * 3600 * 1000),
      };
      // The predecessor run is described completely or not at all.
      const given = PREV_FIELDS.filter((k) => body[k] !== undefined).length;
      if (given !== 0 && given !== PREV_FIELDS.length) bad(`body.${PREV_FIELDS.join('/')} must be given all together or not at all`);
      if (given === PREV_FIELDS.length) {
        const prev = body.prev;
        if (!isVersion(prev)) bad('body.prev must be MAJOR.MINOR.PATCH');
        out.prev = prev;
        out.prevPassed = uintField(body, 'prevPassed', w, 1_000_000);
        out.prevFailed = uintField(body, 'prevFailed', w, 1_000_000);
        out.prevResultHash = bytesField(body, 'prevResultHash', 32, w);
      }
      // The verdict is a bump and the hash of the changes behind it, or absent.
      const verdict = VERDICT_FIELDS.filter((k) => body[k] !== undefined).length;
      if (verdict !== 0 && verdict !== VERDICT_FIELDS.length) bad(`body.${VERDICT_FIELDS.join('/')} must be given together or not at all`);
      if (verdict === VERDICT_FIELDS.length) {
        if (!BUMPS.includes(body.infver)) bad('body.infver must be "major", "minor" or "patch"');
        out.infver = body.infver as 'major' | 'minor' | 'patch';
        out.infverHash = bytesField(body, 'infverHash', 32, w);
      }
      // A rebuild verdict is one of three words, or absent.
      if (body.rebuild !== undefined) {
        if (!(REBUILD_VERDICTS as readonly unknown[]).includes(body.rebuild)) bad(`body.rebuild must be ${REBUILD_VERDICTS.map((v) => `"${v}"`).join(', ')}`);
        out.rebuild = body.rebuild as RebuildVerdict;
      }
      // Crater: a dependent run names its dependent and describes nothing of the version's own run.
      if (body.dependent !== undefined) {
        const d = body.dependent;
        if (!isObj(d)) bad('body.dependent must be a map {pkg, version}');
        onlyKeys(d, ['pkg', 'version'], 'body.dependent');
        if (given !== 0 || verdict !== 0 || body.rebuild !== undefined) bad('body.dependent excludes the prev*, infver* and rebuild fields');
        out.dependent = { pkg: bytesField(d, 'pkg', 32, 'body.dependent'), version: versionField(d, 'body.dependent') };
      }
      return out;
    }
    case 'advisory': {
      // Only the form here: the range, severity and text length are rules with codes of their own (ledger/advisory.ts).
      onlyKeys(body, ['pkg', 'range', 'severity', 'text'], w);
      return {
        pkg: bytesField(body, 'pkg', 32, w),
        range: stringField(body, 'range', w, 1024),
        severity: stringField(body, 'severity', w, 64),
        text: stringField(body, 'text', w, 16 * 1024),
      };
    }
    case 'authority-vote': {
      onlyKeys(body, ['action', 'identity'], w);
      if (body.action !== 'add' && body.action !== 'remove') bad('body.action must be "add" or "remove"');
      return { action: body.action, identity: publicKeyField(body, 'identity', w) };
    }
    case 'evidence': {
      onlyKeys(body, ['a', 'b'], w);
      const header = (key: 'a' | 'b'): Uint8Array => {
        const v = body[key];
        if (!(v instanceof Uint8Array) || v.length === 0 || v.length > MAX_EVIDENCE_HEADER_BYTES) bad(`${w}.${key} must be an encoded header of 1 to ${MAX_EVIDENCE_HEADER_BYTES} bytes`);
        return v;
      };
      return { a: header('a'), b: header('b') };
    }
    case 'transfer': {
      onlyKeys(body, ['to', 'amount'], w);
      const to = publicKeyField(body, 'to', w);
      const amount = uintField(body, 'amount', w);
      // A transfer of nothing would only burn a nonce and a block's room.
      if (amount === 0) bad('body.amount must be at least 1');
      return { to, amount };
    }
  }
}

/** Check the shape of a decoded tx and return it typed. Throws TX_MALFORMED. */
export function readTx(value: Canonical): Tx {
  if (!isObj(value)) bad('a tx must be a map');
  if (value.v !== TX_VERSION) bad(`tx.v must be ${TX_VERSION}`);
  if (value.type === 'reward') {
    onlyKeys(value, ['v', 'type', 'height', 'outputs'], 'tx');
    const height = uintField(value, 'height', 'tx');
    const outputs = value.outputs;
    if (!Array.isArray(outputs) || outputs.length === 0 || outputs.length > 10_000) bad('tx.outputs must be a non-empty list');
    return {
      v: TX_VERSION,
      type: 'reward',
      height,
      outputs: outputs.map((o, i) => {
        if (!isObj(o)) bad(`tx.outputs[${i}] must be a map`);
        onlyKeys(o, ['to', 'amount'], `tx.outputs[${i}]`);
        return { to: publicKeyField(o, 'to', `tx.outputs[${i}]`), amount: uintField(o, 'amount', `tx.outputs[${i}]`) };
      }),
    };
  }
  const type = value.type as SignedTxType;
  // (typeof, not String(): a decoded map such as {toString: 1} cannot be turned into a string)
  if (!SIGNED_TX_TYPES.includes(type)) bad(`tx.type ${typeof value.type === 'string' ? `"${value.type.slice(0, 40)}"` : `(a ${typeof value.type})`} is not a transaction kind`);
  onlyKeys(value, ['v', 'type', 'from', 'nonce', 'stamp', 'body', 'sig', 'fee'], 'tx');
  const body = value.body;
  if (!isObj(body)) bad('tx.body must be a map');
  const tx = {
    v: TX_VERSION,
    type,
    from: publicKeyField(value, 'from', 'tx'),
    nonce: uintField(value, 'nonce', 'tx'),
    stamp: uintField(value, 'stamp', 'tx', 0xffffffff),
    body: readBody(type, body),
    sig: bytesField(value, 'sig', 64, 'tx'),
  } as SignedTx;
  if (value.fee !== undefined) {
    const fee = uintField(value, 'fee', 'tx');
    // One tx, one encoding: a zero fee is the absent key.
    if (fee === 0) bad('tx.fee must be at least 1; a fee of zero is written by leaving the key out');
    tx.fee = fee;
  }
  return tx;
}

/** What a signed tx pays its block's producer (0 when it names no fee). */
export function feeOf(tx: SignedTx | UnsignedTx): number {
  return tx.fee ?? 0;
}

export function encodeTx(tx: Tx | UnsignedTx): Uint8Array {
  return encode(tx as unknown as Canonical);
}

export function decodeTx(bytes: Uint8Array): Tx {
  if (bytes.length > MAX_TX_BYTES) throw new GopkgrError('TX_TOO_LARGE', `tx is ${bytes.length} bytes, more than ${MAX_TX_BYTES}`);
  const tx = readTx(decode(bytes));
  // readTx keeps every field (it rejects unknown ones), so the canonical bytes are the tx's encoding.
  rememberEncoding(tx as unknown as Canonical, bytes);
  rememberPartEncodings(tx, bytes);
  return tx;
}

/**
 * Given `bytes`, the canonical encoding of `tx`: record the encodings of its
 * parts that are encoded again on their own (a publish's API manifest: hashed,
 * priced and stored), cut from those bytes rather than encoded a second time.
 */
export function rememberPartEncodings(tx: Tx, bytes: Uint8Array): void {
  if (tx.type !== 'publish' || typeof tx.body.manifest !== 'object' || tx.body.manifest === null) return;
  const manifest = encodingAt(bytes, ['body', 'manifest']);
  if (manifest !== undefined) rememberEncoding(tx.body.manifest, manifest);
}

export function txId(encoded: Uint8Array): Uint8Array {
  return sha256(encoded);
}

const DOMAIN = new TextEncoder().encode(TX_SIGN_DOMAIN);

function unsignedOf(tx: SignedTx | UnsignedTx): UnsignedTx {
  const { sig: _sig, ...unsigned } = tx as SignedTx;
  return unsigned as UnsignedTx;
}

/**
 * A signed tx's canonical map starts `v`, then `fee` when it has one, then `sig`
 * (keys sort by their encoded bytes: 61 76 < 63 66 65 65 < 63 73 69 67 < 64 …):
 * these are its first bytes, with the header of a 7-entry map (8 with a fee),
 * when `v` is a small integer.
 */
const SIG_ENTRY = Uint8Array.of(0x63, 0x73, 0x69, 0x67, 0x58, 0x40);
const FEE_KEY = Uint8Array.of(0x63, 0x66, 0x65, 0x65);
const V_ENTRY_BYTES = 3;
const SIG_ENTRY_BYTES = SIG_ENTRY.length + 64;

/** Bytes of a canonical CBOR unsigned integer that starts with `head` (major type 0), or 0 when it is not one. */
function uintBytes(head: number): number {
  if (head < 24) return 1;
  return ({ 24: 2, 25: 3, 26: 5, 27: 9 } as Record<number, number>)[head] ?? 0;
}

/**
 * The unsigned tx's encoding cut from the signed one's, when the signed tx's
 * encoding is known (it was decoded): the same map without the `sig` entry.
 * Saves encoding every tx of a block a second time.
 */
function unsignedBytesOf(tx: SignedTx | UnsignedTx): Uint8Array | undefined {
  if (!('sig' in tx)) return undefined;
  const signed = knownEncoding(tx as unknown as Canonical);
  if (signed === undefined || (signed[0] !== 0xa7 && signed[0] !== 0xa8) || signed[1] !== 0x61 || signed[2] !== 0x76 || signed[3]! >= 24) return undefined;
  // Everything before the `sig` entry: the v entry, and the fee entry when the map has 8 entries.
  let before = 1 + V_ENTRY_BYTES;
  if (signed[0] === 0xa8) {
    if (!bytesEqual(signed.subarray(before, before + FEE_KEY.length), FEE_KEY)) return undefined;
    const n = uintBytes(signed[before + FEE_KEY.length]!);
    if (n === 0) return undefined;
    before += FEE_KEY.length + n;
  }
  if (!bytesEqual(signed.subarray(before, before + SIG_ENTRY.length), SIG_ENTRY)) return undefined;
  const out = new Uint8Array(signed.length - SIG_ENTRY_BYTES);
  out[0] = signed[0] - 1;
  out.set(signed.subarray(1, before), 1);
  out.set(signed.subarray(before + SIG_ENTRY_BYTES), before);
  return out;
}

/** The bytes a signature covers (hashed with sha256 by the signature scheme). */
export function signingMessage(tx: SignedTx | UnsignedTx, chainId: Uint8Array): Uint8Array {
  const body = unsignedBytesOf(tx) ?? encodeTx(unsignedOf(tx));
  const msg = new Uint8Array(DOMAIN.length + chainId.length + body.length);
  msg.set(DOMAIN, 0);
  msg.set(chainId, DOMAIN.length);
  msg.set(body, DOMAIN.length + chainId.length);
  return msg;
}

export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** Find a stamp so that the signing digest has `workBits` leading zeros, then sign. */
export function signTx(unsigned: Omit<UnsignedTx, 'stamp' | 'v'> & { v?: number }, secretKey: Uint8Array, chainId: Uint8Array, workBits: number): SignedTx {
  const tx = { ...unsigned, v: TX_VERSION, stamp: 0 } as UnsignedTx;
  // A zero fee is the absent key (one tx, one encoding).
  if (tx.fee === 0 || tx.fee === undefined) delete tx.fee;
  for (;;) {
    const msg = signingMessage(tx, chainId);
    if (leadingZeroBits(sha256(msg)) >= workBits) return { ...tx, sig: sign(msg, secretKey) } as SignedTx;
    tx.stamp++;
    if (tx.stamp > 0xffffffff) throw new GopkgrError('TX_STAMP_FAILED', 'no work stamp found');
  }
}

export interface SignatureCheck {
  message: Uint8Array;
  sig: Uint8Array;
  publicKey: Uint8Array;
}

/** The stateless checks of a signed tx other than the signature itself: its work stamp. */
export function checkStamp(tx: SignedTx, chainId: Uint8Array, workBits: number): SignatureCheck {
  const message = signingMessage(tx, chainId);
  if (workBits > 0 && leadingZeroBits(sha256(message)) < workBits) {
    throw new GopkgrError('TX_BAD_STAMP', `tx work stamp has fewer than ${workBits} leading zero bits`);
  }
  return { message, sig: tx.sig, publicKey: tx.from };
}

/** Stamp and signature of a signed tx. Throws TX_BAD_STAMP / TX_BAD_SIGNATURE. */
export function checkTxSignature(tx: SignedTx, chainId: Uint8Array, workBits: number): void {
  const check = checkStamp(tx, chainId, workBits);
  if (!verify(check.sig, check.message, check.publicKey)) throw new GopkgrError('TX_BAD_SIGNATURE', 'tx signature does not verify against tx.from');
}

export function isRewardTx(tx: Tx): tx is RewardTx {
  return tx.type === 'reward';
}
