/**
 * Validation cost: how much work it takes to import a tx, in units of about a
 * microsecond of a 2-core machine under load (bench/blockCost.ts measured each
 * weight). A block's txs may cost at most MAX_BLOCK_COST in all, so that no
 * block, whatever it holds, takes much more than a second to import. Bytes alone
 * do not bound that: a small tx can make the rules read and compare a lot (a
 * manifest compared with the previous version's, a version's lock re-hashed for
 * an attestation, a key's namespaces moved by a rotation).
 *
 * The cost depends on the tx, its encoded size and sizes kept in the state it
 * applies on, never on timing, so every node computes the same number. It
 * counts what the rules will do without doing it.
 */
import { encodeOnce, toHex, type Canonical } from './encoding.ts';
import { GopkgrError } from './errors.ts';
import { MAX_BLOCK_COST } from './constants.ts';
import { keys, type PackageState, type StateReader, type VersionState } from './state.ts';
import type { SignedTx } from './tx.ts';
import { stepBase } from './versionLine.ts';
import { dependentRunReads } from './dependentRun.ts';

/** Every tx: its signature (verified on two threads before the rules), state reads and writes. */
export const COST_PER_TX = 500;
/**
 * Per 16 bytes of a tx: decoding it with the canonical-form check and encoding it
 * again for its signing digest. Canonical CBOR cost up to ~1.3 µs a byte for a
 * manifest's many small maps (bench/blockCost.ts), ten times a long string's: the
 * weights are the dense case's, so a realistic manifest pays several times its
 * real cost rather than a dense one paying a fraction of it. (Measured when the
 * check encoded the tx again; the canonical decoder now checks as it reads, and
 * the signing digest is cut from the tx's bytes, so these weights err high.)
 */
export const COST_PER_16_BYTES = 20;
/** Per 16 bytes of a publish on top: its manifest is validated (export hashes recomputed) and encoded again for apiHash. */
export const COST_PER_PUBLISH_16_BYTES = 16;
/**
 * Per 16 bytes of each of the two manifests a next version's lower bound is read from
 * (validated again, then their export names compared: linear in their size).
 */
export const COST_PER_COMPARED_16_BYTES = 3;
/** Per lock entry a publish carries (on chain, content hash, closure, ranges) or an attested version holds (its lock re-hashed). */
export const COST_PER_LOCK_ENTRY = 10;
/** Per 8 items of a list the rules read, copy or sort (a package's versions, a version's deps, attestations, bounds edits, a key's namespaces). */
export const COST_PER_8_LIST_ITEMS = 1;
/** A rotation verifies a second signature (the new key's proof) inside the rules, on one thread (0.65-1.1 ms loaded); an npm import's registry signature is priced the same. */
export const COST_ROTATE_PROOF = 1000;

/** The manifest record `api:<apiHash>`, if the state holds it. */
function storedManifest(s: StateReader, apiHash: string | undefined): Canonical | undefined {
  return apiHash === undefined ? undefined : (s.get(keys.api(apiHash)) as Canonical | undefined);
}

function manifestBytesOf(manifest: Canonical | undefined): number {
  return manifest === undefined ? 0 : manifestBytes(manifest);
}

/** A manifest is never changed in place (in a tx or in state), so its encoding is made once (not part of the rule). */
function manifestBytes(manifest: Canonical): number {
  return encodeOnce(manifest).length;
}

const per16 = (bytes: number): number => Math.ceil(bytes / 16);
const list = (items: number): number => Math.ceil(items / 8) * COST_PER_8_LIST_ITEMS;

function packageAt(s: StateReader, pkg: Uint8Array): PackageState | undefined {
  return s.get(keys.pkg(toHex(pkg))) as PackageState | undefined;
}

function versionAt(s: StateReader, pkg: PackageState | undefined, version: string): VersionState | undefined {
  return pkg === undefined ? undefined : (s.get(keys.version(pkg.id, version)) as VersionState | undefined);
}

function ownedBy(s: StateReader, key: Uint8Array): number {
  return ((s.get(keys.owned(toHex(key))) as string[] | undefined) ?? []).length;
}

