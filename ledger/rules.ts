/**
 * The registry state machine: one function per transaction kind, each check
 * commented with its rule, cheap checks first. Pure and deterministic: state comes
 * in through a StateOverlay, the block context is passed in, nothing reads a clock,
 * randomness or storage. Signatures and work stamps are checked before (tx.ts),
 * because they need no state and can run in parallel.
 */
import semver from 'semver';
import { GopkgrError, type ErrorCode } from './errors.ts';
import { bytesEqual, encode, encodeOnce, toHex, type Canonical } from './encoding.ts';
import { isNamespace, isPackageName, bumpBetween, bumpVersion } from './names.ts';
import { compareVersions, newestVersion, predecessorOf, stepBase } from './versionLine.ts';
import { npmChainName, npmSignatureValid } from './npmRelease.ts';
import { keys, getAccount, type AccountState, type AttestationState, type Misversioned, type NamespaceState, type NpmReleaseState, type PackageState, type StateOverlay, type VersionState } from './state.ts';
import { feeOf, type AttestBody, type BoundsBody, type ClaimBody, type CreateBody, type DeprecateBody, type ImportBody, type MaintainerBody, type PublishBody, type RewardTx, type RotateBody, type SignedTx, type TransferBody, type Tx } from './tx.ts';
import { ROTATE_SIGN_DOMAIN } from './constants.ts';
import { lockHash } from './lockHash.ts';
import { sha256, verify } from './crypto.ts';
import { BlockCostMeter } from './blockCost.ts';
import { isTrustee, type ChainParams } from './params.ts';
import { applyAdvisory } from './advisory.ts';
import { reindexTokens } from './searchTokens.ts';
import { applyDependentRun } from './dependentRun.ts';
import { attestationRecord } from './attestationRecord.ts';
import { checkParentLockEntry, isParentName, type ParentLedger } from './publicLock.ts';
import { applyAuthorityVote, applyEpochBoundary, applyEvidence, epochBlocksOf, isEpochBoundary, type EquivocationCheck } from './authorityVote.ts';

export interface TxContext {
  params: ChainParams;
  chainId: Uint8Array;
  height: number;
  /** id of the block being applied ("" while a tx waits in the mempool) */
  blockId: string;
  txId: string;
  /**
   * A private chain forked beside a public one: the public versions its lock entries may name, at the block's
   * anchor (ledger/publicLock.ts). Absent: lock entries outside the chain's namespaces are not on chain.
   */
  parent?: ParentLedger;
}

function reject(code: ErrorCode, message: string): never {
  throw new GopkgrError(code, message);
}

function namespaceOf(s: StateOverlay, ns: string): NamespaceState {
  const state = s.get(keys.namespace(ns)) as NamespaceState | undefined;
  if (state === undefined) throw new GopkgrError('TX_UNKNOWN_NAMESPACE', `namespace ${ns} has not been claimed`, { hint: `claim it first: \`gopkgr namespace claim ${ns}\`` });
  return state;
}

function packageOf(s: StateOverlay, pkg: Uint8Array): PackageState {
  const state = s.get(keys.pkg(toHex(pkg))) as PackageState | undefined;
  if (state === undefined) reject('TX_UNKNOWN_PACKAGE', `no package has id ${toHex(pkg)}`);
  return state;
}

function versionOf(s: StateOverlay, pkg: PackageState, version: string): VersionState {
  const state = s.get(keys.version(pkg.id, version)) as VersionState | undefined;
  if (state === undefined) reject('TX_UNKNOWN_VERSION', `${pkg.ns}/${pkg.name}@${version} has not been published`);
  return state;
}

function isMaintainer(ns: NamespaceState, who: string): boolean {
  return ns.owner === who || ns.maintainers.includes(who);
}

function requireMaintainer(ns: NamespaceState, who: string, action: string): void {
  if (!isMaintainer(ns, who)) {
    throw new GopkgrError('TX_NOT_MAINTAINER', `id:${who} is not a maintainer of ${ns.ns} and cannot ${action}`, {
      hint: `ask the owner of ${ns.ns} to run \`gopkgr maintainer add ${ns.ns} id:${who}\``,
    });
  }
}

function addOwned(s: StateOverlay, who: string, ns: string): void {
  const list = (s.get(keys.owned(who)) as string[] | undefined) ?? [];
  if (!list.includes(ns)) s.set(keys.owned(who), [...list, ns].sort());
}

function removeOwned(s: StateOverlay, who: string, ns: string): void {
  const list = ((s.get(keys.owned(who)) as string[] | undefined) ?? []).filter((n) => n !== ns);
  if (list.length === 0) s.delete(keys.owned(who));
  else s.set(keys.owned(who), list);
}

