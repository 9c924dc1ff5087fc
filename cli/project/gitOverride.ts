/**
 * A git override (`"@x/c": "git+file:///…#<40 hex>"` or `git+https://…#<40 hex>`):
 * the commit is checked out, built and packed by `gopkgr verify`'s pipeline
 * (cli/verify/: a fresh clone that runs no hooks and refuses `ext::`, the
 * package.json `scripts.build` as publish records it, run in verify's clean
 * environment, then the deterministic packer), and the tarball's sha256 is its
 * content hash. Its dependencies are its own comment tags, one range per name,
 * as a publish records them.
 *
 * Hash-locked: once gopkgr.lock holds the tarball of an override spec, a later
 * run takes it from the cache without cloning, and a rebuild (the cache was
 * emptied) must give the same bytes, else OVERRIDE_HASH_MISMATCH.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GopkgrError, isGopkgrError, isVersion } from '../../ledger/index.ts';
import type { IndexVersion } from '../../resolver/index.ts';
import { packPackage } from '../pack.ts';
import { collectRequirements, depsOf } from '../tags/collectRequirements.ts';
import { scanSources } from '../tags/scanSources.ts';
import type { LockedPackage } from '../install/lockfile.ts';
import type { TarballCache } from '../install/tarballCache.ts';
import { checkoutCommit } from '../verify/checkoutCommit.ts';
import { runBuild } from '../verify/runBuild.ts';
import { Unverifiable } from '../verify/unverifiable.ts';

export interface GitOverrideInput {
  name: string;
  spec: string;
  repo: string;
  commit: string;
  /** gopkgr.lock's entry for the name, when the lock records this very spec */
  locked?: LockedPackage;
  cache: TarballCache;
  /** the data dir: its tag cache is used for the checkout's sources */
  dataDir: string;
  log: (line: string) => void;
}

/** The override's one version; its tarball is in the cache when this returns. */
export async function gitOverrideVersion(input: GitOverrideInput): Promise<IndexVersion> {
  const { locked } = input;
  if (locked !== undefined && (await input.cache.get(locked.contentHash)) !== undefined) {
    return { version: locked.version, contentHash: locked.contentHash, deps: locked.deps, deprecated: false };
  }
  const at = `gopkgr.json overrides["${input.name}"]`;
  const work = await mkdtemp(path.join(tmpdir(), 'gopkgr-override-'));
  try {
    input.log(`override ${input.name}: cloning ${input.repo} at ${input.commit}`);
    let built;
    try {
      built = await build(input, work);
    } catch (err) {
      if (!(err instanceof Unverifiable)) throw err;
      const missing = /cannot be cloned|is not in/.test(err.message);
      throw new GopkgrError(missing ? 'OVERRIDE_NOT_FOUND' : 'OVERRIDE_BUILD_FAILED', `${at}: ${err.message}`, {
        hint: missing ? 'check the repository URL and that the commit is pushed there (the full 40-hex id)' : 'commit the package built (its .js and .d.ts), or fix its build',
      });
    }
    if (locked !== undefined && built.contentHash !== locked.contentHash) {
      throw new GopkgrError('OVERRIDE_HASH_MISMATCH', `${at}: ${input.spec} packs to sha256 ${built.contentHash}, but gopkgr.lock locks it to ${locked.contentHash}`, {
        hint: 'the build is not reproducible here; if the new bytes are wanted, delete the entry from gopkgr.lock and run `gopkgr get`',
      });
    }
    return built;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function build(input: GitOverrideInput, work: string): Promise<IndexVersion> {
  const checkout = await checkoutCommit(input.repo, input.commit, undefined, path.join(work, 'src'));
  const pkg = JSON.parse(await readFile(path.join(checkout.dir, 'package.json'), 'utf8').catch(() => {
    throw new Unverifiable(`the commit has no package.json at its root`);
  })) as { name?: unknown; version?: unknown; scripts?: { build?: unknown } };
  if (pkg.name !== input.name) throw new Unverifiable(`the commit holds ${String(pkg.name)}, not ${input.name}`);
  const command = typeof pkg.scripts?.build === 'string' && pkg.scripts.build.trim() !== '' ? pkg.scripts.build : undefined;
  if (command !== undefined) {
    const home = path.join(work, 'home');
    await mkdir(home);
    input.log(`override ${input.name}: building with \`${command}\``);
    await runBuild({ dir: checkout.dir, command, epoch: checkout.epoch, home, log: (chunk) => input.log(chunk.replace(/\n$/, '')) });
  }
  let packed;
  try {
    packed = await packPackage(checkout.dir);
  } catch (err) {
    if (isGopkgrError(err) && err.code.startsWith('PACK_')) throw new Unverifiable(`the checkout does not pack: ${err.message} (${err.code})`);
    throw err;
  }
  const { requirements } = collectRequirements(await scanSources(checkout.dir, { cacheDir: input.dataDir }));
  input.cache.put(packed.sha256, packed.tarball);
  const version = typeof pkg.version === 'string' && isVersion(pkg.version) && !pkg.version.includes('-') ? pkg.version : '0.0.0';
  return { version, contentHash: packed.sha256, deps: depsOf(requirements), deprecated: false };
}
