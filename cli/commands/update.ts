/**
 * `gopkgr update [NAME...]`: the app-wide upgrade (install/resolveUpdate.ts).
 * Every dependency, or the named ones (deep ones too), to the newest version
 * that satisfies every range on it, one version per package, ignoring the
 * locked versions and the dependents' recorded lock trees for those names.
 * npm packages (`npm:name`) likewise lose their locked versions and take the
 * newest release on chain each range admits, laid out again as npm would.
 * Installed through the same all-or-nothing path as `get`
 * (install/installSolution.ts); the `added` entries stay as they were, so an
 * update leaves nothing permanent behind but the new lockfile.
 */
import { GopkgrError, parseFullName } from '../../ledger/index.ts';
import { parse } from '../args.ts';
import { report, type Command } from '../command.ts';
import { NodeClient } from '../client.ts';
import { installSolution } from '../install/installSolution.ts';
import { nextLockfile } from '../install/nextLockfile.ts';
import { checkNotices, noticeLine, NOTICES_TIMEOUT_MS, refuseCritical } from '../install/notices.ts';
import { npmNoticeLines, npmNotices } from '../install/npmNotices.ts';
import { LOCKFILE_NAME } from '../install/lockfile.ts';
import { loadProject, packageSource, prepareLocal, rootRequirements } from '../install/loadProject.ts';
import { applyLocal } from '../project/overrides.ts';
import { resolveNpmForGet } from '../install/npmGet.ts';
import { checkLayoutConflicts } from '../install/npmLayout.ts';
import { namesOtherNodes } from '../install/fetchTree.ts';
import { resolveUpdate } from '../install/resolveUpdate.ts';
import { phase } from '../timing.ts';

const usage = 'gopkgr update [@ns/name | npm:name ...] [--dir DIR] [--allow-advisory ID]...';

