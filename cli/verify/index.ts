/**
 * `gopkgr verify`'s service: rebuild a published version from the repository
 * and commit it records, and compare the rebuilt tarball's sha256 with the
 * chain's content hash.
 *
 * Steps, each in its own module: read the version from the node; clone the
 * repository into a temp dir and check the commit out (checkoutCommit.ts);
 * install the locked dependencies (installLocked.ts); run the recorded build
 * command, if any, in a clean environment (runBuild.ts); pack with the
 * deterministic packer (cli/pack.ts); compare, and on a difference list the
 * files (diffTarballs.ts). The temp dir is removed whatever happens.
 *
 * Verdicts: `reproduced` (same bytes), `differs` (other bytes; `diff` names the
 * files, and is empty when every file matches and only the compression
 * differs, which a zlib upgrade can cause), `unverifiable` (no commit recorded,
 * the repository or commit out of reach, a dependency or the build not
 * available here; `reason` says which).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isGopkgrError } from '../../ledger/index.ts';
import type { NodeClient } from '../client.ts';
import { fetchTarballs } from '../install/fetchTarballs.ts';
import { TarballCache } from '../install/tarballCache.ts';
import { packPackage } from '../pack.ts';
import { requireVersion, type VersionJson } from '../packages.ts';
import { checkoutCommit } from './checkoutCommit.ts';
import { diffTarballs, type FileDiff } from './diffTarballs.ts';
import { installLocked } from './installLocked.ts';
import { runBuild } from './runBuild.ts';
import { Unverifiable } from './unverifiable.ts';

export { diffTarballs, type FileDiff } from './diffTarballs.ts';
export { Unverifiable } from './unverifiable.ts';

export type Verdict = 'reproduced' | 'differs' | 'unverifiable';

export interface VerifyResult {
  verdict: Verdict;
  name: string;
  version: string;
  contentHash: string;
  /** sha256 of the rebuilt tarball; null when nothing was rebuilt */
  rebuiltHash: string | null;
  /** the differing files (`differs`); null when nothing was compared */
  diff: FileDiff[] | null;
  repo: string | null;
  commit: string | null;
  build: string | null;
  /** why the release is unverifiable */
  reason?: string;
}

export interface VerifyOptions {
  /** the data dir: its tarball cache and package store are used and filled */
  dataDir: string;
  /** progress lines and the build's output */
  log: (line: string) => void;
}

export async function verifyRelease(client: NodeClient, fullName: string, version: string, opts: VerifyOptions): Promise<VerifyResult> {
  const { v } = await requireVersion(client, fullName, version);
  const base = { name: fullName, version, contentHash: v.contentHash, repo: v.repo ?? null, commit: v.commit ?? null, build: v.build ?? null };
  if (v.repo === undefined || v.commit === undefined) {
    return { verdict: 'unverifiable', ...base, rebuiltHash: null, diff: null, reason: 'no repository and commit are recorded for this version' };
  }
  const work = await mkdtemp(path.join(tmpdir(), 'gopkgr-verify-'));
  try {
    const rebuilt = await rebuild(client, { ...v, repo: v.repo, commit: v.commit }, work, opts);
    if (rebuilt.sha256 === v.contentHash) return { verdict: 'reproduced', ...base, rebuiltHash: rebuilt.sha256, diff: [] };
    const published = await publishedTarball(client, fullName, version, v.contentHash, opts.dataDir);
    const diff = published === undefined ? null : await diffTarballs(published, rebuilt.tarball);
    return { verdict: 'differs', ...base, rebuiltHash: rebuilt.sha256, diff };
  } catch (err) {
    if (err instanceof Unverifiable) return { verdict: 'unverifiable', ...base, rebuiltHash: null, diff: null, reason: err.message };
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function rebuild(client: NodeClient, v: VersionJson & { repo: string; commit: string }, work: string, opts: VerifyOptions): Promise<{ sha256: string; tarball: Uint8Array }> {
  opts.log(`cloning ${v.repo} at ${v.commit}`);
  const checkout = await checkoutCommit(v.repo, v.commit, v.sourceTree, path.join(work, 'src'));
  const installed = await installLocked(checkout.dir, v.lock, client, opts.dataDir);
  if (installed > 0) opts.log(`installed ${installed} locked dependenc${installed === 1 ? 'y' : 'ies'}`);
  if (v.build !== undefined && v.build.trim() !== '') {
    const home = path.join(work, 'home');
    await mkdir(home);
    opts.log(`building with \`${v.build}\` (SOURCE_DATE_EPOCH=${checkout.epoch}, TZ=UTC, LC_ALL=C)`);
    await runBuild({ dir: checkout.dir, command: v.build, epoch: checkout.epoch, home, log: (chunk) => opts.log(chunk.replace(/\n$/, '')) });
  }
  try {
    const packed = await packPackage(checkout.dir);
    return { sha256: packed.sha256, tarball: packed.tarball };
  } catch (err) {
    if (isGopkgrError(err) && err.code.startsWith('PACK_')) throw new Unverifiable(`the checkout does not pack: ${err.message} (${err.code})`);
    throw err;
  }
}

/** The published tarball (cache first, then the node, hash-checked); undefined when neither has it. */
async function publishedTarball(client: NodeClient, name: string, version: string, contentHash: string, dataDir: string): Promise<Uint8Array | undefined> {
  try {
    const fetched = await fetchTarballs([{ name, version, contentHash }], { cache: new TarballCache(dataDir), client, progress: false });
    return fetched.bytes.get(contentHash);
  } catch (err) {
    if (isGopkgrError(err, 'BLOB_MISSING')) return undefined;
    throw err;
  }
}
