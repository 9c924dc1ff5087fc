/**
 * `gopkgr get [SPEC...] [--offline]`: install what the project's comment tags
 * (and SPECs, and deps added earlier) require. Scan the sources, resolve (from
 * gopkgr.lock alone when it suffices, else against the node), fetch and verify
 * the tarballs (cache first), lay them out in node_modules all or nothing, and
 * write gopkgr.lock and import_map.json. A second run with nothing changed
 * writes nothing.
 */
import path from 'node:path';
import { GopkgrError, isGopkgrError, isRange, parseFullName } from '../../ledger/index.ts';
import type { Requirement } from '../../resolver/index.ts';
import { parse } from '../args.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
// Not through tags/index.ts, which also exports the parser: scanning loads TypeScript only when a file changed.
import { collectRequirements } from '../tags/collectRequirements.ts';
import { scanSources } from '../tags/scanSources.ts';
import { buildImportMap } from '../install/buildImportMap.ts';
import { fetchIntoStore } from '../install/fetchTarballs.ts';
import { commitInstall, planInstall, removeProjectLeftovers, skipShadowingSource } from '../install/installPackages.ts';
import { removeLeftovers } from '../install/leftovers.ts';
import { PackageStore } from '../install/packageStore.ts';
import { LOCKFILE_NAME, LOCKFILE_VERSION, readLockfile, serializeLockfile, type Lockfile } from '../install/lockfile.ts';
import { inferenceNotices, inferenceSkips, resolveProject, satisfyingVersions } from '../install/resolveProject.ts';
import { TarballCache } from '../install/tarballCache.ts';

const usage = 'gopkgr get [@ns/name[@RANGE]...] [--offline] [--dir DIR]';

/** `@ns/name` or `@ns/name@range`. */
function parseSpec(spec: string): { name: string; range?: string } {
  const at = spec.indexOf('@', 1);
  const { ns, name } = parseFullName(at < 0 ? spec : spec.slice(0, at));
  if (at < 0) return { name: `${ns}/${name}` };
  const range = spec.slice(at + 1);
  if (!isRange(range)) throw new GopkgrError('BAD_RANGE', `"${range}" in ${spec} is not a semver range`, { hint: 'for example @acme/other@^2 or @acme/other@1.2.3' });
  return { name: `${ns}/${name}`, range };
}

