/**
 * `gopkgr publish [DIR]`: the publish pipeline (cli/publish/) with progress on
 * stderr and the result on stdout. `--dry-run` prepares the same release (packs,
 * checks, versions, signs) and prints it without submitting anything; it exits 1
 * when a check failed, as the real publish would refuse.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isGopkgrError, isVersion, toHex } from '../../ledger/index.ts';
import { parse, usageError } from '../args.ts';
import { changeJson, changeLines } from '../infver/changeReport.ts';
import { loadIdentity } from '../context.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { preparePublish, publish as publishRelease, type PackedRelease, type PreparedRelease, type PublishCheck, type PublishObserver } from '../publish/index.ts';
import { ignoredPackedFiles, ignoredPaths, readProvenance } from '../publish/provenance.ts';
import { SUBMIT_OPTIONS, waitOptions, where } from '../submit.ts';
import { findProjectFile } from '../project/projectFile.ts';
import { RegistryRouter } from '../project/registryRouter.ts';

const usage = 'gopkgr publish [DIR] [--dry-run] [--from VERSION] [--allow-dirty] [--fee N] [--no-wait] [--timeout SECONDS]';
const SPINNER = ['|', '/', '-', '\\'];

export const publish: Command = {
  name: 'publish',
  summary: 'pack a package, upload its tarball and record the version on chain',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { ...SUBMIT_OPTIONS, from: { type: 'string' }, 'allow-dirty': { type: 'boolean' }, 'dry-run': { type: 'boolean' } }, usage);
    if (positionals.length > 1) throw usageError('expected at most one directory', usage);
    const from = values.from as string | undefined;
    if (from !== undefined && !isVersion(from)) throw usageError(`--from ${from}: not a version MAJOR.MINOR.PATCH`, usage);
    const dir = resolve(positionals[0] ?? '.');
    const key = await loadIdentity(ctx.dataDir);
    // A gopkgr.json routes the release to its name's registry, and its deps through the router (fail closed).
    const project = await findProjectFile(dir);
    let client = new NodeClient(ctx.nodeUrl, ctx.token);
    let deps: RegistryRouter | undefined;
    if (project !== undefined && project.registries.length > 0) {
      const own = await readFile(join(dir, 'package.json'), 'utf8').then((t) => (JSON.parse(t) as { name?: unknown }).name, () => undefined);
      deps = new RegistryRouter(project.registries, {}, ctx.token);
      if (typeof own === 'string' && own.startsWith('@')) {
        const reg = deps.registryFor(own);
        client = await deps.tarballClient(own, reg.chainId);
        ctx.err(`registry: ${reg.name} (${reg.node}), from ${project.file}`);
      }
    }
    const wait = waitOptions(values);
    // First: a dirty work tree is refused before the costly steps.
    const { provenance, note } = await readProvenance(dir, { allowDirty: values['allow-dirty'] === true });
    if (provenance !== undefined) ctx.err(`source: ${provenance.repo} at ${provenance.commit}${provenance.build === undefined ? '' : `, built with \`${provenance.build}\``}`);
    else if (note !== undefined) ctx.err(`note: ${note}`);
    // Without a build, files git ignores but the packer takes are what `gopkgr verify` will find missing.
    const ignored = provenance !== undefined && provenance.build === undefined ? await ignoredPaths(dir) : [];
    let frame = 0;
    const dryRun = values['dry-run'] === true;
    const observer: PublishObserver = {
      onPacked: ({ fullName, packed }) => {
        ctx.err(`packed ${fullName}: ${packed.files.length} files, ${packed.tarball.length} bytes, sha256 ${packed.sha256}`);
        const stray = ignoredPackedFiles(ignored, packed.files);
        if (stray.length > 0) ctx.err(`warning: ${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} packed but ignored by git: a rebuild from the commit will lack ${stray.length === 1 ? 'it' : 'them'} (record the command that makes ${stray.length === 1 ? 'it' : 'them'} as scripts.build)`);
      },
      onChecks: (checks) => {
        // The dry run prints every check with its result; a publish says how many passed (a failure refuses it).
        if (!dryRun) ctx.err(`checks: ${checks.filter((c) => c.ok).length} of ${checks.length} passed`);
      },
      onApiChange: (base, comparison) => {
        if (dryRun) return; // printed with the result
        ctx.err(`API change from ${base}: ${comparison.bump}`);
        for (const c of comparison.changes) for (const line of changeLines(c)) ctx.err(`  ${line}`);
      },
      onLockTree: (tree) => {
        if (Object.keys(tree.lock).length > 0) ctx.err(`dependency tree: ${Object.keys(tree.lock).join(', ')}`);
      },
    };
    if (dryRun) {
      return dryRunPublish(ctx, observer, (o) => preparePublish(dir, client, key, o, { dataDir: ctx.dataDir, ...(deps === undefined ? {} : { deps }), ...(from === undefined ? {} : { from }), ...(provenance === undefined ? {} : { provenance }), checks: 'report' }));
    }
    const { release, receipt } = await publishRelease(dir, client, key, {
      ...wait,
      dataDir: ctx.dataDir,
      ...(deps === undefined ? {} : { deps }),
      ...(from === undefined ? {} : { from }),
      ...(provenance === undefined ? {} : { provenance }),
      onWaiting: (id, elapsed) => {
        if (ctx.tty) process.stderr.write(`\r${SPINNER[frame++ % 4]} waiting for publish tx ${id.slice(0, 12)} to be mined (${(elapsed / 1000).toFixed(1)} s)`);
      },
      observer,
    });
    if (wait.wait && ctx.tty) process.stderr.write('\r\x1b[K');
    const { fullName, version, base, packed, comparison, tree, signed } = release;
    report(ctx, {
      name: fullName, id: signed.pkgId, version, base: base ?? null, bump: comparison?.bump ?? null, changes: comparison?.changes.map(changeJson) ?? [], contentHash: packed.sha256,
      apiHash: toHex(signed.body.apiHash!), size: packed.tarball.length, files: packed.files, deps: tree.deps, lock: tree.lock,
      repo: provenance?.repo ?? null, commit: provenance?.commit ?? null, sourceTree: provenance?.tree ?? null, build: provenance?.build ?? null,
      created: signed.create !== undefined, tx: receipt.id, status: receipt.status, block: receipt.block ?? null, height: receipt.height ?? null,
    }, [`published ${fullName}@${version} (sha256 ${packed.sha256}) ${where(receipt)}`]);
    return 0;
  },
};

/**
 * Print the release `prepare` builds, submitting nothing; 1 when a check failed.
 * A release that fails its checks may also fail a later step (no declarations,
 * nothing for InfVer to read): the checks are still printed, with that error.
 */
