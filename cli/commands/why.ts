/**
 * `gopkgr why NAME`: the chains of requirements that pull NAME in, from the
 * project's comment tags and `added` entries through gopkgr.lock's deps
 * (install/whyChains.ts); `why npm:NAME` through the lock's npm copies, as
 * Node resolves them. Reads the sources and the lockfile; asks no node.
 */
import { GopkgrError, parseFullName } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { report, type Command } from '../command.ts';
import { LOCKFILE_NAME } from '../install/lockfile.ts';
import { loadProject, requireLock, rootRequirements } from '../install/loadProject.ts';
import { chainText, npmWhyChains, whyChains } from '../install/whyChains.ts';
import type { Context } from '../context.ts';

const usage = 'gopkgr why @ns/name|npm:name [--dir DIR]';

/** `why npm:NAME`: every installed copy of it, each with the chains that reach that copy. */
async function whyNpm(name: string, dir: string | undefined, ctx: Context): Promise<number> {
  const p = await loadProject(dir, ctx, { repair: false });
  const lock = requireLock(p, 'gopkgr why').npm ?? {};
  const copies = Object.entries(lock).filter(([, e]) => e.name === name).map(([location, e]) => ({ location, version: e.version })).sort((a, b) => a.location.length - b.location.length);
  if (copies.length === 0) {
    throw new GopkgrError('NOT_A_DEPENDENCY', `npm:${name} is not installed: ${LOCKFILE_NAME} does not hold it`, { hint: 'check the name, or run `gopkgr get` if you just tagged an import of it' });
  }
  const { chains, complete } = npmWhyChains(lock, p.npmRoots, name);
  const lines = [...copies.map((c) => `npm:${name}@${c.version} (${c.location})`), ...chains.map((c) => `  ${chainText(c)}`)];
  if (chains.length === 0) lines.push(`  nothing requires it any more; \`gopkgr get\` removes it`);
  if (!complete) lines.push(`  (the first ${chains.length} chains, shortest first; there are more)`);
  report(ctx, { name: `npm:${name}`, version: copies[0]!.version, copies, chains, complete }, lines);
  return 0;
}

export const why: Command = {
  name: 'why',
  summary: 'show the chains of requirements (tags and gopkgr.lock deps) that pull a package in',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { dir: { type: 'string' } }, usage);
    if (positionals.length !== 1) throw usageError('why takes one package name', usage);
    if (positionals[0]!.startsWith('npm:')) return whyNpm(positionals[0]!.slice(4), values.dir as string | undefined, ctx);
    const { ns, name: bare } = parseFullName(positionals[0]!);
    const name = `${ns}/${bare}`;
    const p = await loadProject(values.dir as string | undefined, ctx, { repair: false });
    const lock = requireLock(p, 'gopkgr why');
    const locked = lock.packages[name];
    if (locked === undefined) {
      throw new GopkgrError('NOT_A_DEPENDENCY', `${name} is not installed: ${LOCKFILE_NAME} does not hold it`, { hint: 'check the name, or run `gopkgr get` if you just tagged an import of it' });
    }
    const { chains, complete } = whyChains(lock, rootRequirements(p.tagged, lock.added), name);
    const lines = [`${name}@${locked.version}`, ...chains.map((c) => `  ${chainText(c)}`)];
    if (chains.length === 0) lines.push(`  nothing requires it any more; \`gopkgr get\` removes it`);
    if (!complete) lines.push(`  (the first ${chains.length} chains, shortest first; there are more)`);
    report(ctx, { name, version: locked.version, chains, complete }, lines);
    return 0;
  },
};
