/**
 * `gopkgr get [SPEC...] [--offline]`: install what the project's comment tags
 * (and SPECs, and deps added earlier) require. Scan the sources, resolve (from
 * gopkgr.lock alone when it suffices, else against the node), fetch and verify
 * the tarballs (cache first), lay them out in node_modules all or nothing, and
 * write gopkgr.lock and import_map.json. A second run with nothing changed
 * writes nothing. Packages tagged `npm` are laid out by npm's rules
 * (install/npmGet.ts) beside the gopkgr ones, in the same all-or-nothing commit.
 */
import { existsSync } from 'node:fs';
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
import { npmNotes, resolveNpmForGet } from '../install/npmGet.ts';
import { npmLockOf } from '../install/npmLock.ts';
import { checkLayoutConflicts, checkNpmIntegrity, isNested, npmTargets, withNestedReinstalls } from '../install/npmLayout.ts';
import { findProjectFile } from '../project/projectFile.ts';
import { RegistryRouter } from '../project/registryRouter.ts';
import { routeLockfile } from '../project/routeLockfile.ts';
import { checkNotices, noticeLine, NOTICES_TIMEOUT_MS, refuseCritical } from '../install/notices.ts';

const usage = 'gopkgr get [@ns/name[@RANGE]...] [--offline] [--dir DIR] [--allow-advisory ID]... [--import [--registry URL]]';

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
    const { values, positionals } = parse(args, { offline: { type: 'boolean' }, dir: { type: 'string' }, import: { type: 'boolean' }, registry: { type: 'string' }, 'allow-advisory': { type: 'string', multiple: true } }, usage);
    const projectDir = path.resolve((values.dir as string | undefined) ?? '.');
    const offline = values.offline === true;
    const lockPath = path.join(projectDir, LOCKFILE_NAME);
    // First, what an earlier run that was killed left behind (its own interim state makes this run repair node_modules).
    await removeProjectLeftovers(projectDir);
    for (const sub of ['store', 'cache', 'tags']) await removeLeftovers(path.join(ctx.dataDir, sub));
    const lock = await readLockfile(lockPath);

    const imports = await scanSources(projectDir, { cacheDir: ctx.dataDir });
    const { requirements, chains, untagged, npm: npmRoots } = collectRequirements(imports);
    const specs = positionals.map(parseSpec);
    const added: Record<string, string> = { ...(lock?.added ?? {}) };
    for (const s of specs) added[s.name] = s.range ?? '*';
    const all: Requirement[] = [
      ...requirements,
      ...Object.entries(added).map(([name, range]) => ({ name, range, origin: specs.some((s) => s.name === name) ? `gopkgr get ${name}` : `${LOCKFILE_NAME} "added"` })),
    ];
    // gopkgr.json routes every name to one registry (cli/project/); without it, the one node is --node.
    const project = await findProjectFile(projectDir);
    const router = project === undefined ? undefined : new RegistryRouter(project.registries, chains, ctx.token);
    if (project !== undefined && project.overrides.size > 0) ctx.err(`warning: ${project.file}: "overrides" are checked but not applied yet by this version of gopkgr`);
    if (router === undefined) for (const [name, p] of Object.entries(lock?.packages ?? {})) if (p.chain !== undefined) chains[name] ??= p.chain;

    const client = offline ? undefined : new NodeClient(ctx.nodeUrl, ctx.token);
    let resolution;
    try {
      resolution = await resolveProject({ requirements: all, lock: router === undefined ? lock : routeLockfile(lock, router, offline), client: offline ? undefined : router ?? client, chains, rootName: 'your project' });
    } catch (err) {
      if (isGopkgrError(err, 'NODE_UNREACHABLE') && lock !== undefined) {
        throw new GopkgrError(err.code, err.message, { hint: `${err.hint ?? ''}; or run \`gopkgr get --offline\` to install from ${LOCKFILE_NAME} and the cache` });
      }
      throw err;
    }
    const { solution, index, sources } = resolution;
    // Notices on every run, asked while the rest is planned (within a timeout: with a lockfile, nothing else needed the
    // node); a critical advisory refuses before anything is fetched or written.
    const installed = [...solution.selected].map(([name, v]) => ({ name, version: v.version, contentHash: v.contentHash }));
    const noticesAsked = checkNotices({ installed, client: offline ? undefined : new NodeClient(ctx.nodeUrl, ctx.token, NOTICES_TIMEOUT_MS), router: offline ? undefined : router, chains });
    noticesAsked.catch(() => undefined);
    const npm = await resolveNpmForGet({
      roots: npmRoots, lock: lock?.npm, client, ctx,
      ...(values.import === true ? { importFrom: { registry: values.registry as string | undefined } } : {}),
    });
    checkLayoutConflicts(solution.selected.keys(), npm.tree);
    // A SPEC without a range records the caret of what was chosen, as npm does.
    for (const s of specs) if (s.range === undefined) added[s.name] = `^${solution.selected.get(s.name)!.version}`;

    const satisfying = satisfyingVersions(index, solution);
    const next: Lockfile = { lockfileVersion: LOCKFILE_VERSION, added, packages: {}, npm: npmLockOf(npm.tree) };
    for (const [name, v] of solution.selected) {
      const chain = chains[name];
      const source = sources.get(name);
      const chainId = router === undefined ? undefined : source !== undefined ? router.registries.find((r) => r.node === source)?.chainId : lock?.packages[name]?.chainId;
      next.packages[name] = { version: v.version, contentHash: v.contentHash, deps: v.deps, ...(chain !== undefined ? { chain } : {}), ...(chainId !== undefined ? { chainId } : {}), satisfying: satisfying.get(name) ?? {} };
    }

    const targets = [...solution.selected].map(([name, v]) => ({ name, version: v.version, contentHash: v.contentHash, deps: v.deps }));
    const npmByPath = new Map([...npm.tree.nodes.values()].map((n) => [n.location.slice('node_modules/'.length), n.release]));
    const npmByHash = new Map([...npm.tree.nodes.values()].map((n) => [n.release.contentHash, n.release]));
    const labelOf = (t: { name: string; version: string; contentHash: string }): string => `${t.name}@${t.version} (sha256 ${t.contentHash.slice(0, 12)}…)`;
    const checked = await noticesAsked;
    const installNotices = refuseCritical(checked.notices, (values['allow-advisory'] as string[] | undefined) ?? []);
    const plan = withNestedReinstalls(await planInstall(projectDir, [...targets, ...npmTargets(npm.tree)]));
    // Tarballs are needed only for packages the store does not hold intact yet.
    const store = new PackageStore(ctx.dataDir);
    const unpack = [...new Map(plan.toInstall.filter((t) => store.check(t.contentHash) === undefined).map((t) => [t.contentHash, t])).values()];
    const cache = new TarballCache(ctx.dataDir);
    const downloaded = await fetchIntoStore(
      await Promise.all(unpack.map(async (t) => (t.npm === true ? { ...t, name: `npm:${npmByPath.get(t.name)!.name}` } : {
        ...t, source: sources.get(t.name),
        // Through gopkgr.json: from the registry of the chain the entry came from, with that registry's token.
        ...(router === undefined || offline || existsSync(cache.pathOf(t.contentHash)) ? {} : { client: await router.tarballClient(t.name, next.packages[t.name]!.chainId) }),
      }))),
      {
        cache, client, store, progress: ctx.tty,
        // npm tarballs are unpacked as the registry serves them, once they match its sha512 too.
        check: (t, bytes) => {
          const release = npmByHash.get(t.contentHash);
          if (release !== undefined) checkNpmIntegrity(bytes, release.integrity, labelOf(t));
        },
        extract: (t) => (npmByHash.has(t.contentHash) ? { label: labelOf(t) } : { label: labelOf(t), skip: skipShadowingSource }),
      },
    );
    const result = await commitInstall({
      projectDir,
      plan,
      store,
      files: (entries) => ({ [LOCKFILE_NAME]: serializeLockfile(next), 'import_map.json': buildImportMap(new Map([...entries].filter(([n]) => !isNested(n)))) }),
    });
    // Only after a successful install: a tarball that failed extraction never enters the cache.
    for (const [hash, bytes] of downloaded) cache.put(hash, bytes);
    const shadowed = router === undefined || offline || sources.size === 0 ? undefined : await router.publicCopies(sources.keys());
    if (shadowed !== undefined) ctx.err(shadowed);

    const lines: string[] = [];
    const where = resolution.fromLockfile ? LOCKFILE_NAME : ctx.nodeUrl;
    lines.push(`resolved ${solution.selected.size} package${solution.selected.size === 1 ? '' : 's'} from ${where}`);
    if (npm.tree.nodes.size > 0) lines.push(`resolved ${npm.tree.nodes.size} npm package${npm.tree.nodes.size === 1 ? '' : 's'} from ${npm.fromLockfile ? LOCKFILE_NAME : ctx.nodeUrl}`);
    for (const i of npm.imported) lines.push(`imported ${i}`);
    const notes = npmNotes(npm.tree);
    for (const t of plan.toInstall) lines.push(`+ ${t.name}@${t.version}`);
    for (const n of plan.toRemove) lines.push(`- ${n}`);
    if (!checked.checked) for (const [name, v] of solution.selected) if (v.deprecated) lines.push(`warning: ${name}@${v.version} is deprecated (pinned)`);
    if (!ctx.json) for (const line of checked.checked ? installNotices.map(noticeLine) : [`notices not checked (${checked.unchecked}): deprecations and advisories are unknown`]) ctx.err(line);
    // InfVer 2.0: say why a newer version in range was not taken.
    const notices = inferenceNotices(index, solution);
    for (const n of notices) lines.push(`note: ${n}`);
    // InfVer: the misversioned versions skipped, for scripts (--json), with the bump claimed and the testers' verdict.
    const misversioned = inferenceSkips(index, solution).filter((k) => k.version.misversioned !== undefined).map((k) => ({
      name: k.name, version: k.version.version, ...k.version.misversioned!, excludedFrom: k.excludedFrom.map((e) => e.range),
    }));
    for (const n of untagged) if (!solution.selected.has(n)) ctx.err(`note: ${n} is imported without a comment tag; if it is a gopkgr package, tag an import of it, e.g. // \`ver:"^1.0.0"\``);
    lines.push(...notes.lines);
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
      notices: installNotices,
      noticesChecked: checked.checked,
      ...(notices.length > 0 ? { excluded: notices } : {}),
      ...(misversioned.length > 0 ? { misversioned } : {}),
      npm: [...npm.tree.nodes.values()].map((n) => ({ name: n.release.name, version: n.release.version, location: n.location, integrity: n.release.integrity, contentHash: n.release.contentHash })),
      installScripts: notes.installScripts,
      peers: notes.peers,
      ...(npm.imported.length > 0 ? { imported: npm.imported } : {}),
    }, lines);
    return 0;
  },
};