export const get: Command = {
  name: 'get',
  summary: 'install the packages the sources\' comment tags (and SPECs) require; write gopkgr.lock and import_map.json',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { offline: { type: 'boolean' }, dir: { type: 'string' } }, usage);
    const projectDir = path.resolve((values.dir as string | undefined) ?? '.');
    const offline = values.offline === true;
    const lockPath = path.join(projectDir, LOCKFILE_NAME);
    // First, what an earlier run that was killed left behind (its own interim state makes this run repair node_modules).
    await removeProjectLeftovers(projectDir);
    for (const sub of ['store', 'cache', 'tags']) await removeLeftovers(path.join(ctx.dataDir, sub));
    const lock = await readLockfile(lockPath);

    const imports = await scanSources(projectDir, { cacheDir: ctx.dataDir });
    const { requirements, chains, untagged } = collectRequirements(imports);
    const specs = positionals.map(parseSpec);
    const added: Record<string, string> = { ...(lock?.added ?? {}) };
    for (const s of specs) added[s.name] = s.range ?? '*';
    const all: Requirement[] = [
      ...requirements,
      ...Object.entries(added).map(([name, range]) => ({ name, range, origin: specs.some((s) => s.name === name) ? `gopkgr get ${name}` : `${LOCKFILE_NAME} "added"` })),
    ];
    for (const [name, p] of Object.entries(lock?.packages ?? {})) if (p.chain !== undefined) chains[name] ??= p.chain;

    const client = offline ? undefined : new NodeClient(ctx.nodeUrl, ctx.token);
    let resolution;
    try {
      resolution = await resolveProject({ requirements: all, lock, client, chains, rootName: 'your project' });
    } catch (err) {
      if (isGopkgrError(err, 'NODE_UNREACHABLE') && lock !== undefined) {
        throw new GopkgrError(err.code, err.message, { hint: `${err.hint ?? ''}; or run \`gopkgr get --offline\` to install from ${LOCKFILE_NAME} and the cache` });
      }
      throw err;
    }
    const { solution, index, sources } = resolution;
    // A SPEC without a range records the caret of what was chosen, as npm does.
    for (const s of specs) if (s.range === undefined) added[s.name] = `^${solution.selected.get(s.name)!.version}`;

    const satisfying = satisfyingVersions(index, solution);
    const next: Lockfile = { lockfileVersion: LOCKFILE_VERSION, added, packages: {} };
    for (const [name, v] of solution.selected) {
      const chain = chains[name];
      next.packages[name] = { version: v.version, contentHash: v.contentHash, deps: v.deps, ...(chain !== undefined ? { chain } : {}), satisfying: satisfying.get(name) ?? {} };
    }

    const targets = [...solution.selected].map(([name, v]) => ({ name, version: v.version, contentHash: v.contentHash, deps: v.deps }));
    const plan = await planInstall(projectDir, targets);
    // Tarballs are needed only for packages the store does not hold intact yet.
    const store = new PackageStore(ctx.dataDir);
    const unpack = plan.toInstall.filter((t) => store.check(t.contentHash) === undefined);
    const cache = new TarballCache(ctx.dataDir);
    const downloaded = await fetchIntoStore(unpack.map((t) => ({ ...t, source: sources.get(t.name) })), {
      cache, client, store, progress: ctx.tty,
      extract: (t) => ({ label: `${t.name}@${t.version} (sha256 ${t.contentHash.slice(0, 12)}…)`, skip: skipShadowingSource }),
    });
    const result = await commitInstall({
      projectDir,
      plan,
      store,
      files: (entries) => ({ [LOCKFILE_NAME]: serializeLockfile(next), 'import_map.json': buildImportMap(entries) }),
    });
    // Only after a successful install: a tarball that failed extraction never enters the cache.
    for (const [hash, bytes] of downloaded) cache.put(hash, bytes);

    const lines: string[] = [];
    const where = resolution.fromLockfile ? LOCKFILE_NAME : ctx.nodeUrl;
    lines.push(`resolved ${solution.selected.size} package${solution.selected.size === 1 ? '' : 's'} from ${where}`);
    for (const t of plan.toInstall) lines.push(`+ ${t.name}@${t.version}`);
    for (const n of plan.toRemove) lines.push(`- ${n}`);
    for (const [name, v] of solution.selected) if (v.deprecated) lines.push(`warning: ${name}@${v.version} is deprecated (pinned)`);
    // InfVer 2.0: say why a newer version in range was not taken.
    const notices = inferenceNotices(index, solution);
    for (const n of notices) lines.push(`note: ${n}`);
    // InfVer: the misversioned versions skipped, for scripts (--json), with the bump claimed and the testers' verdict.
    const misversioned = inferenceSkips(index, solution).filter((k) => k.version.misversioned !== undefined).map((k) => ({
      name: k.name, version: k.version.version, ...k.version.misversioned!, excludedFrom: k.excludedFrom.map((e) => e.range),
    }));
    for (const n of untagged) if (!solution.selected.has(n)) ctx.err(`note: ${n} is imported without a comment tag; if it is a gopkgr package, tag an import of it, e.g. // \`ver:"^1.0.0"\``);
    const rootFiles = result.written.filter((f) => !f.startsWith('node_modules'));
    lines.push(result.changed ? `wrote ${['node_modules', ...rootFiles].join(', ')}` : 'already up to date');
    report(ctx, {
      project: projectDir,
      fromLockfile: resolution.fromLockfile,
      packages: targets.map(({ name, version, contentHash }) => ({ name, version, contentHash })),
      installed: plan.toInstall.map((t) => t.name),
      removed: plan.toRemove,
      added,
      changed: result.changed,
      written: result.written,
      ...(notices.length > 0 ? { excluded: notices } : {}),
      ...(misversioned.length > 0 ? { misversioned } : {}),
    }, lines);
    return 0;
  },
};
