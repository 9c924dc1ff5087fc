/**
 * What a module specifier names: a gopkgr package (`@ns/name[/subpath]`) or an
 * npm package (`name[/subpath]`, `@scope/name[/subpath]`). Kept apart from
 * parseTags.ts, which loads the TypeScript compiler (~1.3 s on a busy machine):
 * `gopkgr get` reads gopkgr.json with these on every run and must not pay for it.
 */
import { isNamespace, isNpmName, isPackageName } from '../../ledger/index.ts';

/** `name[/subpath]` of an npm package (`zod`, `@types/node/fs`) → parts, or undefined when it names none (relative, `node:`, a URL). */
export function npmSpecifier(specifier: string): { name: string; subpath: string } | undefined {
  const parts = specifier.split('/');
  const n = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, n).join('/');
  if (parts.length < n || !isNpmName(name)) return undefined;
  return { name, subpath: parts.length > n ? `/${parts.slice(n).join('/')}` : '' };
}

/** `@ns/name[/subpath]` → parts, or undefined when the specifier is not a gopkgr package. */
export function gopkgrSpecifier(specifier: string): { name: string; subpath: string } | undefined {
  if (!specifier.startsWith('@')) return undefined;
  const parts = specifier.split('/');
  if (parts.length < 2 || !isNamespace(parts[0]) || !isPackageName(parts[1])) return undefined;
  return { name: `${parts[0]}/${parts[1]}`, subpath: parts.length > 2 ? `/${parts.slice(2).join('/')}` : '' };
}
