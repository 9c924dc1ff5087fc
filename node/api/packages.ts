/** Namespaces, packages and versions as the chain's state holds them, and resolving requirements against it. */
import type { ApiContext } from './types.ts';
import { route, type Route } from './router.ts';
import { parseJson, readBody } from './body.ts';
import { notFound, send } from './respond.ts';
import { namespaceView, npmPackageView, npmReleaseView, packageVersionView, packageView, type Json } from '../views.ts';
import { isNpmName } from '../../ledger/npmRelease.ts';
import { keys as stateKeys, type NpmReleaseState } from '../../ledger/state.ts';
import { GopkgrError } from '../../ledger/errors.ts';
import { isNamespace, parseFullName } from '../../ledger/names.ts';
import { MAX_TX_BYTES } from '../../ledger/constants.ts';
import { resolveRequest } from '../../resolver/index.ts';

function npmNameOf(raw: string): string {
  const name = raw.replace(/%2[Ff]/, '/');
  if (!isNpmName(name)) throw new GopkgrError('BAD_NAME', `"${raw.slice(0, 100)}" is not an npm package name`);
  return name;
}

/** Packages one namespace answer lists (in name order); more is marked `truncated`. */
const MAX_NAMESPACE_PACKAGES = 10_000;

export function packageRoutes({ node }: ApiContext): Route[] {
  const chain = node.chain;
  return [
    // npm releases brought in by `gopkgr import`: npm:<name>, a scoped name's slash plain or as %2F (npm's own form).
    route('GET', /^\/v1\/packages\/npm:((?:@[^/]+(?:\/|%2[Ff]))?[^/@%]+)$/, async ({ res, match }) => {
      const name = npmNameOf(match[1]!);
      const view = await chain.state.read((s) => npmPackageView(s, name));
      if (view === undefined) throw notFound(`package npm:${name}`);
      send(res, 200, view);
    }),
    route('GET', /^\/v1\/packages\/npm:((?:@[^/]+(?:\/|%2[Ff]))?[^/@%]+)\/([^/]+)$/, async ({ res, match }) => {
      const name = npmNameOf(match[1]!);
      const release = await chain.state.read((s) => s.get(stateKeys.npmRelease(name, match[2]!)) as NpmReleaseState | undefined);
      if (release === undefined) throw notFound(`npm:${name}@${match[2]}`);
      send(res, 200, npmReleaseView(release));
    }),
    route('GET', /^\/v1\/packages\/(@[^/]+\/[^/]+)$/, async ({ res, match }) => {
      const { ns, name } = parseFullName(match[1]!);
      const view = await chain.state.read((s) => packageView(s, `${ns}/${name}`));
      if (view === undefined) throw notFound(`package ${ns}/${name}`);
      // The chain that answers: a private node answers public names from its replica, with the public chain's id.
      send(res, 200, { ...(view as Record<string, Json>), chainId: chain.chainIdHex });
    }),
    route('GET', /^\/v1\/packages\/(@[^/]+\/[^/]+)\/([^/]+)$/, async ({ res, match }) => {
      const { ns, name } = parseFullName(match[1]!);
      // One version: its name, its record and its manifest, not its package's other versions.
      const view = await chain.state.read((s) => packageVersionView(s, `${ns}/${name}`, match[2]!), { wholePackages: false });
      if (view === undefined) throw notFound(`${ns}/${name}@${match[2]}`);
      send(res, 200, { ...(view as Record<string, Json>), chainId: chain.chainIdHex });
    }),
    route('GET', /^\/v1\/namespaces\/(@[^/]+)$/, async ({ res, match }) => {
      if (!isNamespace(match[1])) throw new GopkgrError('BAD_NAME', `"${match[1]}" is not a namespace`);
      const view = await chain.state.read((s) => namespaceView(s, match[1]!));
      if (view === undefined) throw notFound(`namespace ${match[1]}`);
      // Its packages: one range read of the sorted `name:<@ns>/` records (ledger/state.ts), bounded.
      const packages: string[] = [];
      for await (const [key] of chain.state.entries(stateKeys.name(`${match[1]!}/`))) {
        packages.push(key.slice('name:'.length));
        if (packages.length === MAX_NAMESPACE_PACKAGES) break;
      }
      send(res, 200, { ...(view as Record<string, Json>), packages, ...(packages.length === MAX_NAMESPACE_PACKAGES ? { truncated: true } : {}) });
    }),
    // A query with a JSON body: it changes nothing (guard.ts asks no token of it).
    // With "index": true the answer also holds, under "packages", what GET
    // /v1/packages/@ns/name answers for every resolved name: a client that
    // solves for itself (gopkgr get) gets the whole tree's index in one request.
    route('POST', /^\/v1\/resolve$/, async ({ req, res }) => {
      const parsed = parseJson(await readBody(req, MAX_TX_BYTES));
      const withIndex = (parsed as { index?: unknown } | null)?.index === true;
      send(res, 200, await chain.state.read((s) => {
        const answer = resolveRequest(s, parsed);
        if (!withIndex) return answer as unknown as Json;
        const packages: Record<string, Json> = {};
        // Exactly what GET /v1/packages/@ns/name answers, the answering chain's id included.
        for (const name of Object.keys(answer.resolved)) packages[name] = { ...(packageView(s, name) as Record<string, Json>), chainId: chain.chainIdHex };
        return { ...answer, packages } as unknown as Json;
      }));
    }),
  ];
}
