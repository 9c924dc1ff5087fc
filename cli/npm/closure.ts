/**
 * Which npm releases `gopkgr import npm:NAME@RANGE` brings in: the newest
 * release the range allows (npm's semantics: a dist-tag names a version,
 * pre-releases only when the range asks for them) and, the same way, every
 * release its dependencies, optional dependencies and required peers name,
 * in an order where each release comes after what it depends on.
 *
 * A spec the registry cannot answer (git, a URL, a file) is reported, not
 * guessed; an `npm:other@range` alias brings in `other`.
 *
 * Given a machine, an optional dependency whose `os`/`cpu`/`libc` exclude it
 * (fsevents, `os: ["darwin"]`, on linux) is left out with its reason, as npm
 * leaves it out of an install; a release something needs for sure is kept.
 */
import semver from 'semver';
import { GopkgrError, isGopkgrError, isPlatformList, platformMismatch, platformOfManifest, PLATFORM_FIELDS, type Machine, type NpmPlatform } from '../../ledger/index.ts';
import type { NpmRegistry, NpmVersionRecord } from './registry.ts';

export interface UnresolvedSpec {
  name: string;
  spec: string;
  /** who asked for it (`name@version`), or the command line */
  by: string;
  reason: string;
}

/** An optional dependency left out because its platform fields exclude the machine. */
export interface PlatformSkip {
  name: string;
  version: string;
  by: string;
  /** `os darwin excludes linux` */
  reason: string;
}

export interface Closure {
  /** dependencies before their dependents */
  releases: NpmVersionRecord[];
  unresolved: UnresolvedSpec[];
  otherPlatform: PlatformSkip[];
}

/** A registry record's platform fields that are well-formed lists (a string counts as a list of one). */
export function platformOf(record: NpmVersionRecord): NpmPlatform {
  const fields = platformOfManifest(record as unknown as Record<string, unknown>);
  const out: NpmPlatform = {};
  for (const field of PLATFORM_FIELDS) {
    const list = fields[field];
    if (isPlatformList(list)) out[field] = list;
  }
  return out;
}

/** `npm:zod@^3`, `npm:@types/node`, `npm:x@latest` → name and spec ('latest' when absent). */
export function parseNpmSpec(arg: string): { name: string; spec: string } {
  const body = arg.startsWith('npm:') ? arg.slice(4) : arg;
  const at = body.indexOf('@', 1);
  const name = at < 0 ? body : body.slice(0, at);
  const spec = at < 0 ? 'latest' : body.slice(at + 1);
  if (name === '' || spec === '') throw new GopkgrError('USAGE', `"${arg}" is not npm:NAME or npm:NAME@RANGE`);
  return { name, spec };
}

/** The version `spec` picks from a packument: a dist-tag, an exact version, or the newest in a range. */
export function pickVersion(versions: readonly string[], distTags: Readonly<Record<string, string>>, spec: string): string | undefined {
  const tagged = distTags[spec];
  if (tagged !== undefined) return versions.includes(tagged) ? tagged : undefined;
  const range = spec.trim() === '' ? '*' : spec;
  // npm prefers the `latest` tag when it satisfies the range.
  const latest = distTags.latest;
  if (latest !== undefined && versions.includes(latest) && semver.satisfies(latest, range)) return latest;
  return semver.maxSatisfying([...versions], range) ?? undefined;
}

/** A dependency spec the registry answers: a range or tag of `name`, or of the package an `npm:` alias names. */
function registrySpec(name: string, spec: string): { name: string; spec: string } | { reason: string } {
  if (spec.startsWith('npm:')) return parseNpmSpec(spec);
  if (/^(?:git\+|git:|github:|gitlab:|bitbucket:|https?:|file:|link:|workspace:)/.test(spec) || /^[^@/\s]+\/[^@/\s]+(#.*)?$/.test(spec)) {
    return { reason: `"${spec}" is not a registry version (git, URL, file or workspace), so it cannot be imported` };
  }
  if (semver.validRange(spec) === null && !/^[a-z][a-z0-9._-]*$/i.test(spec)) return { reason: `"${spec}" is neither a semver range nor a dist-tag` };
  return { name, spec };
}

/** The dependencies an install needs: regular, optional, and peers not marked optional. */
export function dependencySpecs(r: NpmVersionRecord): Array<[string, string]> {
  const peers = Object.entries(r.peerDependencies ?? {}).filter(([n]) => r.peerDependenciesMeta?.[n]?.optional !== true);
  return [...Object.entries(r.dependencies ?? {}), ...Object.entries(r.optionalDependencies ?? {}), ...peers];
}

/**
 * `machine`: leave out optional dependencies not for it (undefined: keep every
 * platform's, `gopkgr import --all-platforms`).
 */
export async function resolveClosure(
  registry: NpmRegistry, roots: ReadonlyArray<{ name: string; spec: string }>, onResolved?: (count: number) => void, machine?: Machine,
): Promise<Closure> {
  const chosen = new Map<string, NpmVersionRecord>();
  const unresolved: UnresolvedSpec[] = [];
  const otherPlatform = new Map<string, PlatformSkip>();
  const order: NpmVersionRecord[] = [];
  const state = new Map<string, 'visiting' | 'done'>();

  const resolveOne = async (name: string, spec: string, by: string): Promise<NpmVersionRecord | undefined> => {
    let packument;
    try {
      packument = await registry.packument(name);
    } catch (err) {
      if (isGopkgrError(err, 'NPM_NOT_FOUND')) {
        unresolved.push({ name, spec, by, reason: err.message });
        return undefined;
      }
      throw err;
    }
    const version = pickVersion(Object.keys(packument.versions), packument['dist-tags'] ?? {}, spec);
    if (version === undefined) {
      unresolved.push({ name, spec, by, reason: `no release of ${name} matches "${spec}"` });
      return undefined;
    }
    return packument.versions[version];
  };

  // Depth first, post-order: a release is listed once all it depends on is (a cycle is cut where it closes).
  const visit = async (record: NpmVersionRecord): Promise<void> => {
    const key = `${record.name}@${record.version}`;
    if (state.has(key)) return;
    state.set(key, 'visiting');
    chosen.set(key, record);
    onResolved?.(chosen.size);
    const optional = new Set(Object.keys(record.optionalDependencies ?? {}));
    const deps = await Promise.all(dependencySpecs(record).map(async ([depName, depSpec]) => {
      const target = registrySpec(depName, depSpec);
      if ('reason' in target) {
        unresolved.push({ name: depName, spec: depSpec, by: key, reason: target.reason });
        return undefined;
      }
      const dep = await resolveOne(target.name, target.spec, key);
      const mismatch = dep !== undefined && machine !== undefined && optional.has(depName) ? platformMismatch(platformOf(dep), machine) : undefined;
      if (mismatch !== undefined) {
        otherPlatform.set(`${dep!.name}@${dep!.version}`, { name: dep!.name, version: dep!.version, by: key, reason: mismatch });
        return undefined;
      }
      return dep;
    }));
    for (const dep of deps) if (dep !== undefined) await visit(dep);
    state.set(key, 'done');
    order.push(record);
  };

  for (const root of roots) {
    const record = await resolveOne(root.name, root.spec, 'the command line');
    if (record !== undefined) await visit(record);
  }
  // A release left out where it was optional but needed elsewhere is in the closure, not left out.
  return { releases: order, unresolved, otherPlatform: [...otherPlatform.values()].filter((p) => !chosen.has(`${p.name}@${p.version}`)) };
}
