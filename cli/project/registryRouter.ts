/**
 * Routing every package name to one registry of `gopkgr.json` (docs/ROUTING.md):
 *
 * - a name in a registry's `namespaces` is asked of that registry only;
 * - a `chain:` tag names a registry by its `name`: an unknown name is
 *   CHAIN_TAG_UNKNOWN, and a tag naming another registry than the owner of the
 *   name's namespace is CHAIN_TAG_CONFLICT (a tag cannot send a private name out);
 * - every other name goes to the registry without `namespaces`.
 *
 * Fail closed: before the first request about any name, a registry's
 * `/v1/status` must answer with the chain id the file names. Down, timed out,
 * 401 or another chain id is a coded error naming the registry, and no other
 * registry is asked about the name: there is no fallthrough, so a private name
 * never reaches a public node because the private one was down (dependency
 * confusion, Birsan 2021).
 */
import { GopkgrError, isGopkgrError } from '../../ledger/index.ts';
import { NodeClient } from '../client.ts';
import type { PackageSource } from '../install/fetchIndex.ts';
import type { PackageJson } from '../packages.ts';
import type { RegistryConfig } from './projectFile.ts';

export class RegistryRouter implements PackageSource {
  private readonly clients = new Map<string, NodeClient>();
  private readonly checks = new Map<string, Promise<NodeClient>>();

  /**
   * `chains`: name → the `chain:` tag on its imports; `fallbackToken`: --token-file
   * or GOPKGR_TOKEN, sent to a registry without `tokenEnv`.
   */
  constructor(
    readonly registries: readonly RegistryConfig[],
    private readonly chains: Readonly<Record<string, string>> = {},
    private readonly fallbackToken?: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** The registry that owns the name's namespace, if one lists it. */
  owner(name: string): RegistryConfig | undefined {
    const ns = name.split('/')[0]!;
    return this.registries.find((r) => r.namespaces?.includes(ns) === true);
  }

  /** The registry without namespaces: every name no other registry owns. */
  catchAll(): RegistryConfig | undefined {
    return this.registries.find((r) => r.namespaces === undefined);
  }

  byChainId(chainId: string): RegistryConfig | undefined {
    return this.registries.find((r) => r.chainId === chainId);
  }

  /** The one registry asked about `name` (see the header for the rules). */
  registryFor(name: string): RegistryConfig {
    const owner = this.owner(name);
    const tag = this.chains[name];
    if (tag !== undefined) {
      const named = this.registries.find((r) => r.name === tag);
      if (named === undefined) {
        throw new GopkgrError('CHAIN_TAG_UNKNOWN', `the chain tag "${tag}" on ${name} names no registry of gopkgr.json (registries: ${this.registries.map((r) => r.name).join(', ')})`, {
          hint: /^https?:\/\//.test(tag) ? 'with a gopkgr.json, a chain tag names a registry by its "name"; add the node there' : 'add it to "registries" in gopkgr.json, or fix the tag',
        });
      }
      if (owner !== undefined && owner !== named) {
        throw new GopkgrError('CHAIN_TAG_CONFLICT', `${name} is in ${name.split('/')[0]}, which gopkgr.json routes to registry "${owner.name}" only, but its chain tag names "${named.name}"`, {
          hint: `remove the tag, or make it chain:"${owner.name}"`,
        });
      }
      return named;
    }
    if (owner !== undefined) return owner;
    const all = this.catchAll();
    if (all === undefined) {
      throw new GopkgrError('REGISTRY_NONE', `no registry of gopkgr.json serves ${name}: every registry lists namespaces, none of them ${name.split('/')[0]}`, {
        hint: 'add a registry without "namespaces" (it serves every other name), or add the namespace to one',
      });
    }
    return all;
  }

  /** The registry's client, with its token: `tokenEnv`'s value, else the fallback token. */
  clientOf(reg: RegistryConfig): NodeClient {
    let client = this.clients.get(reg.name);
    if (client === undefined) {
      const fromEnv = reg.tokenEnv === undefined ? undefined : this.env[reg.tokenEnv]?.trim();
      const token = reg.tokenEnv === undefined ? this.fallbackToken : fromEnv === '' ? undefined : fromEnv;
      client = new NodeClient(reg.node, token, reg.timeoutMs);
      this.clients.set(reg.name, client);
    }
    return client;
  }

  /** The registry's client once its /v1/status has answered with the right chain id (checked once per run). */
  ready(reg: RegistryConfig): Promise<NodeClient> {
    let check = this.checks.get(reg.name);
    if (check === undefined) {
      const client = this.clientOf(reg);
      check = this.guard(reg, undefined, async () => {
        const status = await client.status();
        if (typeof status?.chainId !== 'string') throw new GopkgrError('NODE_BAD_ANSWER', `registry "${reg.name}" (${reg.node}) answered /v1/status without a chainId`);
        if (status.chainId !== reg.chainId) {
          throw new GopkgrError('REGISTRY_WRONG_CHAIN', `registry "${reg.name}" at ${reg.node} answers for chain ${status.chainId.slice(0, 16)}…, but gopkgr.json names chain ${reg.chainId.slice(0, 16)}…; nothing was asked of it`, {
            hint: `point registries["${reg.name}"].node at a node of that chain, or fix its chainId`,
          });
        }
        return client;
      });
      this.checks.set(reg.name, check);
    }
    return check;
  }

  async lookup(name: string): Promise<{ pkg: PackageJson; url: string } | undefined> {
    const reg = this.registryFor(name);
    const client = await this.ready(reg).catch((err: unknown) => {
      throw this.about(err, name, reg);
    });
    const pkg = await this.guard(reg, name, () => client.getOptional<PackageJson>(`/v1/packages/${name}`));
    return pkg === undefined ? undefined : { pkg, url: reg.node };
  }

  /** The client to fetch `name`'s tarball from: the registry of the chain its lock entry names, else its route. */
  async tarballClient(name: string, chainId?: string): Promise<NodeClient> {
    const reg = (chainId === undefined ? undefined : this.byChainId(chainId)) ?? this.registryFor(name);
    return this.ready(reg).catch((err: unknown) => {
      throw this.about(err, name, reg);
    });
  }

  /**
   * One warning when a namespace routed to a registry of its own is claimed on
   * the catch-all registry too: the names installed from the owner might be
   * meant as the public ones, or shadowed by them. Asked only after the owner
   * answered, and about the namespace, never a package name; `GET
   * /v1/namespaces/@ns` may list its packages, which narrows the warning to the
   * names present on both. A catch-all that does not answer costs no warning.
   */
  async publicCopies(installed: Iterable<string>): Promise<string | undefined> {
    const all = this.catchAll();
    if (all === undefined) return undefined;
    const byNs = new Map<string, { owner: RegistryConfig; names: string[] }>();
    for (const name of installed) {
      const owner = this.owner(name);
      if (owner === undefined || owner === all) continue;
      const ns = name.split('/')[0]!;
      const entry = byNs.get(ns) ?? { owner, names: [] };
      entry.names.push(name);
      byNs.set(ns, entry);
    }
    const found: string[] = [];
    for (const [ns, { owner, names }] of byNs) {
      const view = await this.ready(all).then((c) => c.getOptional<{ packages?: unknown }>(`/v1/namespaces/${ns}`)).catch(() => undefined);
      if (view === undefined) continue;
      const listed = Array.isArray(view.packages) ? new Set(view.packages.map((p) => (typeof p === 'string' ? p : String((p as { name?: unknown })?.name)))) : undefined;
      const both = listed === undefined ? names : names.filter((n) => listed.has(n) || listed.has(n.split('/')[1]!));
      if (both.length > 0) found.push(`${both.sort().join(', ')} (${ns} on "${owner.name}")`);
    }
    if (found.length === 0) return undefined;
    return `warning: installed ${found.join('; ')}, whose namespace is also claimed on registry "${all.name}": gopkgr.json routes these names to their own registry only, so the ${all.name} ones were not used`;
  }

  /** Run a request to `reg`, turning a transport failure or a 401 into the registry's coded error. */
  private async guard<T>(reg: RegistryConfig, name: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.about(err, name, reg);
    }
  }

