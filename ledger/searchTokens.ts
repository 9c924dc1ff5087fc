/**
 * The search index of exported names (state key `word:<token>:<@ns/name>`,
 * value the package id): written when a version becomes its package's newest,
 * so `GET /v1/search` finds a package by a symbol of its latest API with one
 * range read of `word:<text>`, never a scan of the state.
 *
 * A token is an export's name from the API manifest (InfVer: `exports[].name`),
 * lowercased (search is case-insensitive), kept when it is 1 to
 * MAX_SEARCH_TOKEN_LENGTH characters of `[a-z0-9_$]` (a `:` would break the key;
 * other names are skipped, not rejected: the manifest is checked elsewhere).
 * Deduplicated, sorted, at most MAX_SEARCH_TOKENS. Pure.
 */
import { MAX_SEARCH_TOKEN_LENGTH, MAX_SEARCH_TOKENS } from './constants.ts';
import type { Canonical } from './encoding.ts';
import { keys, type StateOverlay } from './state.ts';

const TOKEN_RE = new RegExp(`^[a-z0-9_$]{1,${MAX_SEARCH_TOKEN_LENGTH}}$`);

/** The search tokens of an API manifest (see the header). */
export function searchTokens(manifest: Canonical | undefined): string[] {
  const exports = (manifest as { exports?: unknown } | undefined)?.exports;
  if (!Array.isArray(exports)) return [];
  const out = new Set<string>();
  for (const e of exports) {
    const name = (e as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') continue;
    const token = name.toLowerCase();
    if (TOKEN_RE.test(token)) out.add(token);
  }
  return [...out].sort().slice(0, MAX_SEARCH_TOKENS);
}

/** Move a package's `word:` records from the tokens of its previous newest manifest to those of its new one. */
export function reindexTokens(s: StateOverlay, fullName: string, pkgId: string, before: Canonical | undefined, after: Canonical | undefined): void {
  const next = searchTokens(after);
  const keep = new Set(next);
  for (const t of searchTokens(before)) if (!keep.has(t)) s.delete(keys.word(t, fullName));
  for (const t of next) s.set(keys.word(t, fullName), pkgId);
}
