/**
 * `infver diff` on the TypeScript checker: the whole public surface of two
 * versions (every subpath, as ES module and as CommonJS consumers load it,
 * and the top-level `types`/`main` older resolvers read), each entry's
 * exports compared by assignability (compare.ts), with a witness per break.
 *
 * Loads TypeScript: never reached from consensus code (node/ imports
 * infver/index.ts, which imports this lazily).
 */
import { typescript } from '../typescript.ts';
import { GopkgrError } from '../../ledger/errors.ts';
import { publicSurface, type Surface, type SurfaceEntry } from '../surface.ts';
import { bumpOfChanges, compareEntryPairs, type CheckedChange, type CheckedComparison, type EntryPair } from './compare.ts';

const ts = typescript();

export type { CheckedChange, CheckedComparison } from './compare.ts';

/** The TypeScript release this checker runs on: verdicts are comparable only between equal ones (chain param infverTypescript). */
export const TYPESCRIPT_VERSION: string = ts.version;

/** How a consumer reaches an entry: by subpath, and as an ES module importer, a CommonJS requirer, or an old resolver. */
type Bucket = string;

/** Condition preference inside a bucket: the one TypeScript itself picks first. */
const PREFERENCE = ['types', 'import', 'require', 'node', 'default'];

function rank(condition: string): number {
  const parts = condition.split('/');
  const best = Math.min(...parts.map((p) => (PREFERENCE.includes(p) ? PREFERENCE.indexOf(p) : PREFERENCE.length)));
  return best * 10 + parts.length;
}

/**
 * The conditions TypeScript matches for each kind of consumer (node16/nodenext; bundler matches the
 * import set). A target under any other condition (`module`, `browser`) is reached by no TypeScript consumer.
 */
const CONSUMERS: ReadonlyArray<[string, ReadonlySet<string>]> = [
  ['esm', new Set(['types', 'import', 'node', 'default'])],
  ['cjs', new Set(['types', 'require', 'node', 'default'])],
];

/**
 * Each consumer's entry for each subpath. A consumer is who imports (an ES module or a CommonJS one), not
 * the format of the file it lands on: an ES module importing a `types` target that is CommonJS still has
 * those types, and a file the `types` condition names serves both kinds.
 */
function bucketsOf(surface: Surface): Map<Bucket, SurfaceEntry> {
  const out = new Map<Bucket, SurfaceEntry>();
  for (const e of surface.entries) {
    const keys =
      e.condition === 'legacy'
        ? [`${e.subpath}|legacy`]
        : CONSUMERS.filter(([, conditions]) => e.condition.split('/').every((c) => conditions.has(c))).map(([mode]) => `${e.subpath}|${mode}`);
    for (const key of keys) {
      const have = out.get(key);
      if (have === undefined || rank(e.condition) < rank(have.condition)) out.set(key, e);
    }
  }
  return out;
}

function specifierOf(name: string, subpath: string): string {
  return subpath === '.' ? name : `${name}/${subpath.replace(/^\.\//, '')}`;
}

function describeBucket(name: string, key: Bucket): string {
  const [subpath, mode] = key.split('|') as [string, string];
  const spec = specifierOf(name, subpath);
  return mode === 'cjs' ? `${spec} (require)` : mode === 'legacy' ? `${spec} (types/main)` : spec;
}

export function compareSurfaces(before: Surface, after: Surface): CheckedComparison {
  const name = before.name;
  const oldBuckets = bucketsOf(before);
  const newBuckets = bucketsOf(after);
  const changes: CheckedChange[] = [];
  const pairs: EntryPair[] = [];
  const seen = new Set<string>();
  const newSubpaths = new Set(after.entries.map((e) => e.subpath));
  for (const [key, entry] of oldBuckets) {
    const label = describeBucket(name, key);
    const spec = specifierOf(name, entry.subpath);
    const next = newBuckets.get(key);
    if (next === undefined) {
      // Older resolvers' top-level types matter only when nothing else types the package's root any more.
      if (key.endsWith('|legacy') && newSubpaths.has(entry.subpath)) continue;
      const whole = !newSubpaths.has(entry.subpath);
      changes.push({
        export: entry.subpath,
        kind: 'removed',
        rule: whole ? 'entry-removed' : 'entry-format-removed',
        detail: whole ? `${spec} can no longer be imported` : `${label} is no longer typed (the subpath remains for other consumers)`,
        witness: key.endsWith('|cjs') ? `import pkg = require(${JSON.stringify(spec)});` : `import * as pkg from ${JSON.stringify(spec)};`,
        entry: label,
      });
      continue;
    }
    const pairKey = `${entry.file}\n${next.file}`;
    if (seen.has(pairKey)) continue;
    seen.add(pairKey);
    pairs.push({ specifier: spec, label, oldFile: entry.file, newFile: next.file });
  }
  for (const [key, entry] of newBuckets) {
    if (oldBuckets.has(key) || (key.endsWith('|legacy') && before.entries.some((e) => e.subpath === entry.subpath))) continue;
    changes.push({ export: entry.subpath, kind: 'added', rule: 'entry-added', detail: `${describeBucket(name, key)} is new`, entry: describeBucket(name, key) });
  }
  changes.push(...compareEntryPairs(pairs, { oldDir: before.dir, newDir: after.dir }));
  return { bump: bumpOfChanges(changes), changes: dedupe(changes) };
}

/** One change per (entry set, export, rule, detail): the same file reached two ways reports once. */
function dedupe(changes: CheckedChange[]): CheckedChange[] {
  const seen = new Set<string>();
  return changes.filter((c) => {
    const key = `${c.export}\n${c.rule}\n${c.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A package's surface, or the coded error that says it has no usable declarations. */
function surfaceOrWhyNot(dir: string): Surface | GopkgrError {
  try {
    return publicSurface(dir);
  } catch (err) {
    if (err instanceof GopkgrError && (err.code === 'INFVER_NO_DECLARATIONS' || err.code === 'INFVER_ENTRY_NOT_FOUND')) return err;
    throw err;
  }
}

/**
 * Compare two package directories. A version with no usable declarations
 * (none shipped, or pointers to files that are not there) against one with
 * some: every typed consumer breaks (major), or gets types for the first time
 * (minor). Neither side typed is the error of the new one.
 */
export function checkPackages(oldDir: string, newDir: string): CheckedComparison {
  const before = surfaceOrWhyNot(oldDir);
  const after = surfaceOrWhyNot(newDir);
  if (after instanceof GopkgrError) {
    if (before instanceof GopkgrError) throw after;
    return { bump: 'major', changes: [{ export: '.', kind: 'removed', rule: 'declarations-removed', detail: `${before.name} has no usable declarations any more: ${after.message}`, entry: before.name }] };
  }
  if (before instanceof GopkgrError) {
    return { bump: 'minor', changes: [{ export: '.', kind: 'added', rule: 'declarations-added', detail: `${after.name} ships declarations its previous version lacked (${before.message})`, entry: after.name }] };
  }
  return compareSurfaces(before, after);
}