function applyClaim(s: StateOverlay, from: string, body: ClaimBody, ctx: TxContext): void {
  // Rule: a namespace is @ + lowercase letters, digits and dashes.
  if (!isNamespace(body.ns)) reject('TX_BAD_NAME', `"${body.ns}" is not a valid namespace`);
  // Rule (private chains): only the namespaces the genesis names may be claimed; the rest belong to the public chain.
  if (ctx.params.namespaces !== undefined && !ctx.params.namespaces.includes(body.ns)) {
    reject('TX_NAMESPACE_NOT_IN_GENESIS', `namespace ${body.ns} is not one this chain's genesis names (${ctx.params.namespaces.join(', ')})`);
  }
  // Rule: first come, first served.
  if (s.get(keys.namespace(body.ns)) !== undefined) reject('TX_NAME_TAKEN', `namespace ${body.ns} is already claimed`);
  s.set(keys.namespace(body.ns), { ns: body.ns, owner: from, maintainers: [], height: ctx.height, txId: ctx.txId });
  addOwned(s, from, body.ns);
}

function applyMaintainer(s: StateOverlay, from: string, body: MaintainerBody): void {
  const ns = namespaceOf(s, body.ns);
  // Rule: only the namespace's owner changes its maintainers.
  if (ns.owner !== from) reject('TX_NOT_OWNER', `only the owner of ${body.ns} can change its maintainers`);
  const who = toHex(body.who);
  if (body.op === 'add') {
    if (isMaintainer(ns, who)) reject('TX_ALREADY_MAINTAINER', `id:${who} already maintains ${body.ns}`);
    s.set(keys.namespace(body.ns), { ...ns, maintainers: [...ns.maintainers, who].sort() });
    addOwned(s, who, body.ns);
  } else {
    // Rule: the owner stays; ownership moves only by key rotation.
    if (who === ns.owner) reject('TX_CANNOT_REMOVE_OWNER', `id:${who} owns ${body.ns} and cannot be removed`);
    if (!ns.maintainers.includes(who)) reject('TX_NOT_A_MAINTAINER', `id:${who} is not a maintainer of ${body.ns}`);
    s.set(keys.namespace(body.ns), { ...ns, maintainers: ns.maintainers.filter((m) => m !== who) });
    removeOwned(s, who, body.ns);
  }
}

function applyCreate(s: StateOverlay, from: string, body: CreateBody, ctx: TxContext): void {
  if (!isPackageName(body.name)) reject('TX_BAD_NAME', `"${body.name}" is not a valid package name`);
  const ns = namespaceOf(s, body.ns);
  // Rule: packages are created inside a namespace by its owner or maintainers.
  requireMaintainer(ns, from, `create packages in ${body.ns}`);
  const full = `${body.ns}/${body.name}`;
  if (s.get(keys.name(full)) !== undefined) reject('TX_PACKAGE_EXISTS', `package ${full} already exists`);
  // The package's permanent id is the id of the tx that created it.
  s.set(keys.pkg(ctx.txId), { id: ctx.txId, ns: body.ns, name: body.name, creator: from, height: ctx.height, versions: [] });
  s.set(keys.name(full), ctx.txId);
  s.set(keys.bareName(body.name, body.ns), ctx.txId);
}

/** Hashes of manifests by the identity of the (immutable) value: a tx applied again hashes its manifest once. */
const manifestHashes = new WeakMap<object, Uint8Array>();

/** The hash the chain records for an API manifest (sha256 of its canonical encoding). */
export function manifestHash(manifest: Canonical): Uint8Array {
  if (typeof manifest !== 'object' || manifest === null) return sha256(encode(manifest));
  let hash = manifestHashes.get(manifest);
  if (hash === undefined) manifestHashes.set(manifest, (hash = sha256(encodeOnce(manifest))));
  return hash;
}

