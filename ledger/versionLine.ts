/**
 * Version lines: a package's versions are published in any order of major
 * lines (a patch on 1.x after 2.0.0 exists), so "the version before" is a
 * question of lines, not of publication order. Pure; versions are
 * MAJOR.MINOR.PATCH without suffixes (names.ts).
 */
const parts = (v: string): [number, number, number] => v.split('.').map(Number) as [number, number, number];

export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

export function newestVersion(versions: readonly string[]): string | undefined {
  return versions.reduce<string | undefined>((best, v) => (best === undefined || compareVersions(v, best) > 0 ? v : best), undefined);
}

/**
 * The version `next` must be one step above: the newest of its major line, or,
 * for a new line, the newest version of all (a major step only starts the next line).
 */
export function stepBase(versions: readonly string[], next: string): string | undefined {
  const major = parts(next)[0];
  return newestVersion(versions.filter((v) => parts(v)[0] === major)) ?? newestVersion(versions);
}

/**
 * The version `version` stepped from when it was published: the newest of those
 * published before it that are below it. In publication order `versions`.
 */
export function predecessorOf(versions: readonly string[], version: string): string | undefined {
  const at = versions.indexOf(version);
  return at < 0 ? undefined : newestVersion(versions.slice(0, at).filter((v) => compareVersions(v, version) < 0));
}
