/**
 * The release's txs, signed but not submitted: a `create` when the package is
 * new (its id, the create tx's id, is what the publish names), then the
 * `publish`, on consecutive nonces read from the node. Held like this, a
 * release can be inspected, compared or submitted later.
 */
import {
  encodeTx, fromHex, manifestHash, MAX_DESCRIPTION_LENGTH, UNPRINTABLE_CHARS, toHex, txId, type Canonical, type KeyPair, type PublishBody, type SignedTx,
} from '../../ledger/index.ts';
import type { Manifest } from '../../infver/index.ts';
import type { NodeClient } from '../client.ts';
import type { LockTree } from './lockTree.ts';

/** Where a release comes from (read by provenance.ts), recorded on chain for `gopkgr verify`. */
export interface Provenance {
  repo: string;
  /** full commit id */
  commit: string;
  /** git's tree id of the package directory at `commit` */
  tree: string;
  /** shell command run in the package directory before packing; absent: none */
  build?: string;
}

export interface ReleaseFields {
  ns: string;
  name: string;
  /** the package's id (hex) when it is on chain already */
  existingId?: string;
  version: string;
  contentHash: string;
  size: number;
  manifest: Manifest;
  /** the apiHash of the version the release steps from: a release with the same API names it instead of carrying the manifest */
  baseApiHash?: string;
  tree: LockTree;
  /** repository, commit, source tree and build command, when the work tree is a clean git checkout */
  provenance?: Provenance;
  /** package.json's description, as publishedDescription made it */
  description?: string;
}

/** Runs of what the chain refuses in a description (ledger/tx.ts) or of white space: each becomes one space. */
const BLANK_RUNS = new RegExp(`(?:${UNPRINTABLE_CHARS.source}|\\s)+`, 'g');

/**
 * package.json's `description` as the chain takes it (ledger/tx.ts): one line,
 * control and bidirectional-override characters turned into spaces, runs of
 * space collapsed, cut to MAX_DESCRIPTION_LENGTH at a word where it can be;
 * absent when there is no text.
 */
export function publishedDescription(packageJson: { description?: unknown }): string | undefined {
  if (typeof packageJson.description !== 'string') return undefined;
  let text = packageJson.description.replace(BLANK_RUNS, ' ').trim();
  if (text.length > MAX_DESCRIPTION_LENGTH) {
    const cut = text.slice(0, MAX_DESCRIPTION_LENGTH - 1);
    const space = cut.lastIndexOf(' ');
    // A lone high surrogate at the cut would not be text.
    text = `${(space > MAX_DESCRIPTION_LENGTH / 2 ? cut.slice(0, space) : cut).replace(/[\ud800-\udbff]$/, '')}…`;
  }
  return text === '' ? undefined : text;
}

export interface SignedRelease {
  /** the package's id (hex): the existing one, or the create tx's id */
  pkgId: string;
  /** the create tx, for a package not on chain yet */
  create?: SignedTx;
  body: PublishBody;
  publish: SignedTx;
}

export function publishBody(pkgId: string, r: ReleaseFields): PublishBody {
  const manifest = r.manifest as unknown as Canonical;
  const apiHash = manifestHash(manifest);
  // The chain keeps one copy of each manifest: an unchanged API is named by its hash alone.
  const shared = r.baseApiHash === toHex(apiHash);
  return {
    pkg: fromHex(pkgId), version: r.version, contentHash: fromHex(r.contentHash), size: r.size,
    apiHash, ...(shared ? {} : { manifest }),
    deps: r.tree.deps, lock: Object.fromEntries(Object.entries(r.tree.lock).map(([ref, hash]) => [ref, fromHex(hash)])),
    ...(r.provenance === undefined ? {} : provenanceFields(r.provenance)),
    ...(r.description === undefined ? {} : { description: r.description }),
  };
}

function provenanceFields(p: Provenance): Pick<PublishBody, 'repo' | 'commit' | 'sourceTree' | 'build'> {
  return { repo: p.repo, commit: p.commit, sourceTree: p.tree, ...(p.build === undefined ? {} : { build: p.build }) };
}

export async function signRelease(client: NodeClient, key: KeyPair, r: ReleaseFields, fee = 0): Promise<SignedRelease> {
  const sign = await client.signerFor(key, fee);
  const create = r.existingId === undefined ? sign('create', { ns: r.ns, name: r.name }) : undefined;
  const pkgId = r.existingId ?? toHex(txId(encodeTx(create!)));
  const body = publishBody(pkgId, r);
  return { pkgId, ...(create === undefined ? {} : { create }), body, publish: sign('publish', body) };
}
