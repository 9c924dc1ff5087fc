/**
 * Which TypeScript files describe a path a package.json names, and back: which
 * JavaScript paths a TypeScript file describes. TypeScript reads `x.js` through
 * `x.d.ts` (or `x.ts` in a source package), `.mjs` through `.d.mts`/`.mts` and
 * `.cjs` through `.d.cts`/`.cts`. An unbuilt checkout names files that do
 * not exist until it is compiled, so a declaration `x.d.ts` is also read
 * through its source `x.ts` (`x.tsx`; `.d.mts` → `.mts`, `.d.cts` → `.cts`),
 * and a build folder (`dist/`, `lib/`, `build/`, `out/`) is also tried as `src/`.
 */

export const TS_EXT = /\.(d\.[mc]?ts|[mc]?ts|tsx)$/;
const BUILD_DIR = /^(\.\/)?(dist|lib|build|out)\//;
export const BUILD_DIRS = ['dist', 'lib', 'build', 'out'];

/** The TypeScript files that may describe `rel`, best first (relative to the package). */
export function declarationCandidates(rel: string): string[] {
  const out: string[] = [];
  const add = (p: string): void => {
    if (!out.includes(p)) out.push(p);
  };
  forms(rel, add);
  const swapped = rel.replace(BUILD_DIR, '$1src/');
  if (swapped !== rel) forms(swapped, add);
  return out;
}

function forms(v: string, add: (p: string) => void): void {
  if (TS_EXT.test(v)) {
    add(v);
    // Before the build, a declaration's own source is what exists: x.d.ts is built from x.ts.
    const decl = /^(.*)\.d\.(m|c)?ts$/.exec(v);
    if (decl) {
      add(`${decl[1]}.${decl[2] ?? ''}ts`);
      if (decl[2] === undefined) add(`${decl[1]}.tsx`);
    }
    return;
  }
  const js = /^(.*)\.(m|c)?js$/.exec(v);
  if (js) {
    const x = js[2] ?? '';
    add(`${js[1]}.d.${x}ts`);
    add(`${js[1]}.${x}ts`);
    if (x === '') add(`${js[1]}.tsx`);
    return;
  }
  for (const p of [`${v}.ts`, `${v}.d.ts`, `${v}.tsx`, `${v}/index.ts`, `${v}/index.d.ts`]) add(p);
}

/**
 * The paths (relative, no leading `./`) a package.json may name to reach the
 * TypeScript file `rel`: the file itself, its JavaScript twin, and for a file
 * under `src/` the same under each build folder. Used to expand `exports`
 * patterns over the files that exist.
 */
export function namesFor(rel: string): string[] {
  const out = [rel];
  const m = /^(.*?)(\.d)?\.(m|c)?(ts|tsx)$/.exec(rel);
  if (m) {
    const x = m[3] ?? '';
    if (!(m[4] === 'tsx' && x !== '')) out.push(`${m[1]}.${x}js`);
    if (m[2] === undefined && m[4] === 'ts') out.push(`${m[1]}.d.${x}ts`);
    out.push(m[1]!);
  }
  if (rel.startsWith('src/')) for (const n of [...out]) for (const b of BUILD_DIRS) out.push(`${b}/${n.slice(4)}`);
  return out;
}
