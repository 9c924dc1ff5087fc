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
import { fewOf, printable } from '../printable.ts';

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
    // Specs and messages come from a registry's packuments (any text): printed without control characters.
    const human = [
      `${imported.length} release(s) imported, ${outcome.skipped.length} already on chain, ${outcome.failed.length} failed (from ${registry.url})`,
      ...imported.map((i) => `  + ${i.name}@${i.version}`),
      ...outcome.failed.map((f) => `  ! npm:${f.name}@${f.version}: ${f.message} (${f.code})`),
      ...otherPlatformLines(closure.otherPlatform, machine === undefined ? '' : describeMachine(machine)),
      ...closure.unresolved.map((u) => `  ? ${u.name} "${u.spec}" (wanted by ${u.by}): ${u.reason}`),
    ].map(printable);
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

/**
 * A line per optional dependency skipped for another platform, except that a
 * package with several (a build per platform: esbuild and rollup list about
 * 25) gets one line for them all.
 */
export function otherPlatformLines(skipped: ReadonlyArray<{ name: string; version: string; by: string; reason: string }>, machine: string): string[] {
  const byDependent = new Map<string, typeof skipped[number][]>();
  for (const p of skipped) byDependent.set(p.by, [...(byDependent.get(p.by) ?? []), p]);
  return [...byDependent].map(([by, builds]) => {
    if (builds.length === 1) {
      const p = builds[0]!;
      return `  - npm:${p.name}@${p.version} skipped: optional dependency of ${by} for another platform (${p.reason} on ${machine}); --all-platforms imports it`;
    }
    const listed = fewOf(builds.map((p) => `npm:${p.name}@${p.version}`), '`--json`');
    return `  - ${builds.length} optional dependencies of ${by} for other platforms than ${machine} skipped: ${listed}; --all-platforms imports them`;
  });
}
