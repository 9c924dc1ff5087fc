/**
 * GET /v1/search?q=TEXT[&limit=N]: packages whose name starts with TEXT, then
 * packages whose latest version exports a name that starts with TEXT, each with
 * its latest version; one found by its exports carries them (`symbols`, the
 * lowercased names that matched; a result found by name is as it always was).
 * `@ns` or `@ns/na` matches full names only; any other text matches bare names
 * (`left` finds `@a/left-pad` and `@b/leftover`) and exported names,
 * case-insensitively. Each is one range read of sorted records on disk
 * (`name:`, `bare:` and `word:`, ledger/state.ts and ledger/searchTokens.ts):
 * the cost is the answer's size, not the registry's. The chain records no
 * package descriptions, so there are none to search.
 */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { send } from './respond.ts';
import { GopkgrError } from '../../ledger/errors.ts';
import { MAX_SEARCH_TOKENS, newestVersion, stateKeys, type PackageState } from '../../ledger/index.ts';
import type { Json } from '../views.ts';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;
/** Matching exported names listed per result: enough to see why it matched. */
const MAX_SYMBOLS_SHOWN = 8;

export function searchRoutes({ node }: ApiContext): Route[] {
  const state = node.chain.state;
  return [
    route('GET', /^\/v1\/search$/, async ({ res, url }) => {
      const raw = url.searchParams.get('q') ?? '';
      const byFullName = raw.startsWith('@');
      if (!(byFullName ? /^@[a-z0-9-]*(\/[a-z0-9._-]*)?$/ : /^[A-Za-z0-9._$-]+$/).test(raw)) {
        throw new GopkgrError('BAD_QUERY', `search text "${raw.slice(0, 80)}" is not the start of a package name or an exported name`, { hint: 'search by name or symbol: ?q=left-pad, ?q=@ns, ?q=@ns/left or ?q=parseDate' });
      }
      const q = raw.toLowerCase();
      const limitText = url.searchParams.get('limit');
      const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new GopkgrError('BAD_QUERY', `limit must be an integer from 1 to ${MAX_LIMIT}, got "${limitText}"`);
      // full name → package id, and the exported names that matched (none for a match by name)
      const found = new Map<string, { id: string; symbols?: string[] }>();
      // `bare:<name>:<@ns>`: the full name is `<@ns>/<name>`.
      const fullNameOf = (key: string): string => {
        if (byFullName) return key.slice('name:'.length);
        const [, name, ns] = key.split(':');
        return `${ns}/${name}`;
      };
      for await (const [key, id] of state.entries(byFullName ? stateKeys.name(q) : `bare:${q}`)) {
        found.set(fullNameOf(key), { id: id as string });
        if (found.size === limit) break;
      }
      if (!byFullName && found.size < limit && /^[a-z0-9_$]+$/.test(q)) {
        // `word:<token>:<@ns/name>`. One package has at most MAX_SEARCH_TOKENS tokens, so filling
        // `limit` packages reads at most limit × MAX_SEARCH_TOKENS records.
        let read = 0;
        for await (const [key, id] of state.entries(`word:${q}`)) {
          const [, token, fullName] = key.split(':') as [string, string, string];
          const had = found.get(fullName);
          if (had === undefined) {
            if (found.size === limit) break;
            found.set(fullName, { id: id as string, symbols: [token] });
          } else if (had.symbols !== undefined && had.symbols.length < MAX_SYMBOLS_SHOWN) had.symbols.push(token);
          if (++read >= limit * MAX_SEARCH_TOKENS) break;
        }
      }
      const results = await state.read((s) => [...found].map(([name, { id, symbols }]): Json => {
        const pkg = s.get(stateKeys.pkg(id)) as PackageState | undefined;
        return { name, id, latest: pkg === undefined ? null : newestVersion(pkg.versions) ?? null, versions: pkg?.versions.length ?? 0, ...(symbols !== undefined ? { symbols } : {}) };
      }));
      send(res, 200, { query: raw, results });
    }),
  ];
}
