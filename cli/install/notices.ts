/**
 * Notices: what the chain says now about the versions a project installs,
 * printed on every `gopkgr get`, also when nothing changes (a version
 * deprecated "SECURITY: …" after the lockfile was written must not hide behind
 * "already up to date"). For every installed gopkgr package, direct or deep:
 *   - deprecated, with its reason;
 *   - breakingByInference / misversioned (InfVer found the version number wrong),
 *     naming the dependents whose suites it breaks (crater);
 *   - the dependents a quorum of testers found passing with it (verified upgrade paths);
 *   - each advisory whose range takes in the installed version.
 *
 * One request answers for the whole tree in the common case: `POST /v1/resolve`
 * with `"index": true` and every installed version pinned by hash returns each
 * package's view (node/api/packages.ts). When the node cannot answer that way
 * (a version marked breakingByInference after the lock was written makes the
 * pinned tree unsolvable, an older node), the names it left out are asked one
 * `GET /v1/packages/@ns/name` each. With a gopkgr.json, every name goes to its
 * own registry (the router) and nowhere else.
 *
 * A node's answer is hostile input: fields are checked, texts lose control
 * characters before they reach a terminal, and an advisory counts only if its
 * range takes in the installed version by our own reading of it.
 */
import { GopkgrError, MAX_DEPS, advisoryAffects, isGopkgrError, isSeverity } from '../../ledger/index.ts';
import { NodeClient } from '../client.ts';
import type { PackageJson, VersionJson } from '../packages.ts';
import { mapLimit, nodeSource, type PackageSource } from './fetchIndex.ts';
import { printable } from '../printable.ts';

export interface InstalledVersion {
  name: string;
  version: string;
  contentHash: string;
}

export type Notice =
  | { kind: 'deprecated'; name: string; version: string; reason?: string }
  | { kind: 'breakingByInference'; name: string; version: string; prev: string; testers: number; dependents?: string[] }
  | { kind: 'dependentsVerified'; name: string; version: string; dependents: string[] }
  | { kind: 'misversioned'; name: string; version: string; prev: string; claimed: string; verdict: string; testers: number }
  | { kind: 'advisory'; name: string; version: string; id: string; severity: string; range: string; text: string; allowed?: true };

export interface NoticeCheck {
  /** false when nothing could be asked (offline, node down): `unchecked` says why */
  checked: boolean;
  notices: Notice[];
  unchecked?: string;
}

/**
 * How long `get` waits for the node's answer about notices: a lockfile that needs
 * no node must not make `get` hang on one that accepts and never answers (as
 * gopkgr.json's registries, 30 s; then the notices are unchecked).
 */
export const NOTICES_TIMEOUT_MS = 30_000;
/** Parallel GETs when the one request could not answer for everything (as fetchIndex.ts). */
const CONCURRENCY = 16;


/** Most dependents a notice names (the chain takes runs of at most 5 per version: more is a hostile node). */
const MAX_NAMED_DEPENDENTS = 20;

/** A list of names from a node's answer: strings only, printable, bounded. */
function nameList(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((n): n is string => typeof n === 'string').slice(0, MAX_NAMED_DEPENDENTS).map(printable) : [];
}

interface AdvisoryJson { id?: unknown; range?: unknown; severity?: unknown; text?: unknown }

