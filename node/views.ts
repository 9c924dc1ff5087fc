/** JSON views of ledger objects for the HTTP API: bytes become hex, keys become identities. */
import semver from 'semver';
import { toHex, type Canonical } from '../ledger/encoding.ts';
import type { DecodedBlock } from '../ledger/block.ts';
import type { Tx } from '../ledger/tx.ts';
import type { BlockIndexEntry } from './store.ts';
import type { Consensus } from '../consensus/index.ts';
import { advisoriesOf, advisoryAffects } from '../ledger/advisory.ts';
import { keys, type AdvisoryState, type NamespaceState, type NpmReleaseState, type PackageState, type StateReader, type VersionState } from '../ledger/state.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Bytes → hex, recursively. */
export function jsonOf(value: unknown): Json {
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(jsonOf);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = jsonOf(v);
    return out;
  }
  return value as Json;
}

const identity = (hex: string): string => `id:${hex}`;

export function txView(tx: Tx, id: Uint8Array): Json {
  if (tx.type === 'reward') {
    return { id: toHex(id), type: 'reward', height: tx.height, outputs: tx.outputs.map((o) => ({ to: identity(toHex(o.to)), amount: o.amount })) };
  }
  // `fee` only when the tx pays one (absent means 0).
  return { id: toHex(id), type: tx.type, from: identity(toHex(tx.from)), nonce: tx.nonce, ...(tx.fee !== undefined ? { fee: tx.fee } : {}), body: jsonOf(tx.body) };
}

/** A block as the API shows it; the seal's fields (pow: target, nonce) sit where they are in the header. */
export function blockView(block: DecodedBlock, entry: BlockIndexEntry | undefined, onMain: boolean, consensus: Consensus): Json {
  const h = block.header;
  return {
    id: toHex(block.id),
    height: h.height,
    parent: toHex(h.parent),
    time: h.time,
    ...consensus.sealJson(h.seal),
    txRoot: toHex(h.txRoot),
    work: entry?.work ?? null,
    status: entry?.status ?? null,
    main: onMain,
    size: block.bytes.length,
    txs: block.txs.map((tx, i) => txView(tx, block.txIds[i]!)),
  };
}

/** A version as the API shows it; its API manifest (large, a record of its own) only when given. */
export function versionView(v: VersionState, manifest?: Canonical): Json {
  const agreeing = new Map<string, number>();
  for (const a of v.attestations) agreeing.set(a.resultHash, (agreeing.get(a.resultHash) ?? 0) + 1);
  // How many testers rebuilt it from its recorded commit, per verdict; present once one did.
  const rebuilds: Record<string, number> = {};
  for (const a of v.attestations) if (a.rebuild !== undefined) rebuilds[a.rebuild] = (rebuilds[a.rebuild] ?? 0) + 1;
  return jsonOf({
    ...v,
    ...(manifest !== undefined ? { manifest } : {}),
    publisher: identity(v.publisher),
    attestations: v.attestations.map((a) => ({ ...a, tester: identity(a.tester), agreeing: agreeing.get(a.resultHash) ?? 0 })),
    bounds: v.bounds.map((b) => ({ ...b, by: identity(b.by) })),
    ...(Object.keys(rebuilds).length > 0 ? { rebuilds } : {}),
    // InfVer 2.0: present only when a quorum of testers found the predecessor's tests fail against this version.
    ...(v.breakingByInference !== undefined ? { breakingByInference: { ...v.breakingByInference, testers: v.breakingByInference.testers.map(identity) } } : {}),
    // InfVer: present only when a quorum of testers' pinned checkers found the version number understates the API change.
    ...(v.misversioned !== undefined ? { misversioned: { ...v.misversioned, testers: v.misversioned.testers.map(identity) } } : {}),
    // Crater (ledger/dependentRun.ts): the direct dependents a quorum of testers found passing / failing with this version, always listed.
    dependentsVerified: v.dependentsVerified ?? [],
    dependentsBroken: v.dependentsBroken ?? [],
    ...(v.dependentRuns !== undefined ? { dependentRuns: v.dependentRuns.map((r) => ({ ...r, tester: identity(r.tester) })) } : {}),
  });
}

/** An advisory as the API shows it: who signed it as an identity. */
export function advisoryView(a: AdvisoryState): Json {
  return { id: a.id, range: a.range, severity: a.severity, text: a.text, by: identity(a.by), trustee: a.trustee, height: a.height };
}