function applyPublish(s: StateOverlay, from: string, body: PublishBody, ctx: TxContext, hooks: RuleHooks): void {
  const pkg = packageOf(s, body.pkg);
  const ns = namespaceOf(s, pkg.ns);
  const full = `${pkg.ns}/${pkg.name}`;
  // Rule: only maintainers of the package's namespace publish into it.
  requireMaintainer(ns, from, `publish ${full}`);
  // Rule: a version is immutable; it is published once.
  if (pkg.versions.includes(body.version)) reject('TX_VERSION_EXISTS', `${full}@${body.version} is already published`);
  // Rule (InfVer): every version has an API manifest, so the step of the next one can be checked: carried
  // in the tx, or named by its apiHash alone when the chain already holds it (an API that did not change).
  let manifest = body.manifest;
  if (manifest === undefined) {
    manifest = body.apiHash === undefined ? undefined : (s.get(keys.api(toHex(body.apiHash))) as Canonical | undefined);
    if (manifest === undefined) reject('TX_MANIFEST_MISSING', `${full}@${body.version} carries no API manifest, and the chain holds none with its apiHash`);
  } else {
    // Rule: the manifest hash is the hash of that manifest.
    if (body.apiHash === undefined || !bytesEqual(body.apiHash, manifestHash(manifest))) {
      reject('TX_API_HASH_MISMATCH', `apiHash of ${full}@${body.version} is not the hash of its manifest`);
    }
    // Rule (InfVer): the manifest is well formed.
    hooks.checkManifest?.(manifest);
  }
  const base = stepBase(pkg.versions, body.version);
  if (base === undefined) {
    // Rule: the first version is 1.0.0.
    if (body.version !== '1.0.0') reject('TX_BAD_VERSION', `the first version of ${full} must be 1.0.0, not ${body.version}`);
  } else {
    // Rule: a new version is exactly one step above the newest of its major line (a patch or minor on an
    // older line after a newer major exists), or one major step above the newest version of all.
    const bump = bumpBetween(base, body.version);
    if (bump === null) reject('TX_BAD_VERSION', `${body.version} is not one major, minor or patch step above ${full}@${base}, the newest version it can follow`);
    // Rule (InfVer): the step is at least what the two API manifests prove (an export removed: major; one
    // added: minor). The exact bump is the publisher's checker's; testers recompute it and attest.
    const prev = versionOf(s, pkg, base);
    const prevManifest = prev.apiHash === undefined ? undefined : (s.get(keys.api(prev.apiHash)) as Canonical | undefined);
    const least = hooks.minimumBump(prevManifest, manifest);
    if (least !== null && BUMP_RANK[bump] < BUMP_RANK[least.bump]) {
      const newest = newestVersion(pkg.versions)!;
      // A major step is taken only from the newest version: an older line's next major already exists.
      const fix = least.bump === 'major' && base !== newest
        ? `a major step from the ${base.split('.')[0]}.x line is refused (${bumpVersion(base, 'major')} exists): publish the break on top of ${newest}`
        : `publish ${bumpVersion(base, least.bump)}`;
      reject('TX_VERSION_MISMATCH', `${full}@${body.version} is a ${bump} step, but ${least.reason} since ${base}, which needs at least a ${least.bump} step: ${fix}`);
    }
  }
  // Rule: every lock entry names a published version with that content hash.
  const lock: Record<string, string> = {};
  for (const [ref, hash] of Object.entries(body.lock)) {
    // Rule (private chains): an entry outside the chain's namespaces names a public version at or below the anchor.
    if (isParentName(ctx.params, ref)) {
      checkParentLockEntry(ref, toHex(hash), ctx.parent);
      lock[ref] = toHex(hash);
      continue;
    }
    const at = ref.lastIndexOf('@');
    const depId = s.get(keys.name(ref.slice(0, at))) as string | undefined;
    const dep = depId === undefined ? undefined : (s.get(keys.version(depId, ref.slice(at + 1))) as VersionState | undefined);
    if (dep === undefined) reject('TX_LOCK_UNKNOWN', `lock entry ${ref} is not on chain`);
    if (dep.contentHash !== toHex(hash)) reject('TX_LOCK_HASH_MISMATCH', `lock entry ${ref} has content hash ${toHex(hash)}, the chain has ${dep.contentHash}`);
    lock[ref] = toHex(hash);
  }
  hooks.checkLock?.(s, body, ctx.parent, ctx.params);
  const version: VersionState = {
    version: body.version,
    contentHash: toHex(body.contentHash),
    size: body.size,
    deps: body.deps,
    publishedDeps: body.deps,
    lock,
    deprecated: false,
    publisher: from,
    height: ctx.height,
    block: ctx.blockId,
    txId: ctx.txId,
    bounds: [],
    attestations: [],
  };
  // The manifest is kept once per hash: versions whose API did not change share it.
  version.apiHash = toHex(body.apiHash!);
  if (s.get(keys.api(version.apiHash)) === undefined) s.set(keys.api(version.apiHash), manifest);
  if (body.repo !== undefined) version.repo = body.repo;
  if (body.commit !== undefined) version.commit = body.commit;
  if (body.build !== undefined) version.build = body.build;
  if (body.sourceTree !== undefined) version.sourceTree = body.sourceTree;
  if (body.description !== undefined) version.description = body.description;
  s.set(keys.version(pkg.id, body.version), version);
  s.set(keys.pkg(pkg.id), { ...pkg, versions: [...pkg.versions, body.version] });
  // The search index follows the newest version's API (searchTokens.ts): a patch on an older line leaves it.
  const prevNewest = newestVersion(pkg.versions);
  if (prevNewest === undefined || compareVersions(body.version, prevNewest) > 0) {
    const prev = prevNewest === undefined ? undefined : versionOf(s, pkg, prevNewest);
    const prevManifest = prev?.apiHash === undefined ? undefined : (s.get(keys.api(prev.apiHash)) as Canonical | undefined);
    reindexTokens(s, full, pkg.id, { manifest: prevManifest, description: prev?.description }, { manifest, description: body.description });
  }
}


