/**
 * `gopkgr get [SPEC...] [--offline]`: install what the project's comment tags
 * (and SPECs, and deps added earlier) require. Scan the sources, resolve (from
 * gopkgr.lock alone when it suffices, else against the node), fetch and verify
 * the tarballs (cache first), lay them out in node_modules all or nothing, and
 * write gopkgr.lock and import_map.json. A second run with nothing changed
 * writes nothing. Packages tagged `npm` are laid out by npm's rules
 * (install/npmGet.ts) beside the gopkgr ones, in the same all-or-nothing commit.
 */
import path from 'node:path';
import { GopkgrError, isGopkgrError, isNpmName, isRange, parseFullName } from '../../ledger/index.ts';
import type { Requirement } from '../../resolver/index.ts';
import { parse } from '../args.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
// Not through tags/index.ts, which also exports the parser: scanning loads TypeScript only when a file changed.
import { collectRequirements } from '../tags/collectRequirements.ts';
import { scanSources } from '../tags/scanSources.ts';
import { removeProjectLeftovers } from '../install/installPackages.ts';
import { installSolution } from '../install/installSolution.ts';
import { nextLockfile } from '../install/nextLockfile.ts';
import { removeLeftovers } from '../install/leftovers.ts';
import { LOCKFILE_NAME, readLockfile } from '../install/lockfile.ts';
import { NPM_ADDED_PREFIX, npmRootRequirements, rootRequirements } from '../install/loadProject.ts';
import { inferenceNotices, inferenceSkips, resolveProject } from '../install/resolveProject.ts';
import { npmNotes, resolveNpmForGet } from '../install/npmGet.ts';
import { checkLayoutConflicts } from '../install/npmLayout.ts';
import { TarballCache } from '../install/tarballCache.ts';
import { findProjectFile } from '../project/projectFile.ts';
import { RegistryRouter } from '../project/registryRouter.ts';
import { routeLockfile } from '../project/routeLockfile.ts';
import { applyLocal, prepareOverrides } from '../project/overrides.ts';
import { dropChangedOverrides } from '../project/dropChangedOverrides.ts';
import { checkNotices, noticeLine, NOTICES_TIMEOUT_MS, refuseCritical, type Notice, type NoticeCheck } from '../install/notices.ts';
import { npmNoticeLines, npmNotices } from '../install/npmNotices.ts';
import { phase } from '../timing.ts';

const usage = 'gopkgr get [@ns/name[@RANGE] | npm:NAME[@RANGE]...] [--offline] [--dir DIR] [--allow-advisory ID]... [--import [--registry URL]]';

/**
 * `@ns/name[@range]`, or `npm:NAME[@range]` for an npm package no import names
 * (`@types/node`, a CLI): `key` is how the lockfile's "added" names it.
 */