/**
 * The cost of importing `tx`, `size` bytes encoded, on state `s` (the state
 * after every earlier tx of its block). A tx that will fail its rules still
 * has a cost; what it names but state lacks counts nothing.
 */
export function txCost(s: StateReader, tx: SignedTx, size: number): number {
  let cost = COST_PER_TX + per16(size) * COST_PER_16_BYTES;
  switch (tx.type) {
    case 'claim':
      cost += list(ownedBy(s, tx.from));
      break;
    case 'maintainer':
      cost += list(ownedBy(s, tx.body.who));
      break;
    case 'publish': {
      // The manifest is most of a publish's bytes: the tx's size bounds it without encoding it.
      cost += per16(size) * COST_PER_PUBLISH_16_BYTES;
      cost += Object.keys(tx.body.lock).length * COST_PER_LOCK_ENTRY + list(Object.keys(tx.body.deps).length);
      const pkg = packageAt(s, tx.body.pkg);
      const base = pkg === undefined ? undefined : stepBase(pkg.versions, tx.body.version);
      if (pkg === undefined || base === undefined) break;
      cost += list(pkg.versions.length);
      const prevManifest = storedManifest(s, versionAt(s, pkg, base)?.apiHash);
      // The new manifest is in the tx (its size bounds it) or named by hash (the stored one is compared).
      const nextBytes = tx.body.manifest !== undefined ? size : manifestBytesOf(storedManifest(s, tx.body.apiHash === undefined ? undefined : toHex(tx.body.apiHash)));
      if (prevManifest !== undefined) cost += (per16(manifestBytes(prevManifest)) + per16(nextBytes)) * COST_PER_COMPARED_16_BYTES;
      break;
    }
    case 'attest': {
      const version = versionAt(s, packageAt(s, tx.body.pkg), tx.body.version);
      if (version !== undefined) cost += Object.keys(version.lock).length * COST_PER_LOCK_ENTRY + list(version.attestations.length);
      // Crater: a dependent run also reads the dependent's lock and attestations and the version's runs.
      const reads = dependentRunReads(s, tx.body);
      cost += reads.lockEntries * COST_PER_LOCK_ENTRY + list(reads.listItems);
      break;
    }
    case 'bounds': {
      const version = versionAt(s, packageAt(s, tx.body.pkg), tx.body.version);
      if (version !== undefined) cost += list(version.bounds.length + Object.keys(version.deps).length);
      break;
    }
    case 'rotate':
      cost += COST_ROTATE_PROOF + list(ownedBy(s, tx.from));
      break;
    case 'advisory':
      // The package's advisory list is copied with the new one.
      cost += list(((s.get(keys.advisories(toHex(tx.body.pkg))) as unknown[] | undefined) ?? []).length);
      break;
    case 'evidence':
      // The consensus verifies both headers' seals inside the rules.
      cost += 2 * COST_ROTATE_PROOF;
      break;
    case 'import':
      // The package's version list is copied with the new version; a registry signature is one more verification.
      cost += list(((s.get(keys.npm(tx.body.name)) as string[] | undefined) ?? []).length) + (tx.body.signature === undefined ? 0 : COST_ROTATE_PROOF);
      break;
    default:
      break;
  }
  return cost;
}

/** A block's running total of tx costs. */
export class BlockCostMeter {
  total = 0;
  /** each tx's cost by its index: a tx counted again (its step run again) replaces its own */
  private readonly costs = new Map<number, number>();

  /**
   * Rule: a block's txs cost at most MAX_BLOCK_COST to import, in all. Call
   * before applying tx `index` (of `size` bytes), so an over-limit block stops
   * at the first tx that takes it over, before that tx's work is done.
   */
  add(s: StateReader, tx: SignedTx, size: number, index: number): void {
    const cost = txCost(s, tx, size);
    this.total += cost - (this.costs.get(index) ?? 0);
    this.costs.set(index, cost);
    if (this.total > MAX_BLOCK_COST) {
      throw new GopkgrError('BLOCK_TOO_COSTLY', `the block's txs cost ${this.total} by tx ${index}, more than ${MAX_BLOCK_COST} (MAX_BLOCK_COST)`);
    }
  }
}
