/**
 * `gopkgr infver api DIR` and `gopkgr infver diff OLD NEW`, where OLD and NEW
 * are each a directory, a .tgz or @ns/name@version from the node
 * (cli/infver/inputs.ts).
 *
 * `api` prints every export with its kind, hash and canonical shape; `diff`
 * prints the bump the TypeScript checker gives (infver/checker/) and, per
 * change, its rule, why, and for a break a witness: consumer code that
 * compiles against the old version and not the new one.
 */
import type { Command } from '../command.ts';
import { GopkgrError, manifestHash, toHex, type Canonical } from '../../ledger/index.ts';
import { canonicalShape, diffPackages, extractManifest } from '../../infver/index.ts';
import { parse } from '../args.ts';
import { changeJson, changeLines } from '../infver/changeReport.ts';
import { materializeInput, type InputContext, type MaterializedInput } from '../infver/inputs.ts';

/** The node URL, token and data dir are used only to fetch @ns/name@version inputs. */
export interface CommandContext extends InputContext {
  json: boolean;
  out: (line: string) => void;
}

export const usage = 'gopkgr infver api DIR | gopkgr infver diff OLD NEW';

function usageError(message: string): GopkgrError {
  return new GopkgrError('INFVER_USAGE', message, { hint: `usage: ${usage}` });
}

export async function run(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse(args, {}, usage);
  const json = ctx.json || values.json === true;
  const [sub, ...params] = positionals;
  if (sub === 'api') {
    if (params.length !== 1) throw usageError('infver api takes exactly one directory');
    const manifest = await extractManifest(params[0]!);
    if (json) {
      ctx.out(
        JSON.stringify({
          name: manifest.name,
          manifestHash: toHex(manifestHash(manifest as unknown as Canonical)),
          exports: manifest.exports.map((e) => ({ name: e.name, kind: e.kind, hash: e.hash, shape: canonicalShape(e.name, e.decls) })),
        }),
      );
      return 0;
    }
    ctx.out(`${manifest.name}: ${manifest.exports.length} export${manifest.exports.length === 1 ? '' : 's'}`);
    for (const e of manifest.exports) {
      ctx.out('');
      ctx.out(`${e.name} (${e.kind}) ${e.hash}`);
      for (const line of canonicalShape(e.name, e.decls).split('\n')) ctx.out(`  ${line}`);
    }
    if (manifest.internal.length > 0) {
      ctx.out('');
      ctx.out(`not exported but used by the API: ${manifest.internal.map((x) => x.name).join(', ')}`);
    }
    return 0;
  }
  if (sub === 'diff') {
    if (params.length !== 2) throw usageError('infver diff takes two packages, the old version and the new one, each a directory, a .tgz or @ns/name@version');
    const inputs: MaterializedInput[] = [];
    let result;
    try {
      for (const p of params) inputs.push(await materializeInput(p!, ctx));
      result = await diffPackages(inputs[0]!.dir, inputs[1]!.dir);
    } finally {
      for (const i of inputs) await i.cleanup();
    }
    const { bump, changes } = result;
    if (json) {
      ctx.out(JSON.stringify({ bump, changes: changes.map(changeJson) }));
      return 0;
    }
    ctx.out(bump);
    for (const c of changes) for (const line of changeLines(c)) ctx.out(line);
    return 0;
  }
  throw usageError(sub === undefined ? 'infver needs a subcommand' : `unknown infver subcommand '${sub}'`);
}

export const infver: Command = {
  name: 'infver',
  summary: "show a package's API manifest, or the version bump between two versions of it",
  usage,
  run,
};
