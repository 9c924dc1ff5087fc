/**
 * The search index of exported names (state key `word:<token>:<@ns/name>`,
 * value the package id) and of description words (`desc:<token>:<@ns/name>`):
 * written when a version becomes its package's newest, so `GET /v1/search`
 * finds a package by a symbol of its latest API, or a word of its latest
 * description, with one range read of `word:<text>` or `desc:<text>`, never a
 * scan of the state.
 *
 * A token is an export's name from the API manifest (InfVer: `exports[].name`),
 * lowercased (search is case-insensitive), kept when it is 1 to
 * MAX_SEARCH_TOKEN_LENGTH characters of `[a-z0-9_$]` (a `:` would break the key;
 * other names are skipped, not rejected: the manifest is checked elsewhere).
 * Deduplicated, sorted, at most MAX_SEARCH_TOKENS. A description's tokens are
 * its words split at anything but `[a-z0-9_$]`, lowercased, of 2 characters or
 * more and not among a few English function words: the first
 * MAX_DESCRIPTION_TOKENS distinct ones. Pure.
 */
import { MAX_DESCRIPTION_TOKENS, MAX_SEARCH_TOKEN_LENGTH, MAX_SEARCH_TOKENS } from './constants.ts';
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

/** Words that would match nearly every description: not worth a record each. */
const FUNCTION_WORDS = new Set(['an', 'and', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'is', 'it', 'of', 'on', 'or', 'the', 'to', 'with']);

/** The search tokens of a description (see the header). */
export function descriptionTokens(description: string | undefined): string[] {
  if (description === undefined) return [];
  const out = new Set<string>();
  for (const word of description.toLowerCase().split(/[^a-z0-9_$]+/)) {
    if (word.length < 2 || word.length > MAX_SEARCH_TOKEN_LENGTH || FUNCTION_WORDS.has(word)) continue;
    out.add(word);
    if (out.size === MAX_DESCRIPTION_TOKENS) break;
  }
  return [...out].sort();
}

function reindex(s: StateOverlay, keyOf: (token: string) => string, pkgId: string, before: readonly string[], next: readonly string[]): void {
  const keep = new Set(next);
  for (const t of before) if (!keep.has(t)) s.delete(keyOf(t));
  for (const t of next) s.set(keyOf(t), pkgId);
}

/** Move a package's `word:` records from the tokens of its previous newest manifest to those of its new one, and its `desc:` records likewise. */
export function reindexTokens(
  s: StateOverlay, fullName: string, pkgId: string,
  before: { manifest: Canonical | undefined; description: string | undefined }, after: { manifest: Canonical | undefined; description: string | undefined },
): void {
  reindex(s, (t) => keys.word(t, fullName), pkgId, searchTokens(before.manifest), searchTokens(after.manifest));
  reindex(s, (t) => keys.descriptionWord(t, fullName), pkgId, descriptionTokens(before.description), descriptionTokens(after.description));
}