/** The notices one package view gives for the installed version (none when the view does not hold that exact version). */
export function noticesOf(installed: InstalledVersion, pkg: PackageJson): Notice[] {
  if (!Array.isArray(pkg.versions)) return [];
  const v = (pkg.versions as unknown[]).find((x): x is VersionJson => (x as VersionJson | null)?.version === installed.version);
  // Another content under the same version is another package (another chain): what it says does not apply.
  if (v === undefined || v.contentHash !== installed.contentHash) return [];
  const { name, version } = installed;
  const out: Notice[] = [];
  if (v.deprecated === true) {
    const reason = (v as { deprecationReason?: unknown }).deprecationReason;
    out.push({ kind: 'deprecated', name, version, ...(typeof reason === 'string' && reason !== '' ? { reason: printable(reason) } : {}) });
  }
  const b = v.breakingByInference;
  if (b !== undefined && typeof b.prev === 'string') {
    const dependents = nameList(b.dependents);
    out.push({ kind: 'breakingByInference', name, version, prev: printable(b.prev), testers: Array.isArray(b.testers) ? b.testers.length : 0, ...(dependents.length > 0 ? { dependents } : {}) });
  }
  const verified = nameList(v.dependentsVerified);
  if (verified.length > 0) out.push({ kind: 'dependentsVerified', name, version, dependents: verified });
  const m = v.misversioned;
  if (m !== undefined && typeof m.prev === 'string' && typeof m.claimed === 'string' && typeof m.verdict === 'string') {
    out.push({ kind: 'misversioned', name, version, prev: printable(m.prev), claimed: printable(m.claimed), verdict: printable(m.verdict), testers: Array.isArray(m.testers) ? m.testers.length : 0 });
  }
  const advisories = (pkg as { advisories?: unknown }).advisories;
  for (const a of Array.isArray(advisories) ? (advisories as AdvisoryJson[]) : []) {
    if (typeof a?.id !== 'string' || !/^[0-9a-f]{64}$/.test(a.id) || typeof a.range !== 'string' || typeof a.text !== 'string' || !isSeverity(a.severity)) continue;
    if (!advisoryAffects({ range: a.range }, version)) continue;
    out.push({ kind: 'advisory', name, version, id: a.id, severity: a.severity, range: printable(a.range), text: printable(a.text) });
  }
  return out;
}

/** The package views of `names` from one node, by `POST /v1/resolve` with every installed version pinned (chunks of MAX_DEPS). */
async function viewsByResolve(client: NodeClient, installed: readonly InstalledVersion[]): Promise<Map<string, PackageJson>> {
  const views = new Map<string, PackageJson>();
  for (let i = 0; i < installed.length; i += MAX_DEPS) {
    const requirements: Record<string, { range: string; hash: string }> = {};
    for (const p of installed.slice(i, i + MAX_DEPS)) requirements[p.name] = { range: p.version, hash: p.contentHash };
    let answer: { packages?: Record<string, PackageJson> };
    try {
      answer = await client.request('POST', '/v1/resolve', JSON.stringify({ requirements, index: true }), 'application/json');
    } catch (err) {
      // Unsolvable now (that is often the news: a version marked since), or an older node: the GETs answer.
      if (isGopkgrError(err, 'NODE_UNREACHABLE') || !isGopkgrError(err)) throw err;
      continue;
    }
    for (const [name, pkg] of Object.entries(answer.packages ?? {})) if (name in requirements && pkg !== null && typeof pkg === 'object') views.set(name, pkg);
  }
  return views;
}

export interface CheckNoticesOptions {
  installed: readonly InstalledVersion[];
  /** the node without gopkgr.json; undefined offline */
  client?: NodeClient;
  /** gopkgr.json's router: each name asked of its own registry only */
  router?: PackageSource;
  /** `chain:` tags naming another node (without gopkgr.json) */
  chains?: Readonly<Record<string, string>>;
  /** package views this run already has from the same registries (the resolution's): not asked for again */
  known?: ReadonlyMap<string, PackageJson>;
}

/**
 * Ask what the chain says about the installed versions. A node that cannot be
 * reached (or a registry that fails its checks) leaves the notices unchecked
 * with the reason: a project with a lockfile and a warm cache still installs.
 */
