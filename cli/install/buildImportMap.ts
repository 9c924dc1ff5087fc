/**
 * `import_map.json` (WICG import maps, read by Deno and browsers): each installed
 * package's bare name maps to its entry module, and `name/` to its directory for
 * subpath imports. The entry is package.json's `exports["."]` (its `import` or
 * `default` condition), else `main`, else `index.js`.
 */
export function entryOf(packageJson: Record<string, unknown>): string {
  const pick = (x: unknown): string | undefined => {
    if (typeof x === 'string') return x;
    if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
      const o = x as Record<string, unknown>;
      return pick(o['.']) ?? pick(o.import) ?? pick(o.default);
    }
    return undefined;
  };
  const entry = pick(packageJson.exports) ?? (typeof packageJson.main === 'string' ? packageJson.main : undefined) ?? 'index.js';
  return entry.replace(/^\.\//, '');
}

export function buildImportMap(entries: ReadonlyMap<string, string>): string {
  const imports: Record<string, string> = {};
  for (const name of [...entries.keys()].sort()) {
    imports[name] = `./node_modules/${name}/${entries.get(name)!}`;
    imports[`${name}/`] = `./node_modules/${name}/`;
  }
  return JSON.stringify({ imports }, null, 2) + '\n';
}