/** A version's view with the advisories whose range takes it in (present only when there are some). */
function withAdvisories(view: Json, version: string, advisories: readonly AdvisoryState[]): Json {
  const affecting = advisories.filter((a) => advisoryAffects(a, version));
  return affecting.length === 0 ? view : { ...(view as Record<string, Json>), advisories: affecting.map(advisoryView) };
}

export function packageView(state: StateReader, fullName: string): Json | undefined {
  const id = state.get(keys.name(fullName)) as string | undefined;
  if (id === undefined) return undefined;
  const pkg = state.get(keys.pkg(id)) as PackageState | undefined;
  const ns = pkg === undefined ? undefined : (state.get(keys.namespace(pkg.ns)) as NamespaceState | undefined);
  const advisories = advisoriesOf(state, id);
  const states = pkg?.versions.map((ver) => state.get(keys.version(id, ver)) as VersionState | undefined) ?? [];
  // Every key read before any is judged: a node's read over keys it has not loaded yet sees them as absent and
  // loads all it missed before running again (node/state/stateStore.ts), so one run finds all this view lacks.
  // In a state read whole, a package's record, namespace and versions are always there.
  if (pkg === undefined || ns === undefined || states.includes(undefined)) return undefined;
  return {
    name: fullName,
    id,
    owner: identity(ns.owner),
    maintainers: ns.maintainers.map(identity),
    creator: identity(pkg.creator),
    createdAt: pkg.height,
    advisories: advisories.map(advisoryView),
    versions: pkg.versions.map((ver, i) => withAdvisories(versionView(states[i]!), ver, advisories)),
  };
}

export function packageVersionView(state: StateReader, fullName: string, version: string): Json | undefined {
  const id = state.get(keys.name(fullName)) as string | undefined;
  const v = id === undefined ? undefined : (state.get(keys.version(id, version)) as VersionState | undefined);
  if (v === undefined) return undefined;
  const manifest = v.apiHash === undefined ? undefined : (state.get(keys.api(v.apiHash)) as Canonical | undefined);
  return { name: fullName, id: id!, ...(withAdvisories(versionView(v, manifest), version, advisoriesOf(state, id!)) as Record<string, Json>) };
}

export function namespaceView(state: StateReader, ns: string): Json | undefined {
  const s = state.get(keys.namespace(ns)) as NamespaceState | undefined;
  if (s === undefined) return undefined;
  return { ns: s.ns, owner: identity(s.owner), maintainers: s.maintainers.map(identity), height: s.height, txId: s.txId };
}

const RANK = { patch: 0, minor: 1, major: 2 } as const;

/**
 * The step a version number declares to `^prev` users: major when the caret
 * range of `prev` does not take it (which makes 0.x minors majors), else minor
 * or patch as the numbers moved.
 */
export function declaredStep(prev: string, version: string): 'major' | 'minor' | 'patch' {
  if (!semver.satisfies(version, `^${prev}`, { includePrerelease: true })) return 'major';
  const diff = semver.diff(prev, version);
  return diff === 'minor' || diff === 'preminor' ? 'minor' : 'patch';
}

/**
 * An npm release as the API shows it: the registry's record, the importer as
 * an identity, and beside the importer's InfVer verdict the step its number
 * declares, so a release whose number understates (or overstates) its API
 * change is plain to see.
 */
export function npmReleaseView(r: NpmReleaseState): Json {
  const view: Record<string, Json> = { ...(jsonOf(r) as Record<string, Json>), name: `npm:${r.name}`, importer: identity(r.importer) };
  if (r.infver !== undefined) {
    const declared = declaredStep(r.infver.prev, r.version);
    const verdict = RANK[r.infver.bump] - RANK[declared];
    view.infver = { ...r.infver, declared, agrees: verdict === 0 ? 'yes' : verdict > 0 ? 'understated' : 'overstated' };
  }
  return view;
}

/** `npm:<name>` with every release imported, in import order; undefined when none is. */
export function npmPackageView(state: StateReader, name: string): Json | undefined {
  const versions = state.get(keys.npm(name)) as string[] | undefined;
  if (versions === undefined) return undefined;
  return { name: `npm:${name}`, versions: versions.map((v) => npmReleaseView(state.get(keys.npmRelease(name, v)) as NpmReleaseState)) };
}