function applyDeprecate(s: StateOverlay, from: string, body: DeprecateBody): void {
  const pkg = packageOf(s, body.pkg);
  requireMaintainer(namespaceOf(s, pkg.ns), from, `deprecate ${pkg.ns}/${pkg.name}`);
  const version = versionOf(s, pkg, body.version);
  // Rule: deprecation is one-way; a deprecated version never becomes undeprecated.
  if (!body.deprecated) reject('TX_UNDEPRECATE', `${pkg.ns}/${pkg.name}@${body.version} cannot be undeprecated: deprecation is permanent`);
  if (version.deprecated) reject('TX_ALREADY_DEPRECATED', `${pkg.ns}/${pkg.name}@${body.version} is already deprecated`);
  const next: VersionState = { ...version, deprecated: true };
  if (body.reason !== undefined) next.deprecationReason = body.reason;
  s.set(keys.version(pkg.id, body.version), next);
}

function applyBounds(s: StateOverlay, from: string, body: BoundsBody, ctx: TxContext): void {
  const pkg = packageOf(s, body.pkg);
  // Rule: only maintainers of the namespace, or a chain trustee, amend a version's bounds.
  const ns = namespaceOf(s, pkg.ns);
  if (!isTrustee(ctx.params, from)) requireMaintainer(ns, from, `amend bounds of ${pkg.ns}/${pkg.name}`);
  const version = versionOf(s, pkg, body.version);
  // Rule: bounds edit ranges of dependencies the version already has; content never changes.
  for (const dep of Object.keys(body.deps)) {
    if (!(dep in version.deps)) reject('TX_BOUNDS_UNKNOWN_DEP', `${pkg.ns}/${pkg.name}@${body.version} has no dependency ${dep}`);
  }
  if (Object.keys(body.deps).length === 0) reject('TX_BOUNDS_EMPTY', 'a bounds edit must name at least one dependency');
  s.set(keys.version(pkg.id, body.version), {
    ...version,
    deps: { ...version.deps, ...body.deps },
    bounds: [...version.bounds, { deps: body.deps, by: from, height: ctx.height, txId: ctx.txId }],
  });
}

/** The bytes a new key signs to accept a rotation: domain || chainId || old key || new key || nonce (8 bytes, big-endian). */
export function rotationMessage(chainId: Uint8Array, oldKey: Uint8Array, newKey: Uint8Array, nonce: number): Uint8Array {
  const domain = new TextEncoder().encode(ROTATE_SIGN_DOMAIN);
  const out = new Uint8Array(domain.length + 32 + 33 + 33 + 8);
  out.set(domain, 0);
  out.set(chainId, domain.length);
  out.set(oldKey, domain.length + 32);
  out.set(newKey, domain.length + 65);
  new DataView(out.buffer).setBigUint64(domain.length + 98, BigInt(nonce));
  return out;
}

function applyRotate(s: StateOverlay, tx: SignedTx & { body: RotateBody }, from: string, account: AccountState, ctx: TxContext): void {
  const to = toHex(tx.body.to);
  if (to === from) reject('TX_ROTATE_SAME_KEY', 'a key cannot be rotated to itself');
  // Rule: the new key proves possession by signing the rotation.
  if (!verify(tx.body.proof, rotationMessage(ctx.chainId, tx.from, tx.body.to, tx.nonce), tx.body.to)) {
    reject('TX_BAD_ROTATE_PROOF', 'the new key did not sign this rotation');
  }
  // Rule: the new history extends the old one: the new key has no history of its own.
  const target = s.get(keys.account(to)) as AccountState | undefined;
  if (target !== undefined || s.get(keys.owned(to)) !== undefined) reject('TX_ROTATE_TARGET_USED', `id:${to} already has a history on chain`);
  // The new key continues the old key's nonce sequence and takes its balance and names.
  s.set(keys.account(to), { nonce: account.nonce, balance: account.balance, rotatedFrom: from });
  s.set(keys.account(from), { nonce: account.nonce, balance: 0, rotatedTo: to });
  const owned = (s.get(keys.owned(from)) as string[] | undefined) ?? [];
  for (const name of owned) {
    const ns = s.get(keys.namespace(name)) as NamespaceState;
    s.set(keys.namespace(name), {
      ...ns,
      owner: ns.owner === from ? to : ns.owner,
      maintainers: ns.maintainers.map((m) => (m === from ? to : m)).sort(),
    });
  }
  if (owned.length > 0) {
    s.set(keys.owned(to), owned);
    s.delete(keys.owned(from));
  }
}

/** Every key `key`'s identity has had: itself, then the keys it was rotated from, newest first. */
function keysOf(s: StateOverlay, key: string): string[] {
  const out = [key];
  for (let k = getAccount(s, key).rotatedFrom; k !== undefined && !out.includes(k); k = getAccount(s, k).rotatedFrom) out.push(k);
  return out;
}

