/**
 * bench/npm-install's tree: the real npm releases a few roots need, resolved
 * with gopkgr's own npm semantics (cli/npm/closure.ts) against the user's npm
 * registry and recorded into `.tmp/` in the layout test/support/npmRegistry.ts
 * serves: `packuments/<name, / as __>.json` trimmed to the versions the tree
 * uses (`dist-tags.latest` the newest kept), `tarballs/<name>-<version>.tgz`,
 * each checked against the registry's integrity on download. Trimming means
 * gopkgr, pnpm and npm all choose from the same versions and so resolve the
 * same tree. A recording is reused while its roots are unchanged (`tree.json`).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { parseNpmSpec, resolveClosure } from '../../cli/npm/closure.ts';
import { configuredRegistry, NpmRegistry, type NpmVersionRecord } from '../../cli/npm/registry.ts';
import { mapLimit } from '../../cli/install/fetchIndex.ts';
import { log } from '../install/process.ts';

export interface RecordedTree {
  roots: string[];
  registry: string;
  /** `name@version` of every release, dependencies before dependents */
  releases: string[];
  tarballBytes: number;
}

const fileName = (name: string): string => name.replace('/', '__');

export async function recordTree(dir: string, roots: readonly string[]): Promise<RecordedTree> {
  const marker = path.join(dir, 'tree.json');
  if (existsSync(marker)) {
    const old = JSON.parse(await readFile(marker, 'utf8')) as RecordedTree;
    if (JSON.stringify(old.roots) === JSON.stringify(roots)) return old;
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'packuments'), { recursive: true });
  await mkdir(path.join(dir, 'tarballs'), { recursive: true });
  const url = await configuredRegistry(process.cwd());
  const registry = new NpmRegistry(url);
  const t0 = performance.now();
  const closure = await resolveClosure(registry, roots.map((r) => parseNpmSpec(`npm:${r}`)));
  if (closure.unresolved.length > 0) throw new Error(`the bench tree has unresolved specs: ${JSON.stringify(closure.unresolved)}`);
  const byName = new Map<string, NpmVersionRecord[]>();
  for (const r of closure.releases) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  let tarballBytes = 0;
  await mapLimit(closure.releases, 8, async (r) => {
    const { bytes } = await registry.tarball(r);
    tarballBytes += bytes.length;
    await writeFile(path.join(dir, 'tarballs', `${fileName(r.name)}-${r.version}.tgz`), bytes);
  });
  for (const [name, records] of byName) {
    const packument = await registry.packument(name);
    const kept = Object.fromEntries(records.map((r) => [r.version, { ...r, dist: { ...r.dist, tarball: `tarballs/${fileName(name)}-${r.version}.tgz` } }]));
    const newest = records.map((r) => r.version).sort(semver.compare).at(-1)!;
    await writeFile(path.join(dir, 'packuments', `${fileName(name)}.json`), JSON.stringify({ name: packument.name, 'dist-tags': { latest: newest }, versions: kept }));
  }
  const tree: RecordedTree = { roots: [...roots], registry: url, releases: closure.releases.map((r) => `${r.name}@${r.version}`), tarballBytes };
  await writeFile(marker, JSON.stringify(tree, null, 2) + '\n');
  log(`recorded ${tree.releases.length} releases (${(tarballBytes / 1024 / 1024).toFixed(1)} MiB of tarballs) from ${url} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return tree;
}