async function dryRunPublish(ctx: Parameters<Command['run']>[1], observer: PublishObserver, prepare: (o: PublishObserver) => Promise<PreparedRelease>): Promise<number> {
  let packedSeen: PackedRelease | undefined;
  let checksSeen: readonly PublishCheck[] = [];
  const watching: PublishObserver = {
    ...observer,
    onPacked: (r) => {
      packedSeen = r;
      observer.onPacked?.(r);
    },
    onChecks: (c) => {
      checksSeen = c;
      observer.onChecks?.(c);
    },
  };
  const checkLines = (checks: readonly PublishCheck[]): string[] => [`checks (${checks.filter((c) => c.ok).length} of ${checks.length} passed):`, ...checks.map(checkLine)];
  let release: PreparedRelease;
  try {
    release = await prepare(watching);
  } catch (err) {
    if (packedSeen === undefined || checksSeen.every((c) => c.ok)) throw err;
    const { fullName, packed } = packedSeen;
    const error = isGopkgrError(err) ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: String(err) };
    report(ctx, {
      name: fullName, version: null, bump: null, changes: [], files: packed.files, contentHash: packed.sha256, checks: checksSeen.map(checkJson), submitted: false, error,
    }, [`would not publish ${fullName}: checks failed, and then ${error.code}: ${error.message}`, `content hash: ${packed.sha256}`, ...checkLines(checksSeen)]);
    return 1;
  }
  const { fullName, version, base, packed, comparison, checks } = release;
  report(ctx, {
    name: fullName, version, base: base ?? null, bump: comparison?.bump ?? null, changes: comparison?.changes.map(changeJson) ?? [],
    files: packed.files, contentHash: packed.sha256, checks: checks.map(checkJson), submitted: false,
  }, [
    `would publish ${fullName}@${version}${comparison === null ? ' (first version)' : ` (${comparison.bump} from ${base ?? '?'})`}, nothing submitted`,
    ...(comparison === null ? [] : comparison.changes.flatMap((c) => changeLines(c).map((l) => `  ${l}`))),
    `content hash: ${packed.sha256}`,
    `files (${packed.files.length}):`, ...packed.files.map((f) => `  ${f}`),
    ...checkLines(checks),
  ]);
  return checks.every((c) => c.ok) ? 0 : 1;
}

function checkJson(c: PublishCheck): Record<string, unknown> {
  return { name: c.name, ok: c.ok, detail: c.detail, ...(c.code === undefined ? {} : { code: c.code }), ...(c.hint === undefined ? {} : { hint: c.hint }) };
}

function checkLine(c: PublishCheck): string {
  return c.ok ? `  ok      ${c.name}: ${c.detail}` : `  FAILED  ${c.name}: ${c.detail} [${c.code ?? ''}]${c.hint === undefined ? '' : ` (fix: ${c.hint})`}`;
}
