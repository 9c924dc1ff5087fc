/**
 * GET /v1/search?q=TEXT[&limit=N]: packages whose name starts with TEXT, then
 * packages whose latest version exports a name that starts with TEXT, then
 * packages whose latest description has a word that starts with TEXT; each
 * with its latest version and that version's description. One found by its
 * exports carries them (`symbols`, the lowercased names that matched).
 * `@ns` or `@ns/na` matches full names only; any other text matches bare names
 * (`left` finds `@a/left-pad` and `@b/leftover`), exported names and
 * description words, case-insensitively. Several words (`q=parse date`) find
 * the packages the first word finds whose name or description also has a word
 * starting with each of the others, as npm's search does. Each word is one
 * range read of sorted records on disk (`name:`, `bare:`, `word:` and `desc:`,
 * ledger/state.ts and ledger/searchTokens.ts), bounded by `limit`: the cost is
 * the answer's size, not the registry's.
 */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { send } from './respond.ts';
import { GopkgrError } from '../../ledger/errors.ts';
import { descriptionTokens, MAX_DESCRIPTION_TOKENS, MAX_SEARCH_TOKENS, newestVersion, stateKeys, type PackageState, type VersionState } from '../../ledger/index.ts';
import type { StateReader } from '../../ledger/state.ts';
import type { Json } from '../views.ts';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;
/** Matching exported names listed per result: enough to see why it matched. */
const MAX_SYMBOLS_SHOWN = 8;
/** Words in one query: a phrase, not a document. */
const MAX_WORDS = 8;
/** With several words, the first word's candidates read per result wanted: the others filter them. */
const CANDIDATES_PER_RESULT = 10;

interface Found { id: string; symbols?: string[] }

/** What the query's text names: one `@ns[/na]` prefix, or 1 to MAX_WORDS words of a name, an export or a description. */
function parseQuery(raw: string): { byFullName: true; q: string } | { byFullName: false; words: string[] } {
  if (raw.startsWith('@')) {
    if (!/^@[a-z0-9-]*(\/[a-z0-9._-]*)?$/.test(raw)) badQuery(raw);
    return { byFullName: true, q: raw.toLowerCase() };
  }
  const words = raw.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0 || words.length > MAX_WORDS || !words.every((w) => /^[A-Za-z0-9._$-]+$/.test(w))) badQuery(raw);
  return { byFullName: false, words: words.map((w) => w.toLowerCase()) };
}

function badQuery(raw: string): never {
  throw new GopkgrError('BAD_QUERY', `search text "${raw.slice(0, 80)}" is not the start of a package name, an exported name, or up to ${MAX_WORDS} words of a description`, { hint: 'search by name, symbol or words: ?q=left-pad, ?q=@ns, ?q=@ns/left, ?q=parseDate or ?q=parse%20date' });
}

/** The words a package's name is found by: the bare name and its parts (`left-pad` → left-pad, left, pad). */
const nameTokens = (fullName: string): string[] => {
  const bare = fullName.slice(fullName.indexOf('/') + 1).toLowerCase();
  return [bare, ...bare.split(/[-._]+/)];
};

export function searchRoutes({ node }: ApiContext): Route[] {
  const state = node.chain.state;

  /** One word's matches in order (name, exports, description), up to `limit` packages. */
  async function matchesOf(word: string, limit: number, found = new Map<string, Found>()): Promise<Map<string, Found>> {
    // `bare:<name>:<@ns>`: the full name is `<@ns>/<name>`.
    for await (const [key, id] of state.entries(`bare:${word}`)) {
      if (found.size === limit) return found;
      const [, name, ns] = key.split(':');
      if (!found.has(`${ns}/${name}`)) found.set(`${ns}/${name}`, { id: id as string });
    }
    if (!/^[a-z0-9_$]+$/.test(word)) return found;
    // `word:<token>:<@ns/name>`. One package has at most MAX_SEARCH_TOKENS tokens, so filling
    // `limit` packages reads at most limit × MAX_SEARCH_TOKENS records; likewise `desc:`.
    let read = 0;
    for await (const [key, id] of state.entries(`word:${word}`)) {
      const [, token, fullName] = key.split(':') as [string, string, string];
      const had = found.get(fullName);
      if (had === undefined) {
        if (found.size === limit) return found;
        found.set(fullName, { id: id as string, symbols: [token] });
      } else if (had.symbols !== undefined && had.symbols.length < MAX_SYMBOLS_SHOWN) had.symbols.push(token);
      if (++read >= limit * MAX_SEARCH_TOKENS) return found;
    }
    read = 0;
    for await (const [key, id] of state.entries(`desc:${word}`)) {
      const fullName = key.slice(key.indexOf(':', 'desc:'.length) + 1);
      if (!found.has(fullName)) {
        if (found.size === limit) return found;
        found.set(fullName, { id: id as string });
      }
      if (++read >= limit * MAX_DESCRIPTION_TOKENS) return found;
    }
    return found;
  }

  const latestOf = (s: StateReader, id: string): { pkg?: PackageState; latest?: string; version?: VersionState } => {
    const pkg = s.get(stateKeys.pkg(id)) as PackageState | undefined;
    const latest = pkg === undefined ? undefined : newestVersion(pkg.versions);
    const version = latest === undefined ? undefined : (s.get(stateKeys.version(id, latest)) as VersionState | undefined);
    return { ...(pkg !== undefined ? { pkg } : {}), ...(latest !== undefined ? { latest } : {}), ...(version !== undefined ? { version } : {}) };
  };

  return [
    route('GET', /^\/v1\/search$/, async ({ res, url }) => {
      const raw = url.searchParams.get('q') ?? '';
      const query = parseQuery(raw);
      const limitText = url.searchParams.get('limit');
      const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new GopkgrError('BAD_QUERY', `limit must be an integer from 1 to ${MAX_LIMIT}, got "${limitText}"`);
      let found = new Map<string, Found>();
      if (query.byFullName) {
        for await (const [key, id] of state.entries(stateKeys.name(query.q))) {
          found.set(key.slice('name:'.length), { id: id as string });
          if (found.size === limit) break;
        }
      } else {
        const [first, ...rest] = query.words as [string, ...string[]];
        found = await matchesOf(first, rest.length === 0 ? limit : limit * CANDIDATES_PER_RESULT);
      }
      const results = await state.read((s) => {
        const out: Json[] = [];
        for (const [name, { id, symbols }] of found) {
          const { pkg, latest, version } = latestOf(s, id);
          if (!query.byFullName && query.words.length > 1) {
            const tokens = [...nameTokens(name), ...descriptionTokens(version?.description)];
            if (!query.words.slice(1).every((w) => tokens.some((t) => t.startsWith(w)))) continue;
          }
          out.push({
            name, id, latest: latest ?? null, versions: pkg?.versions.length ?? 0,
            ...(version?.description !== undefined ? { description: version.description } : {}), ...(symbols !== undefined ? { symbols } : {}),
          });
          if (out.length === limit) break;
        }
        return out;
      });
      send(res, 200, { query: raw, results });
    }),
  ];
}
