/**
 * GET /v1/search?q=TEXT[&limit=N]: packages whose name starts with TEXT, with
 * their latest version. `@ns` or `@ns/na` matches full names; any other text
 * matches bare names (`left` finds `@a/left-pad` and `@b/leftover`). Each is one
 * range read of sorted records on disk (`name:` and `bare:`, ledger/state.ts):
 * the cost is the answer's size, not the registry's.
 */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { send } from './respond.ts';
import { GopkgrError } from '../../ledger/errors.ts';
import { newestVersion, stateKeys, type PackageState } from '../../ledger/index.ts';
import type { Json } from '../views.ts';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;

export function searchRoutes({ node }: ApiContext): Route[] {
  const state = node.chain.state;
  return [
    route('GET', /^\/v1\/search$/, async ({ res, url }) => {
      const q = url.searchParams.get('q') ?? '';
      const byFullName = q.startsWith('@');
      if (!(byFullName ? /^@[a-z0-9-]*(\/[a-z0-9._-]*)?$/ : /^[a-z0-9._-]+$/).test(q)) {
        throw new GopkgrError('BAD_QUERY', `search text "${q.slice(0, 80)}" is not the start of a package name`, { hint: 'search by name: ?q=left-pad, ?q=@ns or ?q=@ns/left' });
      }
      const limitText = url.searchParams.get('limit');
      const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new GopkgrError('BAD_QUERY', `limit must be an integer from 1 to ${MAX_LIMIT}, got "${limitText}"`);
      const found: Array<[string, string]> = [];
      // `bare:<name>:<@ns>`: the full name is `<@ns>/<name>`.
      const fullNameOf = (key: string): string => {
        if (byFullName) return key.slice('name:'.length);
        const [, name, ns] = key.split(':');
        return `${ns}/${name}`;
      };
      for await (const [key, id] of state.entries(byFullName ? stateKeys.name(q) : `bare:${q}`)) {
        found.push([fullNameOf(key), id as string]);
        if (found.length === limit) break;
      }
      const results = await state.read((s) => found.map(([name, id]): Json => {
        const pkg = s.get(stateKeys.pkg(id)) as PackageState | undefined;
        return { name, id, latest: pkg === undefined ? null : newestVersion(pkg.versions) ?? null, versions: pkg?.versions.length ?? 0 };
      }));
      send(res, 200, { query: q, results });
    }),
  ];
}