function applyTransfer(s: StateOverlay, from: string, account: AccountState, body: TransferBody): void {
  const to = toHex(body.to);
  // Rule: a transfer moves balance to someone else.
  if (to === from) reject('TX_TRANSFER_TO_SELF', `id:${from.slice(0, 16)}… cannot transfer to itself`);
  const target = getAccount(s, to);
  // Rule: a rotated-away key signs nothing more, so what it received could never be spent: refused, naming its successor.
  if (target.rotatedTo !== undefined) {
    throw new GopkgrError('TX_TRANSFER_TO_ROTATED', `id:${to.slice(0, 16)}… was rotated away to id:${target.rotatedTo}`, { hint: `send to id:${target.rotatedTo}` });
  }
  // Rule: the sender's balance (after the fee) covers the amount.
  if (account.balance < body.amount) reject('TX_INSUFFICIENT_BALANCE', `id:${from.slice(0, 16)}… has ${account.balance} after the fee and cannot transfer ${body.amount}`);
  s.set(keys.account(from), { ...account, balance: account.balance - body.amount });
  s.set(keys.account(to), { ...target, balance: target.balance + body.amount });
}

function applyAttest(s: StateOverlay, from: string, body: AttestBody, ctx: TxContext): void {
  const pkg = packageOf(s, body.pkg);
  const version = versionOf(s, pkg, body.version);
  const full = `${pkg.ns}/${pkg.name}@${body.version}`;
  // Rule: an attestation is bound to the content it tested.
  if (version.contentHash !== toHex(body.contentHash)) reject('TX_ATTEST_HASH_MISMATCH', `attestation's content hash does not match ${full}`);
  // Crater: a run of a dependent's suite with this version substituted has rules of its own (dependentRun.ts).
  if (body.dependent !== undefined) return applyDependentRun(s, from, body, pkg, version, ctx, { keysOf, isMaintainer, payTesters });
  // Rule: an attestation is bound to the dependency tree it tested (the version's lock).
  if (!bytesEqual(body.lockHash, lockHash(version.lock))) reject('TX_ATTEST_LOCK_MISMATCH', `attestation's lock hash does not match the lock tree of ${full}`);
  // Rule: one attestation per tester per version, under any key the tester's identity has had.
  const identity = keysOf(s, from);
  const earlier = version.attestations.find((a) => identity.includes(a.tester));
  if (earlier !== undefined) reject('TX_DUPLICATE_ATTESTATION', `id:${from} already attested ${full}${earlier.tester === from ? '' : ` as id:${earlier.tester}, the key it rotated from`}`);
  // Rule (InfVer 2.0): a predecessor run names the version this one stepped from (versionLine.ts).
  const before = predecessorOf(pkg.versions, body.version);
  if (body.prev !== undefined && body.prev !== before) {
    reject('TX_ATTEST_BAD_PREV', before === undefined
      ? `${full} is the first version: it has no predecessor whose tests could run against it, but the attestation names ${body.prev}`
      : `the attestation ran the tests of ${body.prev}, but ${full} stepped from ${before}`);
  }
  // Rule (InfVer): a verdict judges the step from the version stepped from; a first version took none.
  if (body.infver !== undefined && before === undefined) {
    reject('TX_ATTEST_VERDICT_NO_PREV', `${full} is the first version: there is no step from a previous version to judge, but the attestation carries a ${body.infver} verdict`);
  }
  // Rule (InfVer): verdicts are comparable only from one pinned checker; a chain that pins none takes none.
  if (body.infver !== undefined && ctx.params.infverTypescript === undefined) {
    reject('TX_ATTEST_VERDICT_UNPINNED', `the chain pins no TypeScript for InfVer verdicts (genesis infverTypescript), so the attestation of ${full} cannot carry one`);
  }
  // Rule: a rebuild verdict judges a rebuild from the recorded source; a version that records no commit has none to rebuild from.
  if (body.rebuild !== undefined && version.commit === undefined) {
    reject('TX_ATTEST_REBUILD_NO_COMMIT', `${full} records no commit to rebuild from, but the attestation says it was ${body.rebuild === 'unverifiable' ? 'unverifiable' : body.rebuild}`);
  }
  const attestation = attestationRecord(from, body, ctx);
  if (body.prev !== undefined) {
    attestation.prev = { version: body.prev, passed: body.prevPassed!, failed: body.prevFailed!, resultHash: toHex(body.prevResultHash!) };
  }
  if (body.infver !== undefined) attestation.infver = { bump: body.infver, changesHash: toHex(body.infverHash!) };
  if (body.rebuild !== undefined) attestation.rebuild = body.rebuild;
  const attestations = payTesters(s, [...version.attestations, attestation], namespaceOf(s, pkg.ns), identity.includes(version.publisher), ctx);
  const next: VersionState = { ...version, attestations };
  // Rule (InfVer 2.0): when breakQuorum attestations report that the predecessor's
  // tests fail against this version, all with the same predecessor result hash
  // (so they saw the same failures), the version is breaking by inference. Set
  // once; later attestations never clear or change it.
  if (version.breakingByInference === undefined && attestation.prev !== undefined && attestation.prev.failed > 0) {
    const hash = attestation.prev.resultHash;
    const agreeing = attestations.filter((a) => a.prev !== undefined && a.prev.failed > 0 && a.prev.resultHash === hash);
    if (agreeing.length >= ctx.params.breakQuorum) {
      next.breakingByInference = { prev: attestation.prev.version, resultHash: hash, testers: agreeing.map((a) => a.tester), height: ctx.height };
    }
  }
  const misversioned = version.misversioned === undefined && before !== undefined ? misversionedBy(attestations, attestation, before, body.version, ctx) : undefined;
  if (misversioned !== undefined) next.misversioned = misversioned;
  s.set(keys.version(pkg.id, body.version), next);
}

