/**
 * Names of TypeScript sources and of what tsc emits for them: plain string
 * rules, kept apart from compile.ts so that installing (which needs them) never
 * loads the TypeScript compiler.
 */
import { GopkgrError } from '../ledger/index.ts';

/** A `.ts`/`.tsx`/`.mts`/`.cts` file that is not a declaration file. */
export function isTsSource(rel: string): boolean {
  return /\.(?:[cm]?ts|tsx)$/.test(rel) && !isDeclarationFile(rel);
}

/** `x.d.ts`, `x.d.mts`, `x.d.cts`, and TS 5's arbitrary-extension `x.d.css.ts`. */
export function isDeclarationFile(rel: string): boolean {
  return /\.d\.(?:[^/.]+\.)?[cm]?ts$/.test(rel);
}

/**
 * The two files tsc emits for a source with our options: `.ts`/`.tsx` give `.js` +
 * `.d.ts`, `.mts` gives `.mjs` + `.d.mts`, `.cts` gives `.cjs` + `.d.cts`.
 * (With the package's own `jsx: preserve` a `.tsx` emits `.jsx`; the packer takes
 * whatever tsc actually writes, this is only what "already built" looks for.)
 */
export function expectedOutputs(rel: string): { js: string; dts: string } {
  const m = /\.([cm]?)tsx?$/.exec(rel);
  if (m === null) throw new GopkgrError('PACK_INTERNAL', `${rel} is not a TypeScript source`);
  const stem = rel.slice(0, m.index);
  const flavour = m[1] ?? '';
  return { js: `${stem}.${flavour}js`, dts: `${stem}.d.${flavour}ts` };
}

/**
 * A test file by the usual conventions: a `*.test.*` or `*.spec.*` name, or a
 * path under a `test/`, `tests/` or `__tests__/` directory. Publishing neither
 * type-checks nor emits them (they are packed as written for testers, which
 * compile them with gopkgr's own types for node:test and node:assert), so a
 * package does not need `@types/node` just because it has tests.
 */
export function isTestFile(rel: string): boolean {
  return /\.(?:test|spec)\.[cm]?[jt]sx?$/.test(rel) || /(?:^|\/)(?:test|tests|__tests__)\//.test(rel);
}
