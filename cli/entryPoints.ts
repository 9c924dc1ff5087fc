/**
 * Entry points of a packed package.json that name TypeScript sources, rewritten
 * to what the packer emitted for them (as JSR does): node cannot load a `.ts`
 * file from node_modules and the installer leaves shadowed sources out, so a
 * `main: "src/index.ts"` or `exports: "./src/index.ts"` would resolve for nobody.
 *
 * - `main`, `module`, every `bin`: the emitted `.js`.
 * - `types`, `typings`: the emitted `.d.ts`; a rewritten `main` without `types`
 *   gets one, so tsc need not guess.
 * - `exports`, every subpath, condition and fallback array: a `types` condition
 *   gets the `.d.ts`; any other target becomes `{"types": <.d.ts>, "default":
 *   <.js>}` (types first, as TypeScript requires), or just the `.js` where the
 *   same conditions object already has its own `types`.
 * Subpath patterns (`./*` → `./src/*.ts`) are mapped by the same rule on the text.
 * A `.ts` target the packer emitted nothing for is left as it is: the publish
 * checks report it with the fix. Key order is kept, so the output is a function
 * of the input.
 */
import { isDeclarationFile, isTsSource } from './sourceFiles.ts';

/** The emitted files for a package-relative TypeScript source (or pattern), or undefined when none. */
export type OutputsFor = (rel: string) => { js: string; dts: string } | undefined;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The package.json with its TypeScript entry points rewritten; the same object when nothing changes. */
export function rewriteEntryPoints(pkg: Record<string, unknown>, outputsFor: OutputsFor): Record<string, unknown> {
  let changed = false;
  const target = (value: string): { js: string; dts: string } | undefined => {
    const dotSlash = value.startsWith('./');
    const rel = value.replace(/^\.\//, '');
    if (!isTsSource(rel) || isDeclarationFile(rel)) return undefined;
    const out = outputsFor(rel);
    if (out === undefined) return undefined;
    changed = true;
    return dotSlash ? { js: `./${out.js}`, dts: `./${out.dts}` } : out;
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pkg)) {
    if ((key === 'main' || key === 'module') && typeof value === 'string') out[key] = target(value)?.js ?? value;
    else if ((key === 'types' || key === 'typings') && typeof value === 'string') out[key] = target(value)?.dts ?? value;
    else if (key === 'bin' && typeof value === 'string') out[key] = target(value)?.js ?? value;
    else if (key === 'bin' && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? target(v)?.js ?? v : v]));
    else if (key === 'exports') out[key] = rewriteExports(value as Json, target);
    else out[key] = value;
  }
  // A main rewritten from a source: name its declarations too, unless exports or types already do.
  if (typeof pkg.main === 'string' && out.main !== pkg.main && pkg.types === undefined && pkg.typings === undefined) {
    const dts = target(pkg.main)?.dts;
    if (dts !== undefined) out.types = dts;
  }
  return changed ? out : pkg;
}

function rewriteExports(value: Json, target: (v: string) => { js: string; dts: string } | undefined): Json {
  const visit = (node: Json, condition: string | undefined, siblingTypes: boolean): Json => {
    if (typeof node === 'string') {
      const out = target(node);
      if (out === undefined) return node;
      if (condition === 'types') return out.dts;
      return siblingTypes ? out.js : { types: out.dts, default: out.js };
    }
    if (Array.isArray(node)) return node.map((n) => visit(n, condition, siblingTypes));
    if (isObject(node)) {
      const hasTypes = Object.hasOwn(node, 'types');
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v, k.startsWith('.') ? undefined : k, hasTypes)]));
    }
    return node;
  };
  return visit(value, undefined, false);
}

function isObject(v: unknown): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