/**
 * Rule (rewards): a tester earns `testerReward` for an attestation only when
 *  - the tester is not the version's publisher and does not own or maintain its
 *    namespace at the time it attests (status `own-namespace`, never paid; such
 *    an attestation is kept and shown but does not count as agreement either, so
 *    a maintainer cannot confirm a sock puppet's result);
 *  - at least one other such tester's attestation of the same version has the
 *    same resultHash: the first agreeing pair is paid both when the second
 *    arrives, each later agreeing one when it arrives (status `paid`, `paidAt`
 *    the height); until then it waits (`awaiting-agreement`, reward 0);
 *  - once: one attestation per tester per version, under any key its identity
 *    has had (TX_DUPLICATE_ATTESTATION), and only an attestation that waits is
 *    ever paid.
 * The payment is minted into the tester's balance by this rule (it depends on
 * state, so the block's reward tx cannot carry it). `latest` is the last of
 * `attestations`, the one being applied; `published`: whether its tester's
 * identity (under any of its keys) published the version. Returns the list with
 * payments recorded.
 */
function payTesters(s: StateOverlay, attestations: AttestationState[], ns: NamespaceState, published: boolean, ctx: TxContext): AttestationState[] {
  const latest = attestations[attestations.length - 1]!;
  if (published || isMaintainer(ns, latest.tester)) {
    latest.rewardStatus = 'own-namespace';
    return attestations;
  }
  // Records written before rewards waited for agreement carry no status: they were paid on arrival.
  const counts = (a: AttestationState): boolean => a.rewardStatus !== 'own-namespace';
  const agrees = attestations.some((a) => a !== latest && counts(a) && a.resultHash === latest.resultHash);
  if (!agrees) return attestations;
  return attestations.map((a) => {
    if (a.rewardStatus !== 'awaiting-agreement' || a.resultHash !== latest.resultHash) return a;
    const account = getAccount(s, a.tester);
    s.set(keys.account(a.tester), { ...account, balance: account.balance + ctx.params.testerReward });
    const paid: AttestationState = { ...a, reward: ctx.params.testerReward, rewardStatus: 'paid', paidAt: ctx.height };
    return paid;
  });
}

/**
 * Rule (InfVer): when breakQuorum attestations carry the same verdict (same bump,
 * same changes hash) and that bump is greater than the step the version number
 * took over the version published right before (`before` → `version`), the
 * version is misversioned. Checked when `latest` (the attestation being applied)
 * carries a verdict, so the attestation that completes the quorum sets it; the
 * caller sets it once and never clears it. The checker never runs here: the
 * verdicts are the testers'.
 */
function misversionedBy(attestations: readonly AttestationState[], latest: AttestationState, before: string, version: string, ctx: TxContext): Misversioned | undefined {
  const verdict = latest.infver;
  if (verdict === undefined) return undefined;
  const claimed = bumpBetween(before, version);
  if (claimed === null || BUMP_RANK[verdict.bump] <= BUMP_RANK[claimed]) return undefined;
  const agreeing = attestations.filter((a) => a.infver !== undefined && a.infver.bump === verdict.bump && a.infver.changesHash === verdict.changesHash);
  if (agreeing.length < ctx.params.breakQuorum) return undefined;
  return { prev: before, claimed, verdict: verdict.bump, changesHash: verdict.changesHash, testers: agreeing.map((a) => a.tester), height: ctx.height };
}

