/**
 * package.json `typesVersions`: TypeScript takes the first range (in the
 * object's order) its own version satisfies and maps each path it resolves
 * through that range's `paths`-like table. The check is the small subset of
 * semver TypeScript itself accepts there: `*`, comparators `<`, `<=`, `>`,
 * `>=`, `=` or none, partial versions (`4`, `4.2`), `x` wildcards, space for
 * "and" and `||` for "or".
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The version InfVer's own compiler has: the one whose view of a package counts. */
export function typescriptVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const pkg = JSON.parse(readFileSync(require.resolve('typescript/package.json'), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') return pkg.version;
  } catch {
    // fall through: the compiler InfVer is built and tested with
  }
  return '5.9.0';
}

type Triple = [number, number, number];

function parseVersion(v: string): Triple {
  const [a, b, c] = v.split(/[-+]/)[0]!.split('.').map((p) => Number.parseInt(p, 10));
  return [a ?? 0, Number.isNaN(b) || b === undefined ? 0 : b, Number.isNaN(c) || c === undefined ? 0 : c];
}

function cmp(a: Triple, b: Triple): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** One comparator, e.g. `>=4.2`, `<5`, `5.x`, `*`; false for anything it cannot read. */
function comparatorHolds(version: Triple, text: string): boolean {
  const m = /^(<=|>=|<|>|=)?v?(\*|x|X|\d+(?:\.(?:\d+|x|X|\*)){0,2})$/.exec(text);
  if (!m) return false;
  const op = m[1] ?? '=';
  const parts = m[2]!.split('.');
  const fixed = parts.findIndex((p) => !/^\d+$/.test(p));
  const known = (fixed < 0 ? parts : parts.slice(0, fixed)).map(Number);
  if (known.length === 0) return op === '=' || op === '>=' || op === '<=';
  const low: Triple = [known[0]!, known[1] ?? 0, known[2] ?? 0];
  // A partial version is a range: 4.2 is [4.2.0, 4.3.0).
  const high: Triple | undefined =
    known.length === 3 ? undefined : known.length === 2 ? [known[0]!, known[1]! + 1, 0] : [known[0]! + 1, 0, 0];
  switch (op) {
    case '=':
      return high === undefined ? cmp(version, low) === 0 : cmp(version, low) >= 0 && cmp(version, high) < 0;
    case '>=':
      return cmp(version, low) >= 0;
    case '>':
      return high === undefined ? cmp(version, low) > 0 : cmp(version, high) >= 0;
    case '<':
      return cmp(version, low) < 0;
    default: // '<='
      return high === undefined ? cmp(version, low) <= 0 : cmp(version, high) < 0;
  }
}

export function satisfiesRange(version: string, range: string): boolean {
  const v = parseVersion(version);
  return range.split('||').some((alt) => {
    const comps = alt.trim().split(/\s+/).filter((c) => c !== '');
    return comps.length === 0 || comps.every((c) => comparatorHolds(v, c));
  });
}

export type PathTable = Record<string, string[]>;

/** The table of the first range `version` satisfies, if any. */
export function pickTypesVersions(field: unknown, version: string): PathTable | undefined {
  if (field === null || typeof field !== 'object' || Array.isArray(field)) return undefined;
  for (const [range, table] of Object.entries(field as Record<string, unknown>)) {
    if (!satisfiesRange(version, range)) continue;
    if (table === null || typeof table !== 'object' || Array.isArray(table)) return undefined;
    const out: PathTable = {};
    for (const [k, v] of Object.entries(table as Record<string, unknown>)) {
      const list = Array.isArray(v) ? v : [v];
      out[k] = list.filter((x): x is string => typeof x === 'string');
    }
    return out;
  }
  return undefined;
}

/**
 * The substitutions for `rel` (no leading `./`), best first, as `paths` maps:
 * an exact key wins, else the pattern with the longest prefix. Undefined when
 * no key matches (the path is then used as it is).
 */
export function mapThroughTable(table: PathTable, rel: string): string[] | undefined {
  if (table[rel] !== undefined && !rel.includes('*')) return table[rel];
  let best: { key: string; prefix: string; star: string } | undefined;
  for (const key of Object.keys(table)) {
    const star = key.indexOf('*');
    if (star < 0 || key.indexOf('*', star + 1) >= 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (rel.length < prefix.length + suffix.length || !rel.startsWith(prefix) || !rel.endsWith(suffix)) continue;
    if (best === undefined || prefix.length > best.prefix.length) {
      best = { key, prefix, star: rel.slice(prefix.length, rel.length - suffix.length) };
    }
  }
  if (best === undefined) return undefined;
  const star = best.star;
  return table[best.key]!.map((s) => s.replace('*', star));
}
