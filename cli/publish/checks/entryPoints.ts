/**
 * Every entry point a package.json declares, as consumers' tools read them:
 * `main`, `types`/`typings`, `bin`, and each `exports` subpath with each chain
 * of conditions down to a target (fallback arrays included). Without `exports`
 * and `main`, node's implicit `index.js` (and tsc's `index.d.ts`) is the entry.
 * Pure: the package.json and the installed file list in, entries out.
 */

export interface EntryPoint {
  /** how reports name it: `main`, `types`, `bin.x`, `exports["./util"].import.types` */
  field: string;
  /** the subpath a consumer imports ('.' is the bare name), undefined for bin */
  subpath?: string;
  /** the conditions on the way to the target (exports only) */
  conditions: string[];
  /** the package-relative target as written, './' dropped; may hold a `*` for subpath patterns */
  target: string;
  /** whether node runs it or only tsc reads it */
  kind: 'runtime' | 'types';
}

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
const strip = (t: string): string => t.replace(/^\.\//, '');
const isDeclaration = (t: string): boolean => /\.d\.(?:[^/.]+\.)?[cm]?ts$/.test(t);

export function entryPoints(pkg: Record<string, unknown>, files: ReadonlySet<string>): EntryPoint[] {
  const out: EntryPoint[] = [];
  if (typeof pkg.main === 'string') out.push({ field: 'main', subpath: pkg.exports === undefined ? '.' : undefined, conditions: [], target: strip(pkg.main), kind: 'runtime' });
  for (const field of ['types', 'typings'] as const) {
    const v = pkg[field];
    if (typeof v === 'string') out.push({ field, subpath: pkg.exports === undefined ? '.' : undefined, conditions: [], target: strip(v), kind: 'types' });
  }
  if (typeof pkg.bin === 'string') out.push({ field: 'bin', conditions: [], target: strip(pkg.bin), kind: 'runtime' });
  else if (isObject(pkg.bin)) for (const [k, v] of Object.entries(pkg.bin)) if (typeof v === 'string') out.push({ field: `bin.${k}`, conditions: [], target: strip(v), kind: 'runtime' });
  if (pkg.exports !== undefined) out.push(...exportEntries(pkg.exports));
  else if (pkg.main === undefined && files.has('index.js')) out.push({ field: 'index.js (implicit main)', subpath: '.', conditions: [], target: 'index.js', kind: 'runtime' });
  return out;
}

function exportEntries(exportsField: Json): EntryPoint[] {
  const out: EntryPoint[] = [];
  const walk = (node: Json, subpath: string, conditions: string[], field: string): void => {
    if (typeof node === 'string') {
      const kind = conditions.includes('types') || isDeclaration(node) ? 'types' : 'runtime';
      out.push({ field, subpath, conditions, target: strip(node), kind });
    } else if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, subpath, conditions, `${field}[${i}]`));
    } else if (isObject(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, subpath, [...conditions, k], `${field}.${k}`);
    }
    // null: the subpath is deliberately blocked; nothing to check.
  };
  const isSubpathMap = isObject(exportsField) && Object.keys(exportsField).some((k) => k.startsWith('.'));
  if (isSubpathMap) for (const [sub, v] of Object.entries(exportsField)) walk(v, sub, [], `exports[${JSON.stringify(sub)}]`);
  else walk(exportsField, '.', [], 'exports');
  return out;
}

/** The subpaths a consumer can import: exports keys without patterns, or '.' for a package without exports. */
export function importableSubpaths(entries: readonly EntryPoint[]): string[] {
  const subs = new Set<string>();
  for (const e of entries) if (e.subpath !== undefined && !e.subpath.includes('*')) subs.add(e.subpath);
  return [...subs].sort();
}

/** Whether node would take this chain of conditions for `import()` / `require()`. */
export function reachableBy(e: EntryPoint, mode: 'import' | 'require'): boolean {
  const active = new Set(['node', 'default', mode, 'node-addons']);
  return e.conditions.every((c) => active.has(c));
}
