/**
 * `gopkgr import npm:NAME[@RANGE]...`: bring npm releases and their
 * dependency closure onto the chain (cli/npm/): resolve with npm's semantics
 * against an npm-compatible registry, then import each release not on chain
 * yet, dependencies first, and wait for the import txs to be mined. An
 * optional dependency for another platform (fsevents on linux) is left out
 * and said so, unless --all-platforms.
 */
import { parse, usageError } from '../args.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { loadIdentity } from '../context.ts';
import { parseNpmSpec, resolveClosure } from '../npm/closure.ts';
import { importReleases } from '../npm/importReleases.ts';
import { describeMachine, thisMachine } from '../npm/machine.ts';
import { configuredRegistry, NpmRegistry } from '../npm/registry.ts';
import { WAIT_OPTIONS, waitMined, waitOptions } from '../submit.ts';

const usage = 'gopkgr import npm:NAME[@RANGE]... [--registry URL] [--all-platforms] [--no-wait] [--timeout SECONDS]';

export const importCommand: Command = {
  name: 'import',
  summary: 'bring npm releases and their dependency closure onto the chain',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { ...WAIT_OPTIONS, registry: { type: 'string' }, 'all-platforms': { type: 'boolean' } }, usage);
    if (positionals.length === 0) throw usageError('name at least one npm:NAME[@RANGE]', usage);
    const roots = positionals.map((p) => {
      if (!p.startsWith('npm:')) throw usageError(`"${p}" is not npm:NAME[@RANGE] (only npm imports exist)`, usage);
      return parseNpmSpec(p);
    });
    const registry = new NpmRegistry((values.registry as string | undefined) ?? (await configuredRegistry(process.cwd())));
    const client = new NodeClient(ctx.nodeUrl, ctx.token);
    const key = await loadIdentity(ctx.dataDir);
    const progress = (line: string): void => {
      if (ctx.tty) process.stderr.write(`\r\x1b[K${line}`);
    };
    const machine = values['all-platforms'] === true ? undefined : thisMachine();
    const closure = await resolveClosure(registry, roots, (n) => progress(`resolving from ${registry.url}: ${n} release(s)`), machine);
    const outcome = await importReleases(closure.releases, {
      registry, client, key,
      onProgress: (done, total, current) => progress(current === '' ? '' : `importing [${done + 1}/${total}] ${current}`),
    });
    if (ctx.tty) process.stderr.write('\r\x1b[K');
    const wait = waitOptions(values);
    const imported = [];
    for (const i of outcome.imported) {
      const receipt = wait.wait ? await waitMined(ctx, client, i.receipt, 'import', wait.timeoutMs) : i.receipt;
      imported.push({ name: `npm:${i.name}`, version: i.version, tx: i.tx, status: receipt.status, height: receipt.height ?? null });
    }
    const human = [
      `${imported.length} release(s) imported, ${outcome.skipped.length} already on chain, ${outcome.failed.length} failed (from ${registry.url})`,
      ...imported.map((i) => `  + ${i.name}@${i.version}`),
      ...outcome.failed.map((f) => `  ! npm:${f.name}@${f.version}: ${f.message} (${f.code})`),
      ...closure.otherPlatform.map((p) => `  - npm:${p.name}@${p.version} skipped: optional dependency of ${p.by} for another platform (${p.reason} on ${describeMachine(machine!)}); --all-platforms imports it`),
      ...closure.unresolved.map((u) => `  ? ${u.name} "${u.spec}" (wanted by ${u.by}): ${u.reason}`),
    ];
    report(ctx, {
      registry: registry.url,
      imported,
      skipped: outcome.skipped.map((s) => ({ name: `npm:${s.name}`, version: s.version, reason: s.reason })),
      failed: outcome.failed.map((f) => ({ name: `npm:${f.name}`, version: f.version, code: f.code, message: f.message })),
      unresolved: closure.unresolved,
      otherPlatform: closure.otherPlatform.map((p) => ({ name: `npm:${p.name}`, version: p.version, by: p.by, reason: p.reason })),
    }, human);
    return outcome.failed.length === 0 ? 0 : 1;
  },
};
