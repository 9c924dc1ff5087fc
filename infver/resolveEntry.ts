/**
 * Find a package's TypeScript entry file, in the order the issue fixes:
 * package.json `exports` (the "." entry; conditions `types`, `import`,
 * `default`, `node`, `require`), then `types`/`typings`, then `main`, then
 * `index.ts`. A JavaScript target is mapped to the declaration or source that
 * describes it (`x.js` → `x.d.ts`, `x.ts`, `x.tsx`; `.mjs` → `.d.mts`, `.mts`;
 * `.cjs` → `.d.cts`, `.cts`), and a build folder (`dist/`, `lib/`, `build/`,
 * `out/`) is also tried as `src/`, because an unbuilt checkout points `main`
 * at files that do not exist yet. Only the root entry is API: subpath exports
 * are not read (see the README).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { GopkgrError } from '../ledger/index.ts';

export interface PackageEntry {
  /** package.json `name`, or the directory's name when it has none */
  name: string;
  /** absolute package directory */
  dir: string;
  /** absolute path of the entry file */
  entry: string;
}

const CONDITIONS = ['types', 'import', 'default', 'node', 'require'];
const TS_EXT = /\.(d\.[mc]?ts|[mc]?ts|tsx)$/;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Every path an `exports` value may point at for the root entry, best first. */
function exportTargets(value: Json | undefined, out: string[], depth = 0): void {
  if (value === undefined || value === null || depth > 8) return;
  if (typeof value === 'string') {
    out.push(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) exportTargets(v, out, depth + 1);
    return;
  }
  if (typeof value !== 'object') return;
  const keys = Object.keys(value);
  if (keys.some((k) => k.startsWith('.'))) {
    exportTargets(value['.'], out, depth + 1);
    return;
  }
  for (const c of CONDITIONS) if (c in value) exportTargets(value[c], out, depth + 1);
  for (const k of keys) if (!CONDITIONS.includes(k)) exportTargets(value[k], out, depth + 1);
}

/** The TypeScript files that may describe `rel`, in preference order. */
function tsCandidates(rel: string): string[] {
  const variants = [rel];
  const swapped = rel.replace(/^(\.\/)?(dist|lib|build|out)\//, '$1src/');
  if (swapped !== rel) variants.push(swapped);
  const out: string[] = [];
  for (const v of variants) {
    if (TS_EXT.test(v)) {
      out.push(v);
      continue;
    }
    const m = /^(.*)\.(m|c)?js$/.exec(v);
    if (m) {
      const x = m[2] ?? '';
      out.push(`${m[1]}.d.${x}ts`, `${m[1]}.${x}ts`);
      if (x === '') out.push(`${m[1]}.tsx`);
      continue;
    }
    out.push(`${v}.ts`, `${v}.d.ts`, `${v}.tsx`, `${v}/index.ts`, `${v}/index.d.ts`);
  }
  return out;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function resolveEntry(dirArg: string): PackageEntry {
  const dir = resolve(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new GopkgrError('INFVER_NOT_A_DIRECTORY', `${dir} is not a directory`, {
      hint: 'pass the folder that holds the package.json',
    });
  }
  const pkgPath = join(dir, 'package.json');
  if (!isFile(pkgPath)) {
    throw new GopkgrError('INFVER_NO_PACKAGE_JSON', `no package.json in ${dir}`, {
      hint: 'InfVer reads the entry point from package.json; create one with a "name" and "types" or "exports"',
    });
  }
  let pkg: { [k: string]: Json };
  try {
    const parsed: unknown = JSON.parse(readFileSync(pkgPath, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    pkg = parsed as { [k: string]: Json };
  } catch (err) {
    throw new GopkgrError('INFVER_BAD_PACKAGE_JSON', `${pkgPath} is not a JSON object: ${(err as Error).message}`);
  }
  const name = typeof pkg['name'] === 'string' && pkg['name'] !== '' ? pkg['name'] : basename(dir);

  const targets: string[] = [];
  exportTargets(pkg['exports'], targets);
  for (const field of ['types', 'typings', 'main']) {
    const v = pkg[field];
    if (typeof v === 'string') targets.push(v);
  }
  targets.push('index.ts');

  const tried: string[] = [];
  for (const t of targets) {
    for (const c of tsCandidates(t)) {
      const abs = resolve(dir, c);
      // An entry outside the package would make the API depend on whatever sits next to it.
      if (!abs.startsWith(dir + '/')) continue;
      if (!tried.includes(c)) tried.push(c);
      if (isFile(abs)) return { name, dir, entry: abs };
    }
  }
  throw new GopkgrError('INFVER_ENTRY_NOT_FOUND', `no TypeScript entry found in ${dir} (tried ${tried.join(', ')})`, {
    hint: 'set "types" (or "exports") in package.json to the entry .ts or .d.ts file',
  });
}
