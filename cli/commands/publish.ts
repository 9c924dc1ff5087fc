import { resolve } from 'node:path';
import { GopkgrError, bumpVersion, fromHex, parseFullName, type Bump, type PublishBody } from '../../node/index.ts';
import { parse, usageError } from '../args.ts';
import { loadIdentity } from '../context.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { findPackage } from '../packages.ts';
import { packPackage } from '../pack.ts';
import { submitAndWait, WAIT_OPTIONS, waitOptions, where } from '../submit.ts';

const usage = 'gopkgr publish [DIR] [--bump major|minor|patch] [--no-wait]';

export const publish: Command = {
  name: 'publish',
  summary: 'pack a package, upload its tarball and record the version on chain',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { ...WAIT_OPTIONS, bump: { type: 'string' } }, usage);
    if (positionals.length > 1) throw usageError('expected at most one directory', usage);
    const bump = values.bump as string | undefined;
    if (bump !== undefined && bump !== 'major' && bump !== 'minor' && bump !== 'patch') throw usageError(`--bump must be major, minor or patch, got "${bump}"`, usage);
    const dir = resolve(positionals[0] ?? '.');
    const key = await loadIdentity(ctx.dataDir);
    const client = new NodeClient(ctx.nodeUrl);
    const wait = waitOptions(values);

    const packed = await packPackage(dir);
    const rawName = packed.packageJson.name;
    if (typeof rawName !== 'string') throw new GopkgrError('PUBLISH_NO_NAME', `${dir}/package.json has no "name"`, { hint: 'name the package @namespace/name' });
    const { ns, name } = parseFullName(rawName);
    const fullName = `${ns}/${name}`;
    ctx.err(`packed ${fullName}: ${packed.files.length} files, ${packed.tarball.length} bytes, sha256 ${packed.sha256}`);

    const existing = await findPackage(client, fullName);
    const latest = existing?.versions.at(-1)?.version;
    let version: string;
    if (latest === undefined) {
      version = '1.0.0';
    } else {
      if (bump === undefined) {
        throw new GopkgrError('PUBLISH_BUMP_REQUIRED', `${fullName} is at ${latest}: say which step this version takes`, { hint: 'pass --bump major|minor|patch' });
      }
      version = bumpVersion(latest, bump as Bump);
    }

    await client.putBlob(packed.sha256, packed.tarball);
    let pkgId: string;
    let created: string | null = null;
    if (existing === undefined) {
      const receipt = await submitAndWait(ctx, client, key, 'create', { ns, name }, { ...wait, wait: false });
      pkgId = receipt.id;
      created = receipt.id;
    } else {
      pkgId = existing.id;
    }
    const body: PublishBody = { pkg: fromHex(pkgId), version, contentHash: fromHex(packed.sha256), size: packed.tarball.length, deps: {}, lock: {} };
    const receipt = await submitAndWait(ctx, client, key, 'publish', body, wait);
    report(ctx, {
      name: fullName, id: pkgId, version, contentHash: packed.sha256, size: packed.tarball.length, files: packed.files,
      created: created !== null, tx: receipt.id, status: receipt.status, block: receipt.block ?? null, height: receipt.height ?? null,
    }, [`published ${fullName}@${version} (sha256 ${packed.sha256}) ${where(receipt)}`]);
    return 0;
  },
};