function parseSpec(spec: string): { key: string; npmName?: string; range?: string } {
  const npm = spec.startsWith(NPM_ADDED_PREFIX);
  const body = npm ? spec.slice(NPM_ADDED_PREFIX.length) : spec;
  const at = body.indexOf('@', 1);
  const bare = at < 0 ? body : body.slice(0, at);
  let key: string;
  if (npm) {
    if (!isNpmName(bare)) throw new GopkgrError('BAD_NAME', `"${bare}" in ${spec} is not an npm package name`, { hint: 'for example npm:@types/node@^22.0.0 or npm:zod' });
    key = `${NPM_ADDED_PREFIX}${bare}`;
  } else {
    const { ns, name } = parseFullName(bare);
    key = `${ns}/${name}`;
  }
  const named = npm ? { key, npmName: bare } : { key };
  if (at < 0) return named;
  const range = body.slice(at + 1);
  if (!isRange(range)) throw new GopkgrError('BAD_RANGE', `"${range}" in ${spec} is not a semver range`, { hint: npm ? 'for example npm:@types/node@^22.0.0' : 'for example @acme/other@^2 or @acme/other@1.2.3' });
  return { ...named, range };
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

    phase('started');
    const imports = await scanSources(projectDir, { cacheDir: ctx.dataDir });
    phase('tags scanned');
    const { requirements, chains, untagged, npm: npmRoots } = collectRequirements(imports);
    // gopkgr.json routes every name to one registry (cli/project/); without it, the one node is --node.
    const project = await findProjectFile(projectDir);
    // Overrides and local packages (file: deps, workspaces): the solver's layer, made before resolving.
    const local = await prepareOverrides({ projectDir, project, lock, cache: new TarballCache(ctx.dataDir), dataDir: ctx.dataDir, log: (line) => ctx.err(line) });
    const specs = positionals.map(parseSpec);
    const added: Record<string, string> = { ...(lock?.added ?? {}) };
    for (const s of specs) added[s.key] = s.range ?? '*';
    const fromSpec = (key: string): string | undefined => (specs.some((s) => s.key === key) ? `gopkgr get ${key}` : undefined);
    const all: Requirement[] = [
      ...requirements,
      ...local.requirements,
      ...rootRequirements([], added).map((r) => ({ ...r, origin: fromSpec(r.name) ?? r.origin })),
    ];
    const router = project === undefined || project.registries.length === 0 ? undefined : new RegistryRouter(project.registries, chains, ctx.token);
    if (router === undefined) for (const [name, p] of Object.entries(lock?.packages ?? {})) if (p.chain !== undefined) chains[name] ??= p.chain;

    const client = offline ? undefined : new NodeClient(ctx.nodeUrl, ctx.token);
    let resolution;
    try {
      const unchanged = dropChangedOverrides(lock, local.specs);
      resolution = await resolveProject({ requirements: all, lock: router === undefined ? unchanged : routeLockfile(unchanged, router, offline), client: offline ? undefined : router ?? client, chains, rootName: 'your project', overrides: local.layer });
    } catch (err) {
      if (isGopkgrError(err, 'NODE_UNREACHABLE') && lock !== undefined) {
        throw new GopkgrError(err.code, err.message, { hint: `${err.hint ?? ''}; or run \`gopkgr get --offline\` to install from ${LOCKFILE_NAME} and the cache` });
      }
      throw err;
    }
    const { solution, index, sources } = resolution;
    phase('resolved');
    // Notices on every run, asked while the rest is planned and fetched (within a timeout: with a lockfile, nothing else
    // needed the node); a critical advisory refuses before anything is written to the project.
    const installed = [...solution.selected].map(([name, v]) => ({ name, version: v.version, contentHash: v.contentHash }));
    const noticesAsked = checkNotices({ installed, client: offline ? undefined : new NodeClient(ctx.nodeUrl, ctx.token, NOTICES_TIMEOUT_MS), router: offline ? undefined : router, chains, ...(resolution.views === undefined ? {} : { known: resolution.views }) });
    noticesAsked.catch(() => undefined);
    const npm = await resolveNpmForGet({
      roots: npmRootRequirements(npmRoots, added, (name) => fromSpec(`${NPM_ADDED_PREFIX}${name}`)), lock: lock?.npm, otherPlatform: lock?.npmOtherPlatform, client, ctx,
      ...(values.import === true ? { importFrom: { registry: values.registry as string | undefined } } : {}),
    });
    checkLayoutConflicts(new Set([...solution.selected.keys(), ...local.links.keys()]), npm.tree);
    // npm's deprecations come from the npm registry (install/npmNotices.ts), asked while the rest is installed.
    const npmNoticesAsked = npmNotices(npm.tree, offline, (values.registry as string | undefined), projectDir);
    npmNoticesAsked.catch(() => undefined);
    // A SPEC without a range records the caret of what was chosen, as npm does.
    for (const s of specs) {
      if (s.range !== undefined) continue;
      const version = s.npmName === undefined ? solution.selected.get(s.key)?.version : npm.tree.nodes.get(`node_modules/${s.npmName}`)?.release.version;
      if (version !== undefined) added[s.key] = `^${version}`;
    }

    const next = nextLockfile({ solution, index, sources, chains, router, lock, added, npmTree: npm.tree, ...(resolution.views === undefined ? {} : { views: resolution.views }) });
    const { report: overridden, linked } = applyLocal(next, local, solution, projectDir);
    // A critical advisory stops the install once the tarballs are in the store, before anything of the project is
    // written: the answer about notices (one request of ~1.7 s for 500 packages on a loaded node) overlaps the fetch.
    let checked: NoticeCheck = { checked: false, notices: [] };
    let installNotices: Notice[] = [];
    const gate = async (): Promise<void> => {
      checked = await noticesAsked;
      installNotices = refuseCritical(checked.notices, (values['allow-advisory'] as string[] | undefined) ?? []);
    };
    const { targets, plan, result, bins } = await installSolution({ projectDir, ctx, next, solution, sources, npmTree: npm.tree, router, offline, client, linked, gate });
    const shadowed = router === undefined || offline || sources.size === 0 ? undefined : await router.publicCopies(sources.keys());
    if (shadowed !== undefined) ctx.err(shadowed);
    phase('installed');

    const lines: string[] = [];
    const where = resolution.fromLockfile ? LOCKFILE_NAME : ctx.nodeUrl;
    lines.push(`resolved ${solution.selected.size} package${solution.selected.size === 1 ? '' : 's'} from ${where}`);
    lines.push(...overridden.lines);
    if (npm.tree.nodes.size > 0) lines.push(`resolved ${npm.tree.nodes.size} npm package${npm.tree.nodes.size === 1 ? '' : 's'} from ${npm.fromLockfile ? LOCKFILE_NAME : ctx.nodeUrl}`);
    for (const i of npm.imported) lines.push(`imported ${i}`);
    const notes = npmNotes(npm.tree, projectDir);
    for (const t of plan.toInstall) lines.push(`+ ${t.name}@${t.version}`);
    for (const n of plan.toRemove) lines.push(`- ${n}`);
    if (!checked.checked) for (const [name, v] of solution.selected) if (v.deprecated) lines.push(`warning: ${name}@${v.version} is deprecated (pinned)`);
    if (!ctx.json) for (const line of checked.checked ? installNotices.map(noticeLine) : [`notices not checked (${checked.unchecked}): deprecations and advisories are unknown`]) ctx.err(line);
    const npmChecked = await npmNoticesAsked;
    if (!ctx.json) for (const line of npmNoticeLines(npmChecked)) ctx.err(line);
    // InfVer 2.0: say why a newer version in range was not taken.
    const notices = inferenceNotices(index, solution);
    for (const n of notices) lines.push(`note: ${n}`);
    // InfVer: the misversioned versions skipped, for scripts (--json), with the bump claimed and the testers' verdict.
    const misversioned = inferenceSkips(index, solution).filter((k) => k.version.misversioned !== undefined).map((k) => ({
      name: k.name, version: k.version.version, ...k.version.misversioned!, excludedFrom: k.excludedFrom.map((e) => e.range),
    }));
    for (const n of untagged) if (!solution.selected.has(n) && !local.links.has(n)) ctx.err(`note: ${n} is imported without a comment tag; if it is a gopkgr package, tag an import of it, e.g. // \`ver:"^1.0.0"\``);
    lines.push(...notes.lines);
    if (bins.linked.length > 0) lines.push(`linked ${bins.linked.map((b) => `node_modules/${b}`).join(', ')}`);
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
      notices: [...installNotices, ...(npmChecked?.notices ?? [])],
      noticesChecked: checked.checked,
      ...(npmChecked === undefined ? {} : { npmNoticesChecked: npmChecked.checked }),
      ...(notices.length > 0 ? { excluded: notices } : {}),
      ...(misversioned.length > 0 ? { misversioned } : {}),
      npm: [...npm.tree.nodes.values()].map((n) => ({ name: n.release.name, version: n.release.version, location: n.location, integrity: n.release.integrity, contentHash: n.release.contentHash })),
      installScripts: notes.installScripts,
      peers: notes.peers,
      skippedOptional: npm.tree.skippedOptional,
      binLinks: bins.linked,
      ...(npm.imported.length > 0 ? { imported: npm.imported } : {}),
      ...(overridden.overrides.length > 0 ? { overrides: overridden.overrides } : {}),
      ...(Object.keys(overridden.links).length > 0 ? { links: overridden.links } : {}),
    }, lines);
    return 0;
  },
};
