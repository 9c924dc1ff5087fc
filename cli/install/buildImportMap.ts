/**
 * `import_map.json` (WICG import maps, read by Deno and browsers): every
 * subpath a package exports maps to the module a browser-like runtime should
 * load, so `import "@ns/pkg/util"` works there as it does in node.
 *
 * Condition choice: node's own algorithm (the first key of a conditions object,
 * in the object's order, that is in the active set wins; arrays are fallbacks)
 * with the active set {browser, import, module, default}: what a browser or
 * Deno loads. `types` is never taken, nor `node`/`require` (node-only builds),
 * nor a target that is a declaration file.
 * Subpath patterns: `"./x/*": "./dist/x/*"` (nothing after the star) maps as
 * the prefix `name/x/` → `…/dist/x/`; patterns with a suffix cannot be written
 * as an import map and are left out. A package without `exports` maps its name
 * to `main` (else `index.js`) and `name/` to its directory, as node lets any
 * file of it be imported.
 */
const ACTIVE_CONDITIONS = new Set(['browser', 'import', 'module', 'default']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const strip = (t: string): string => t.replace(/^\.\//, '');

/** The target a browser-like runtime takes for one exports value, or undefined. */
function pickTarget(node: unknown): string | undefined {
  if (typeof node === 'string') return /\.d\.(?:[^/.]+\.)?[cm]?ts$/.test(node) ? undefined : node;
  if (Array.isArray(node)) {
    for (const n of node) {
      const t = pickTarget(n);
      if (t !== undefined) return t;
    }
    return undefined;
  }
  if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (!ACTIVE_CONDITIONS.has(k)) continue;
      const t = pickTarget(v);
      if (t !== undefined) return t;
    }
  }
  return undefined;
}

/** Import-map keys relative to the package name ('' is the name itself, 'x/' a prefix) → package-relative target. */
export function importsOf(packageJson: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const exp = packageJson.exports;
  if (exp === undefined) {
    out[''] = strip(typeof packageJson.main === 'string' ? packageJson.main : 'index.js');
    out['/'] = '';
    return out;
  }
  const subpaths = isObject(exp) && Object.keys(exp).some((k) => k.startsWith('.')) ? exp : { '.': exp };
  for (const [sub, value] of Object.entries(subpaths)) {
    const target = pickTarget(value);
    if (target === undefined || !sub.startsWith('.')) continue;
    const key = sub === '.' ? '' : sub.slice(1);
    if (!sub.includes('*')) out[key] = strip(target);
    else if (sub.endsWith('/*') && target.endsWith('/*') && sub.indexOf('*') === sub.length - 1) out[key.slice(0, -1)] = strip(target.slice(0, -1));
  }
  return out;
}

/** Kept for callers that want the one module the bare name loads. */
export function entryOf(packageJson: Record<string, unknown>): string {
  return importsOf(packageJson)[''] ?? 'index.js';
}

export function buildImportMap(entries: ReadonlyMap<string, Record<string, string>>): string {
  const imports: Record<string, string> = {};
  for (const name of [...entries.keys()].sort()) {
    const map = entries.get(name)!;
    for (const key of Object.keys(map).sort()) imports[`${name}${key}`] = `./node_modules/${name}/${map[key]!}`;
  }
  return JSON.stringify({ imports }, null, 2) + '\n';
}