export async function checkNotices(opts: CheckNoticesOptions): Promise<NoticeCheck> {
  if (opts.client === undefined && opts.router === undefined) return { checked: false, notices: [], unchecked: 'offline' };
  if (opts.installed.length === 0) return { checked: true, notices: [] };
  try {
    const views = new Map<string, PackageJson>();
    for (const p of opts.installed) {
      const view = opts.known?.get(p.name);
      if (view !== undefined) views.set(p.name, view);
    }
    const unknown = opts.installed.filter((p) => !views.has(p.name));
    let source = opts.router;
    if (source === undefined) {
      const client = opts.client!;
      // A name tagged with another node's URL is asked there (fetchIndex's rule); the rest in one request.
      const elsewhere = (name: string): boolean => {
        const tag = opts.chains?.[name]?.replace(/\/+$/, '');
        return tag !== undefined && /^https?:\/\//.test(tag) && tag !== client.url;
      };
      if (unknown.length > 0) for (const [name, pkg] of await viewsByResolve(client, unknown.filter((p) => !elsewhere(p.name)))) views.set(name, pkg);
      source = nodeSource(client, opts.chains);
    }
    const missing = opts.installed.filter((p) => !views.has(p.name));
    const found = await mapLimit(missing, CONCURRENCY, (p) => source.lookup(p.name));
    missing.forEach((p, i) => {
      const hit = found[i];
      if (hit !== undefined) views.set(p.name, hit.pkg);
    });
    const notices = opts.installed.flatMap((p) => {
      const view = views.get(p.name);
      return view === undefined ? [] : noticesOf(p, view);
    });
    return { checked: true, notices };
  } catch (err) {
    if (!isGopkgrError(err)) throw err;
    return { checked: false, notices: [], unchecked: printable(err.message) };
  }
}

/** Whether `--allow-advisory` values let advisory `id` through: its full id, or a prefix of 12 or more hex digits (as `advisory list` shows). */
export function isAllowed(id: string, allow: readonly string[]): boolean {
  return allow.some((a) => {
    const x = a.trim().toLowerCase();
    return x === id || (x.length >= 12 && id.startsWith(x));
  });
}

/**
 * Refuse an install that would put a version with a `critical` advisory in
 * place, unless each such advisory is allowed by id. Called before anything is
 * written, so a refusal leaves the project as it was. Returns the notices with
 * the allowed critical advisories marked.
 */
export function refuseCritical(notices: readonly Notice[], allow: readonly string[]): Notice[] {
  const blocking = notices.filter((n): n is Extract<Notice, { kind: 'advisory' }> => n.kind === 'advisory' && n.severity === 'critical' && !isAllowed(n.id, allow));
  if (blocking.length > 0) {
    const ids = [...new Set(blocking.map((n) => n.id))];
    const what = blocking.map((n) => `${n.id} on ${n.name}@${n.version} (${n.range}): ${n.text}`).join('; ');
    throw new GopkgrError('ADVISORY_CRITICAL', `refusing to install: critical advisor${blocking.length === 1 ? 'y' : 'ies'} ${what}; nothing was installed`, {
      hint: `move to a version the advisory does not cover (\`gopkgr get ${blocking[0]!.name}@RANGE\`), or accept the risk with ${ids.map((id) => `--allow-advisory ${id}`).join(' ')}`,
    });
  }
  return notices.map((n) => (n.kind === 'advisory' && n.severity === 'critical' ? { ...n, allowed: true as const } : n));
}

/** "1 dependent (@a/b@1.0.0)", "3 dependents (…, …, …)" */
export function dependentsText(dependents: readonly string[]): string {
  return `${dependents.length} dependent${dependents.length === 1 ? '' : 's'} (${dependents.join(', ')})`;
}

/** One line per notice, for people. */
export function noticeLine(n: Notice): string {
  const at = `${n.name}@${n.version}`;
  switch (n.kind) {
    case 'deprecated':
      return `notice: ${at} is deprecated${n.reason === undefined ? ' (no reason given)' : `: ${n.reason}`}`;
    case 'breakingByInference':
      return `notice: ${at} breaks by inference: ${n.testers} tester${n.testers === 1 ? '' : 's'} found that ${n.dependents !== undefined ? `it breaks ${n.dependents.map((d) => `${d}'s tests`).join(', ')}` : `${n.prev}'s tests fail against it`}`;
    case 'dependentsVerified':
      return `notice: ${at} is verified by ${dependentsText(n.dependents)}: their tests pass with it`;
    case 'misversioned':
      return `notice: ${at} is misversioned: published as a ${n.claimed} step over ${n.prev}, but testers' checkers found a ${n.verdict} change`;
    case 'advisory':
      return `notice: ${at} has a ${n.severity} advisory ${n.id.slice(0, 12)} (affects ${n.range}): ${n.text}${n.allowed === true ? ' [allowed by --allow-advisory]' : ''}`;
  }
}