export const update: Command = {
  name: 'update',
  summary: 'upgrade every dependency (or the named ones, deep ones too) to the newest version every range allows; rewrite gopkgr.lock and node_modules',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { dir: { type: 'string' }, 'allow-advisory': { type: 'string', multiple: true } }, usage);
    phase('started');
    const p = await loadProject(values.dir as string | undefined, ctx, { repair: true });
    phase('project loaded');
    const added = { ...(p.lock?.added ?? {}) };
    const requirements = rootRequirements(p.tagged, added);
    const npmNames = new Set(positionals.filter((n) => n.startsWith('npm:')).map((n) => n.slice(4)));
    for (const n of npmNames) {
      if (!Object.values(p.lock?.npm ?? {}).some((e) => e.name === n) && !p.npmRoots.some((r) => r.name === n)) {
        throw new GopkgrError('NOT_A_DEPENDENCY', `npm:${n} is not a dependency of ${p.projectDir} (not in ${LOCKFILE_NAME}, no tag imports it)`, { hint: `to add it, tag an import of it with \`npm:"RANGE"\`, or run \`gopkgr get npm:${n}\`` });
      }
    }
    const names = positionals.length === 0 ? undefined : new Set(positionals.filter((n) => !n.startsWith('npm:')).map((n) => {
      const { ns, name } = parseFullName(n);
      const full = `${ns}/${name}`;
      if (p.lock?.packages[full] === undefined && !requirements.some((r) => r.name === full)) {
        throw new GopkgrError('NOT_A_DEPENDENCY', `${full} is not a dependency of ${p.projectDir} (not in ${LOCKFILE_NAME}, no tag imports it)`, { hint: `to add it, tag an import of it or run \`gopkgr get ${full}\`` });
      }
      return full;
    }));
    const { source, client } = packageSource(p, ctx);
    const local = await prepareLocal(p, ctx);
    // One node answering for every name (no gopkgr.json, no tag naming another node): its whole tree in one request.
    const tree = p.router === undefined && !namesOtherNodes(p.chains, client) ? { tree: client } : {};
    const resolution = await resolveUpdate({ requirements: [...requirements, ...local.requirements], lock: p.lock, source, ...tree, ...(names !== undefined ? { names } : {}), rootName: 'your project', overrides: local.layer });
    const { solution, index, sources } = resolution;
    phase('resolved');
    // npm packages: every one (no names), or the named ones, loses its lock preference; the rest keep their locked versions.
    const npmLock = positionals.length === 0 ? undefined : Object.fromEntries(Object.entries(p.lock?.npm ?? {}).filter(([, e]) => !npmNames.has(e.name)));
    const npm = await resolveNpmForGet({ roots: p.npmRoots, ...(npmLock === undefined ? {} : { lock: npmLock, otherPlatform: p.lock?.npmOtherPlatform }), client, ctx });
    checkLayoutConflicts(new Set([...solution.selected.keys(), ...local.links.keys()]), npm.tree);
    const npmNoticesAsked = npmNotices(npm.tree, false, undefined, p.projectDir);
    npmNoticesAsked.catch(() => undefined);
    // As on get: what the chain says of the versions about to be installed, and a critical advisory refuses before anything is written.
    const installed = [...solution.selected].map(([name, v]) => ({ name, version: v.version, contentHash: v.contentHash }));
    const checked = await checkNotices({ installed, client: new NodeClient(ctx.nodeUrl, ctx.token, NOTICES_TIMEOUT_MS), router: p.router, chains: p.chains, ...(resolution.views === undefined ? {} : { known: resolution.views }) });
    const installNotices = refuseCritical(checked.notices, (values['allow-advisory'] as string[] | undefined) ?? []);
    if (!ctx.json) for (const line of checked.checked ? installNotices.map(noticeLine) : [`notices not checked (${checked.unchecked}): deprecations and advisories are unknown`]) ctx.err(line);
    const npmChecked = await npmNoticesAsked;
    if (!ctx.json) for (const line of npmNoticeLines(npmChecked)) ctx.err(line);
    phase('notices checked');
    const next = nextLockfile({ solution, index, sources, chains: p.chains, router: p.router, lock: p.lock, added, npmTree: npm.tree });
    const { report: overridden, linked } = applyLocal(next, local, solution, p.projectDir);
    const { plan, result } = await installSolution({ projectDir: p.projectDir, ctx, next, solution, sources, npmTree: npm.tree, router: p.router, offline: false, client, linked });
    const shadowed = p.router === undefined || sources.size === 0 ? undefined : await p.router.publicCopies(sources.keys());
    if (shadowed !== undefined) ctx.err(shadowed);
    phase('installed');

    const updated: Array<{ name: string; location?: string; from: string | null; to: string }> = [];
    for (const [name, v] of solution.selected) {
      const was = p.lock?.packages[name]?.version ?? null;
      if (was !== v.version) updated.push({ name, from: was, to: v.version });
    }
    // npm copies by location: a changed version, a new copy or a copy gone.
    const lockedNpm = p.lock?.npm ?? {};
    for (const [location, node] of npm.tree.nodes) {
      const was = lockedNpm[location];
      if (was?.name === node.release.name && was.version === node.release.version) continue;
      updated.push({ name: `npm:${node.release.name}`, location, from: was?.name === node.release.name ? was.version : null, to: node.release.version });
    }
    const removedNpm = Object.keys(lockedNpm).filter((l) => !npm.tree.nodes.has(l)).sort();
    const removed = Object.keys(p.lock?.packages ?? {}).filter((n) => !solution.selected.has(n)).sort();
    const lines: string[] = [...overridden.lines];
    const at = (u: { location?: string }): string => (u.location !== undefined && u.location.split('/node_modules/').length > 1 ? ` (${u.location})` : '');
    for (const u of updated) lines.push(u.from === null ? `+ ${u.name}@${u.to}${at(u)}` : `${u.name} ${u.from} → ${u.to}${at(u)}`);
    for (const n of removed) lines.push(`- ${n}`);
    for (const l of removedNpm) lines.push(`- npm:${lockedNpm[l]!.name}@${lockedNpm[l]!.version} (${l})`);
    for (const [name, v] of solution.selected) if (v.deprecated) lines.push(`warning: ${name}@${v.version} is deprecated (pinned)`);
    if (updated.length === 0 && removed.length === 0 && removedNpm.length === 0) lines.push(`every package is at the newest version its ranges allow (${solution.selected.size + npm.tree.nodes.size} checked)`);
    const rootFiles = result.written.filter((f) => !f.startsWith('node_modules'));
    lines.push(result.changed ? `wrote ${['node_modules', ...rootFiles].join(', ')}` : 'already up to date');
    report(ctx, {
      project: p.projectDir,
      updated,
      removed,
      ...(removedNpm.length === 0 ? {} : { removedNpm: removedNpm.map((l) => ({ name: `npm:${lockedNpm[l]!.name}`, location: l, version: lockedNpm[l]!.version })) }),
      installed: plan.toInstall.map((t) => t.name),
      packages: [...solution.selected].map(([name, v]) => ({ name, version: v.version, contentHash: v.contentHash })),
      changed: result.changed,
      written: result.written,
      notices: [...installNotices, ...(npmChecked?.notices ?? [])],
      noticesChecked: checked.checked,
      ...(npmChecked === undefined ? {} : { npmNoticesChecked: npmChecked.checked }),
    }, lines);
    return 0;
  },
};