function applyImport(s: StateOverlay, from: string, body: ImportBody, ctx: TxContext): void {
  const full = `${npmChainName(body.name)}@${body.version}`;
  const key = keys.npmRelease(body.name, body.version);
  const existing = s.get(key) as NpmReleaseState | undefined;
  // Rule: an npm release is recorded once and never changes: the same bytes again add nothing, other bytes are refused.
  if (existing !== undefined) {
    if (existing.contentHash === toHex(body.contentHash) && existing.integrity === body.integrity) reject('TX_IMPORT_EXISTS', `${full} is already on chain`);
    reject('NPM_IMPORT_CONFLICT', `${full} is on chain with content hash ${existing.contentHash.slice(0, 16)}… (${existing.integrity.slice(0, 20)}…); this import has other bytes`);
  }
  // Rule: a chain that pins registry keys takes only releases the registry signed (nobody squats a version npm never served).
  let signedBy: string | undefined;
  if (ctx.params.npmKeys !== undefined) {
    if (body.signature === undefined) reject('TX_IMPORT_UNSIGNED', `${full} carries no registry signature, and this chain takes only signed npm releases`);
    if (!npmSignatureValid(ctx.params.npmKeys, body.name, body.version, body.integrity, body.signature.keyid, body.signature.sig)) {
      reject('TX_IMPORT_BAD_SIGNATURE', `the registry signature of ${full} (key ${body.signature.keyid.slice(0, 40)}) does not verify against the chain's npm keys`);
    }
    signedBy = body.signature.keyid;
  }
  // Rule: a verdict judges the step from a release of the same package already on chain, below this one.
  if (body.infver !== undefined && (s.get(keys.npmRelease(body.name, body.infver.prev)) === undefined || semver.compare(body.infver.prev, body.version) >= 0)) {
    reject('TX_IMPORT_BAD_PREV', `the InfVer verdict of ${full} is on the step from ${body.infver.prev}, which is not a lower release of npm:${body.name} on chain`);
  }
  const release: NpmReleaseState = {
    name: body.name, version: body.version, integrity: body.integrity, contentHash: toHex(body.contentHash), size: body.size, deps: body.deps,
    ...(body.optionalDeps === undefined ? {} : { optionalDeps: body.optionalDeps }),
    ...(body.peerDeps === undefined ? {} : { peerDeps: body.peerDeps }),
    ...(body.installScripts === undefined ? {} : { installScripts: true as const }),
    ...(signedBy === undefined ? {} : { signedBy }),
    ...(body.infver === undefined ? {} : { infver: body.infver }),
    ...(body.os === undefined ? {} : { os: body.os }),
    ...(body.cpu === undefined ? {} : { cpu: body.cpu }),
    ...(body.libc === undefined ? {} : { libc: body.libc }),
    importer: from, height: ctx.height, block: ctx.blockId, txId: ctx.txId,
  };
  s.set(key, release);
  s.set(keys.npm(body.name), [...((s.get(keys.npm(body.name)) as string[] | undefined) ?? []), body.version]);
}

/** Decisions that come from other parts (InfVer, the resolver), passed in to keep this file pure. */
export interface RuleHooks {
  /** Check a published API manifest's structure. Throw a GopkgrError to reject. */
  checkManifest?(manifest: Canonical): void;
  /** The least bump two manifests prove, with the reason in words, or null when either is missing. */
  minimumBump(prev: Canonical | undefined, next: Canonical | undefined): { bump: 'major' | 'minor' | 'patch'; reason: string } | null;
  /** Further lock-tree checks (closure, ranges). Throw a GopkgrError to reject. */
  checkLock?(s: StateOverlay, body: PublishBody, parent?: ParentLedger, params?: ChainParams): void;
  /** Private chains: whom two encoded headers prove an equivocation by a member of `set` (the consensus's check). */
  checkEquivocation?: EquivocationCheck;
}

export const NO_HOOKS: RuleHooks = { minimumBump: () => null };

const BUMP_RANK = { patch: 0, minor: 1, major: 2 } as const;

/** Apply one signed tx (signature already checked). Throws a coded GopkgrError. */
export function applySignedTx(s: StateOverlay, tx: SignedTx, ctx: TxContext, hooks: RuleHooks = NO_HOOKS): void {
  const from = toHex(tx.from);
  const account = getAccount(s, from);
  // Rule: a rotated-away key signs nothing more.
  if (account.rotatedTo !== undefined) reject('TX_KEY_ROTATED', `id:${from} was rotated to id:${account.rotatedTo}`);
  // Rule: per-identity nonces, each used once and in order.
  if (tx.nonce !== account.nonce) reject('TX_BAD_NONCE', `nonce ${tx.nonce} of id:${from.slice(0, 16)}… is not the next one (${account.nonce})`);
  // Rule: the sender's balance covers the fee; it is taken now and paid to the block's producer by the reward tx.
  const fee = feeOf(tx);
  if (account.balance < fee) reject('TX_INSUFFICIENT_BALANCE', `id:${from.slice(0, 16)}… has a balance of ${account.balance}, less than the fee of ${fee}`);
  const paid: AccountState = { ...account, nonce: account.nonce + 1, balance: account.balance - fee };
  if (tx.type === 'rotate') {
    applyRotate(s, tx as SignedTx & { body: RotateBody }, from, paid, ctx);
    return;
  }
  s.set(keys.account(from), paid);
  switch (tx.type) {
    case 'claim': return applyClaim(s, from, tx.body, ctx);
    case 'maintainer': return applyMaintainer(s, from, tx.body);
    case 'create': return applyCreate(s, from, tx.body, ctx);
    case 'publish': return applyPublish(s, from, tx.body, ctx, hooks);
    case 'deprecate': return applyDeprecate(s, from, tx.body);
    case 'bounds': return applyBounds(s, from, tx.body, ctx);
    case 'attest': return applyAttest(s, from, tx.body, ctx);
    case 'import': return applyImport(s, from, tx.body, ctx);
    case 'transfer': return applyTransfer(s, from, paid, tx.body);
    case 'advisory': return applyAdvisory(s, from, tx.body, ctx);
    case 'authority-vote': return applyAuthorityVote(s, from, tx.body, ctx.params, ctx.height);
    case 'evidence': return applyEvidence(s, from, tx.body, ctx.params, ctx.height, ctx.txId, hooks.checkEquivocation);
  }
}