  private about(err: unknown, name: string | undefined, reg: RegistryConfig): unknown {
    const only = name === undefined ? '' : `; gopkgr.json routes ${name} to it only, so no other registry was asked`;
    if (isGopkgrError(err, 'NODE_UNREACHABLE')) {
      return new GopkgrError('REGISTRY_UNREACHABLE', `registry "${reg.name}" (${reg.node}) ${err.message.includes('timed out') ? 'timed out' : 'cannot be reached'} ${err.message.replace(/^cannot reach a gopkgr node at \S+ /, '')}${only}`, {
        hint: `start that node or fix registries["${reg.name}"].node in gopkgr.json; with a lockfile, \`gopkgr get --offline\` installs without it`,
      });
    }
    if (isGopkgrError(err, 'UNAUTHORIZED') || (isGopkgrError(err) && err.status === 401)) {
      return new GopkgrError('REGISTRY_UNAUTHORIZED', `registry "${reg.name}" (${reg.node}) refused the request (401)${reg.tokenEnv === undefined ? '' : `: check ${reg.tokenEnv}`}${only}`, {
        hint: reg.tokenEnv === undefined ? 'pass --token-file FILE or set GOPKGR_TOKEN, or name the variable in registries[].tokenEnv' : `set ${reg.tokenEnv} to the chain's API token`,
      });
    }
    if (isGopkgrError(err) && (err.code === 'REGISTRY_UNREACHABLE' || err.code === 'REGISTRY_UNAUTHORIZED' || err.code === 'REGISTRY_WRONG_CHAIN') && name !== undefined && !err.message.includes(name)) {
      return new GopkgrError(err.code, `${err.message}; gopkgr.json routes ${name} to it only, so no other registry was asked`, { hint: err.hint });
    }
    return err;
  }
}
