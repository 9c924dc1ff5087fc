/**
 * `gopkgr outdated`: for each package in the lockfile (direct and deep), the
 * installed version, the newest version every range that applies to it admits
 * (`wanted`, as npm names it: the ranges of the project's tags and `added`
 * entries, and of the locked dependents' deps), the newest version overall
 * (`latest`: the newest that is neither deprecated nor a prerelease), and the
 * notices a user should see before upgrading: the installed version deprecated
 * (with its reason) or under an advisory, and versions up to `latest` that
 * InfVer found breaking or misversioned. Pure: the versions come from the caller.
 */
import semver from 'semver';
import { admits, breakText, satisfies, type IndexVersion, type Requirement } from '../../resolver/index.ts';
import type { Lockfile } from './lockfile.ts';

/** A version as `GET /v1/packages/@ns/name` shows it, reduced to what a notice needs. */
export interface VersionFacts extends IndexVersion {
  deprecationReason?: string;
  advisories?: Array<{ id: string; severity: string; text: string; range: string }>;
  /** crater: the direct dependents a quorum of testers found passing with it (verified upgrade paths) */
  dependentsVerified?: string[];
}

export type NoticeKind = 'deprecated' | 'advisory' | 'breakingByInference' | 'misversioned' | 'dependentsVerified';

export interface OutdatedNotice {
  kind: NoticeKind;
  version: string;
  text: string;
}

export interface OutdatedRow {
  name: string;
  /** npm packages: where this copy is installed (a name may be installed at several) */
  location?: string;
  /** direct: a tag or an `added` entry requires it; deep: only other packages do */
  type: 'direct' | 'deep';
  installed: string;
  /** newest version every applying range admits; null when the registry has none (it forgot the package) */
  wanted: string | null;
  latest: string | null;
  /** the ranges that apply, with who asks for each */
  ranges: Array<{ range: string; by: string }>;
  outdated: boolean;
  notices: OutdatedNotice[];
}

/** Every range the lockfile's tree puts on `name`: root requirements first, then locked dependents (name order). */
export function rangesOn(name: string, lock: Lockfile, roots: readonly Requirement[]): Array<{ range: string; by: string; hash?: string }> {
  const out: Array<{ range: string; by: string; hash?: string }> = [];
  for (const r of roots) if (r.name === name) out.push({ range: r.range, by: r.origin ?? 'your project', ...(r.hash !== undefined ? { hash: r.hash } : {}) });
  for (const [dependent, p] of Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const range = p.deps[name];
    if (range !== undefined) out.push({ range, by: `${dependent}@${p.version}` });
  }
  return out;
}

const newest = (versions: readonly VersionFacts[]): VersionFacts | undefined =>
  versions.reduce<VersionFacts | undefined>((best, v) => (best === undefined || semver.gt(v.version, best.version) ? v : best), undefined);

function inferenceNotice(name: string, v: VersionFacts): OutdatedNotice[] {
  const out: OutdatedNotice[] = [];
  const b = v.breakingByInference;
  if (b !== undefined) out.push({ kind: 'breakingByInference', version: v.version, text: `${name}@${v.version}: ${b.testers.length} tester(s) found that ${breakText(b)} (breaking by inference)` });
  const m = v.misversioned;
  if (m !== undefined) out.push({ kind: 'misversioned', version: v.version, text: `${name}@${v.version}: published as a ${m.claimed} step over ${m.prev}, but testers' checkers found a ${m.verdict} change (misversioned)` });
  // Crater: an upgrade path other packages' suites have walked.
  const verified = v.dependentsVerified ?? [];
  if (verified.length > 0) out.push({ kind: 'dependentsVerified', version: v.version, text: `${name}@${v.version}: verified by ${verified.length} dependent${verified.length === 1 ? '' : 's'} (${verified.join(', ')}): their tests pass with it` });
  return out;
}

/** One row per locked package, in name order. `versions`: what the registry answered for each name (absent: nothing). */
export function outdatedRows(lock: Lockfile, roots: readonly Requirement[], versions: ReadonlyMap<string, readonly VersionFacts[]>): OutdatedRow[] {
  const direct = new Set(roots.map((r) => r.name));
  const rows: OutdatedRow[] = [];
  for (const [name, locked] of Object.entries(lock.packages).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const all = versions.get(name) ?? [];
    const ranges = rangesOn(name, lock, roots);
    // As the solver chooses: every range admits it (InfVer exclusions included), a hashlock pins, deprecated only when installed.
    const fits = all.filter((v) => (!v.deprecated || v.version === locked.version)
      && ranges.every((r) => (r.hash === undefined ? admits(r.range, v) : satisfies(v.version, r.range) && v.contentHash === r.hash)));
    const wanted = newest(fits)?.version ?? null;
    const latest = newest(all.filter((v) => !v.deprecated && semver.prerelease(v.version) === null))?.version ?? null;
    const notices: OutdatedNotice[] = [];
    const installed = all.find((v) => v.version === locked.version);
    if (installed?.deprecated === true) {
      notices.push({ kind: 'deprecated', version: installed.version, text: `${name}@${installed.version} is deprecated${installed.deprecationReason !== undefined ? `: ${installed.deprecationReason}` : ''}` });
    }
    for (const a of installed?.advisories ?? []) notices.push({ kind: 'advisory', version: locked.version, text: `${name}@${locked.version}: ${a.severity} advisory ${a.id.slice(0, 12)} (${a.range}): ${a.text}` });
    if (installed !== undefined) notices.push(...inferenceNotice(name, installed));
    // Newer versions up to latest that InfVer flagged: the reason `wanted` may stop short of them.
    for (const v of all) {
      if (semver.gt(v.version, locked.version) && (latest === null || semver.lte(v.version, latest))) notices.push(...inferenceNotice(name, v));
    }
    const behind = (v: string | null): boolean => v !== null && semver.lt(locked.version, v);
    rows.push({ name, type: direct.has(name) ? 'direct' : 'deep', installed: locked.version, wanted, latest, ranges: ranges.map(({ range, by }) => ({ range, by })), outdated: behind(wanted) || behind(latest), notices });
  }
  return rows;
}