/**
 * The reward outputs a block must pay: one, to its producer, of `minerReward`
 * plus every fee its txs pay. (Testers are paid by the attest rule, when
 * another tester agrees: that depends on state, which the reward tx does not read.)
 */
export function expectedRewardAmounts(txs: readonly Tx[], params: ChainParams): Array<{ to?: Uint8Array; amount: number }> {
  let fees = 0;
  for (const tx of txs) if (tx.type !== 'reward') fees += feeOf(tx);
  return [{ amount: params.minerReward + fees }];
}

export function buildRewardTx(height: number, miner: Uint8Array, txs: readonly Tx[], params: ChainParams): RewardTx {
  const outputs = expectedRewardAmounts(txs, params).map((o) => ({ to: o.to ?? miner, amount: o.amount }));
  return { v: 1, type: 'reward', height, outputs };
}

function applyReward(s: StateOverlay, reward: RewardTx, txs: readonly Tx[], ctx: TxContext): void {
  // Rule: the reward names this block's height, so each reward tx has its own id.
  if (reward.height !== ctx.height) reject('BLOCK_BAD_REWARD', `reward is for height ${reward.height}, block is at ${ctx.height}`);
  // Rule: the producer is paid minerReward plus the block's fees, nothing else.
  const expected = expectedRewardAmounts(txs, ctx.params);
  if (reward.outputs.length !== expected.length) reject('BLOCK_BAD_REWARD', `reward has ${reward.outputs.length} outputs, expected ${expected.length}`);
  reward.outputs.forEach((o, i) => {
    const e = expected[i]!;
    if (o.amount !== e.amount || (e.to !== undefined && !bytesEqual(e.to, o.to))) reject('BLOCK_BAD_REWARD', `reward output ${i} does not pay what the block earned`);
    const who = toHex(o.to);
    const account = getAccount(s, who);
    s.set(keys.account(who), { ...account, balance: account.balance + o.amount });
  });
}

/** One step of applying a block: it applies one tx (or the reward) on the overlay it is given. */
export type BlockStep = (s: StateOverlay) => void;

/** What a whole block's txs apply with: the block's context and each tx's encoded size (for its cost). */
export type BlockContext = Omit<TxContext, 'txId'> & { txSizes: readonly number[] };

/**
 * The steps of applying a block's txs (signatures already checked), in order:
 * applied one after another on one overlay they are `applyBlockTxs`. A caller
 * that loads state as the rules ask for it (node/state/) runs each step on its
 * own overlay, so a step that has to be run again starts clean (its cost is
 * counted once: the meter keeps one cost per tx).
 * Rule: the first tx is the block reward and no other tx is one.
 */
export function blockSteps(txs: readonly Tx[], txIds: readonly Uint8Array[], ctx: BlockContext, hooks: RuleHooks = NO_HOOKS): BlockStep[] {
  const first = txs[0];
  if (first === undefined || first.type !== 'reward') reject('BLOCK_BAD_REWARD', 'the first tx of a block must be its reward');
  const cost = new BlockCostMeter();
  const steps: BlockStep[] = [];
  for (let i = 1; i < txs.length; i++) {
    const tx = txs[i]!;
    if (tx.type === 'reward') reject('BLOCK_BAD_REWARD', `tx ${i} is a second reward`);
    steps.push((s) => {
      // Rule: the block's txs cost at most MAX_BLOCK_COST to import (ledger/blockCost.ts).
      cost.add(s, tx, ctx.txSizes[i]!, i);
      try {
        applySignedTx(s, tx, { ...ctx, txId: toHex(txIds[i]!) }, hooks);
      } catch (err) {
        if (err instanceof GopkgrError) throw new GopkgrError(err.code, `tx ${i} (${toHex(txIds[i]!).slice(0, 16)}): ${err.message}`);
        throw err;
      }
    });
  }
  steps.push((s) => applyReward(s, first, txs.slice(1), { ...ctx, txId: toHex(txIds[0]!) }));
  // Rule (private chains): the last block of an epoch ends it: passed votes and evidence change the authority set.
  const epochBlocks = epochBlocksOf(ctx.params);
  if (epochBlocks !== undefined && isEpochBoundary(ctx.height, epochBlocks)) steps.push((s) => applyEpochBoundary(s, ctx.params));
  return steps;
}

/** Apply a whole block's txs (signatures already checked) on an overlay. */
export function applyBlockTxs(s: StateOverlay, txs: readonly Tx[], txIds: readonly Uint8Array[], ctx: BlockContext, hooks: RuleHooks = NO_HOOKS): void {
  for (const step of blockSteps(txs, txIds, ctx, hooks)) step(s);
}
