import { join, resolve } from 'node:path';
import { GopkgrError, fromHex, manifestHash, toHex, parseFullName, type Canonical, type PublishBody } from '../../ledger/index.ts';
import { checkLockTree, mapIndex } from '../../resolver/index.ts';
import { compareManifests, extractManifest, nextVersion, validateManifest, type Comparison } from '../../infver/index.ts';
import { parse, usageError } from '../args.ts';
import { loadIdentity } from '../context.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { findPackage } from '../packages.ts';
import { packPackage } from '../pack.ts';
import { submitAndWait, WAIT_OPTIONS, waitOptions, where } from '../submit.ts';
import { collectRequirements, depsOf, scanSources } from '../tags/index.ts';
import { LOCKFILE_NAME, readLockfile } from '../install/lockfile.ts';
import { resolveProject } from '../install/resolveProject.ts';
import type { NodeClient as Client } from '../client.ts';

/**
 * The dependency tree a publish records: deps from the package's own comment
 * tags, lock = the closed resolution against the chain (preferring the versions
 * in the package's gopkgr.lock, which are what the author built and tested with),
 * checked locally with the same rules the nodes apply.
 */
async function dependencyTree(dir: string, fullName: string, version: string, client: Client): Promise<{ deps: Record<string, string>; lock: Record<string, string> }> {
  const { requirements, chains } = collectRequirements(await scanSources(dir));
  if (requirements.length === 0) return { deps: {}, lock: {} };
  const local = await readLockfile(join(dir, LOCKFILE_NAME));
  const { solution, index } = await resolveProject({ requirements, lock: local, client, chains, rootName: fullName, preferOnly: true });
  if (solution.selected.has(fullName)) {
    throw new GopkgrError('PUBLISH_SELF_DEPENDENCY', `${fullName} depends on itself through ${[...solution.selected.keys()].filter((n) => n !== fullName).join(', ')}`, { hint: 'break the cycle before publishing' });
  }
  const deps = depsOf(requirements);
  const lock: Record<string, string> = {};
  for (const [name, v] of solution.selected) lock[`${name}@${v.version}`] = v.contentHash;
  checkLockTree(mapIndex(index), { name: fullName, version, deps }, lock);
  return { deps, lock };
}

const usage = 'gopkgr publish [DIR] [--no-wait]';

export const publish: Command = {
  name: 'publish',
  summary: 'pack a package, upload its tarball and record the version on chain',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, WAIT_OPTIONS, usage);
    if (positionals.length > 1) throw usageError('expected at most one directory', usage);
    const dir = resolve(positionals[0] ?? '.');
    const key = await loadIdentity(ctx.dataDir);
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    const wait = waitOptions(values);

    const packed = await packPackage(dir);
    const rawName = packed.packageJson.name;
    if (typeof rawName !== 'string') throw new GopkgrError('PUBLISH_NO_NAME', `${dir}/package.json has no "name"`, { hint: 'name the package @namespace/name' });
    const { ns, name } = parseFullName(rawName);
    const fullName = `${ns}/${name}`;
    ctx.err(`packed ${fullName}: ${packed.files.length} files, ${packed.tarball.length} bytes, sha256 ${packed.sha256}`);

    const existing = await findPackage(client, fullName);
    // Re-publishing the same bytes as a new version would only add noise to the chain.
    const same = existing?.versions.find((v) => v.contentHash === packed.sha256);
    if (same !== undefined) {
      throw new GopkgrError('PUBLISH_UNCHANGED', `${fullName}@${same.version} already has exactly this content (sha256 ${packed.sha256.slice(0, 16)}…)`, { hint: 'change the package before publishing a new version' });
    }
    // InfVer: the version is the previous one bumped by how the public API changed.
    const manifest = await extractManifest(dir);
    const latest = existing?.versions.at(-1)?.version;
    let comparison: Comparison | null = null;
    if (latest !== undefined) {
      const prev = await client.get<{ manifest?: unknown }>(`/v1/packages/${fullName}/${latest}`);
      comparison = compareManifests(validateManifest(prev.manifest), manifest);
    }
    const version = latest === undefined ? nextVersion(null, 'patch') : nextVersion(latest, comparison!.bump);
    if (comparison !== null) {
      ctx.err(`API change from ${latest}: ${comparison.bump}`);
      for (const c of comparison.changes) ctx.err(`  - ${c.export}: ${c.kind}: ${c.detail}`);
    }

    const tree = await dependencyTree(dir, fullName, version, client);
    if (Object.keys(tree.lock).length > 0) ctx.err(`dependency tree: ${Object.keys(tree.lock).join(', ')}`);

    await client.putBlob(packed.sha256, packed.tarball);
    let pkgId: string;
    let created: string | null = null;
    if (existing === undefined) {
      const receipt = await submitAndWait(ctx, client, key, 'create', { ns, name }, { ...wait, wait: false });
      pkgId = receipt.id;
      created = receipt.id;
    } else {
      pkgId = existing.id;
    }
    const body: PublishBody = {
      pkg: fromHex(pkgId), version, contentHash: fromHex(packed.sha256), size: packed.tarball.length,
      apiHash: manifestHash(manifest as unknown as Canonical), manifest: manifest as unknown as Canonical,
      deps: tree.deps, lock: Object.fromEntries(Object.entries(tree.lock).map(([ref, hash]) => [ref, fromHex(hash)])),
    };
    const receipt = await submitAndWait(ctx, client, key, 'publish', body, wait);
    report(ctx, {
      name: fullName, id: pkgId, version, bump: comparison?.bump ?? null, changes: comparison?.changes ?? [], contentHash: packed.sha256,
      apiHash: toHex(body.apiHash!), size: packed.tarball.length, files: packed.files, deps: tree.deps, lock: tree.lock,
      created: created !== null, tx: receipt.id, status: receipt.status, block: receipt.block ?? null, height: receipt.height ?? null,
    }, [`published ${fullName}@${version} (sha256 ${packed.sha256}) ${where(receipt)}`]);
    return 0;
  },
};
