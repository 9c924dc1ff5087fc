/**
 * `gopkgr remove NAME...`: drop packages from gopkgr.lock's `added` (what
 * `gopkgr get NAME` or `gopkgr get npm:NAME` put there) and reinstall through
 * the same resolution and all-or-nothing install as `get`. A package a comment
 * tag still imports stays installed, and the command says where the tag is:
 * tags, not this command, decide what the sources need.
 */
import { GopkgrError, isGopkgrError, parseFullName } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { report, type Command } from '../command.ts';
import { installSolution } from '../install/installSolution.ts';
import { nextLockfile } from '../install/nextLockfile.ts';
import { LOCKFILE_NAME } from '../install/lockfile.ts';
import { loadProject, NPM_ADDED_PREFIX, npmRootRequirements, packageSource, prepareLocal, requireLock, rootRequirements } from '../install/loadProject.ts';
import { resolveNpmForGet } from '../install/npmGet.ts';
import { checkLayoutConflicts } from '../install/npmLayout.ts';
import { resolveProject } from '../install/resolveProject.ts';
import { applyLocal } from '../project/overrides.ts';
import { dropChangedOverrides } from '../project/dropChangedOverrides.ts';
import { routeLockfile } from '../project/routeLockfile.ts';

const usage = 'gopkgr remove @ns/name|npm:NAME... [--offline] [--dir DIR]';

export const remove: Command = {
  name: 'remove',
  summary: 'drop packages added with `gopkgr get NAME` from gopkgr.lock and reinstall (a package a tag still imports stays)',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { dir: { type: 'string' }, offline: { type: 'boolean' } }, usage);
    if (positionals.length === 0) throw usageError('name the packages to remove', usage);
    const offline = values.offline === true;
    const p = await loadProject(values.dir as string | undefined, ctx, { repair: true });
    const lock = requireLock(p, 'gopkgr remove');
    const added = { ...lock.added };
    const lines: string[] = [];
    const stillTagged: Array<{ name: string; at: string[] }> = [];
    for (const spec of positionals) {
      const npmName = spec.startsWith(NPM_ADDED_PREFIX) ? spec.slice(NPM_ADDED_PREFIX.length) : undefined;
      let name = spec;
      if (npmName === undefined) {
        const { ns, name: bare } = parseFullName(spec);
        name = `${ns}/${bare}`;
      }
      const tags = (npmName === undefined ? p.tagged.filter((r) => r.name === name) : p.npmTagged.filter((r) => r.name === npmName)).map((r) => r.origin ?? '');
      const installed = npmName === undefined ? lock.packages[name] !== undefined : Object.values(lock.npm ?? {}).some((e) => e.name === npmName);
      if (added[name] === undefined) {
        throw new GopkgrError('NOT_ADDED', tags.length > 0
          ? `${name} is not in ${LOCKFILE_NAME} "added": the tag at ${tags[0]} imports it`
          : `${name} is not in ${LOCKFILE_NAME} "added"${installed ? ': another package depends on it (see `gopkgr why ' + name + '`)' : ''}`, {
          hint: tags.length > 0 ? `remove the import at ${tags.join(', ')}, then run \`gopkgr get\`` : `"added" holds: ${Object.keys(added).join(', ') || 'nothing'}`,
        });
      }
      delete added[name];
      if (tags.length > 0) stillTagged.push({ name, at: tags });
    }
    const local = await prepareLocal(p, ctx);
    const requirements = [...rootRequirements(p.tagged, added), ...local.requirements];
    const { client } = packageSource(p, ctx);
    let resolution;
    try {
      const unchanged = dropChangedOverrides(lock, local.specs)!;
      resolution = await resolveProject({ requirements, lock: p.router === undefined ? unchanged : routeLockfile(unchanged, p.router, offline), client: offline ? undefined : p.router ?? client, chains: p.chains, rootName: 'your project', overrides: local.layer });
    } catch (err) {
      if (isGopkgrError(err, 'NODE_UNREACHABLE')) throw new GopkgrError(err.code, err.message, { hint: `${err.hint ?? ''}; or run \`gopkgr remove --offline\`` });
      throw err;
    }
    const { solution, index, sources } = resolution;
    const npm = await resolveNpmForGet({ roots: npmRootRequirements(p.npmTagged, added), lock: lock.npm, otherPlatform: lock.npmOtherPlatform, client: offline ? undefined : client, ctx });
    checkLayoutConflicts(new Set([...solution.selected.keys(), ...local.links.keys()]), npm.tree);
    const next = nextLockfile({ solution, index, sources, chains: p.chains, router: p.router, lock, added, npmTree: npm.tree });
    const { report: overridden, linked } = applyLocal(next, local, solution, p.projectDir);
    const { plan, result } = await installSolution({ projectDir: p.projectDir, ctx, next, solution, sources, npmTree: npm.tree, router: p.router, offline, client: offline ? undefined : client, linked });
    lines.push(...overridden.lines);
    for (const s of stillTagged) lines.push(`note: ${s.name} is still imported with a tag at ${s.at.join(', ')}; it stays installed`);
    for (const t of plan.toInstall) lines.push(`+ ${t.name}@${t.version}`);
    for (const n of plan.toRemove) lines.push(`- ${n}`);
    const rootFiles = result.written.filter((f) => !f.startsWith('node_modules'));
    lines.push(result.changed ? `wrote ${['node_modules', ...rootFiles].join(', ')}` : 'already up to date');
    report(ctx, { project: p.projectDir, added, removed: plan.toRemove, installed: plan.toInstall.map((t) => t.name), stillTagged, changed: result.changed, written: result.written }, lines);
    return 0;
  },
};
