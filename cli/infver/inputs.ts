/**
 * What `gopkgr infver diff OLD NEW` compares: a package directory as it is, a
 * `.tgz` (npm's or gopkgr's own, both with one top folder) or
 * `@ns/name@version` fetched from the node. Tarballs are unpacked with the
 * installer's checked extractor (cli/install/extractTarball.ts: nothing is
 * written outside the temp dir, links may not leave it) and a downloaded one
 * must hash to the content hash on chain, as `gopkgr get` requires.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GopkgrError, isGopkgrError, parseVersionRef } from '../../ledger/index.ts';
import { NodeClient } from '../client.ts';
import { DEFAULT_NODE } from '../context.ts';
import { extractTarball, MAX_EXTRACT_BYTES } from '../install/extractTarball.ts';
import { fetchTarballs } from '../install/fetchTarballs.ts';
import { TarballCache } from '../install/tarballCache.ts';
import { requireVersion } from '../packages.ts';

export interface MaterializedInput {
  /** the package directory to read */
  dir: string;
  /** how to name this input to the user: the argument as given */
  label: string;
  /** removes what was unpacked (nothing for a directory) */
  cleanup(): Promise<void>;
}

export interface InputContext {
  /** node to fetch @ns/name@version from (default: the local node) */
  nodeUrl?: string;
  token?: string;
  /** data dir whose tarball cache is read first and filled after (absent: no cache) */
  dataDir?: string;
}

/** Without a data dir: a cache that holds nothing, so every tarball is downloaded (and still verified). */
class NoCache extends TarballCache {
  constructor() {
    super(path.join(tmpdir(), 'gopkgr-infver-no-cache'));
  }

  override get(): Promise<Uint8Array | undefined> {
    return Promise.resolve(undefined);
  }
}

const SPEC = /^@[^/@\s]+\/[^/@\s]+@[^/@\s]+$/;
const TARBALL = /\.(tgz|tar\.gz)$/i;

function badInput(arg: string, why: string, hint?: string): GopkgrError {
  return new GopkgrError('INFVER_BAD_INPUT', `${arg}: ${why}`, {
    hint: hint ?? 'pass a package directory, a .tgz, or @namespace/name@1.2.3 published on the node',
  });
}

/** Unpack tarball bytes into a fresh temp dir; the temp dir goes if unpacking fails. */
export async function unpackTarball(bytes: Uint8Array, arg: string): Promise<MaterializedInput> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'gopkgr-infver-'));
  const cleanup = (): Promise<void> => rm(tmp, { recursive: true, force: true });
  const dir = path.join(tmp, 'package');
  try {
    await extractTarball(bytes, dir, { label: arg });
  } catch (err) {
    await cleanup();
    if (isGopkgrError(err, 'TARBALL_CORRUPT')) throw badInput(arg, `not a package tarball (${err.message})`);
    throw err;
  }
  return { dir, label: arg, cleanup };
}

async function fromNode(arg: string, ctx: InputContext): Promise<MaterializedInput> {
  let ref;
  try {
    ref = parseVersionRef(arg);
  } catch (err) {
    throw badInput(arg, (err as Error).message);
  }
  const client = new NodeClient(ctx.nodeUrl ?? DEFAULT_NODE, ctx.token);
  const cache = ctx.dataDir === undefined ? undefined : new TarballCache(ctx.dataDir);
  return materializeVersion(client, `${ref.ns}/${ref.name}`, ref.version, { label: arg, ...(cache === undefined ? {} : { cache }) });
}

/**
 * A published version unpacked into a temp dir, its tarball checked against
 * the content hash on chain. A cache, when given, is read first and filled after.
 */
export async function materializeVersion(
  client: NodeClient,
  name: string,
  version: string,
  opts: { label?: string; cache?: TarballCache } = {},
): Promise<MaterializedInput> {
  const label = opts.label ?? `${name}@${version}`;
  let contentHash: string;
  try {
    contentHash = (await requireVersion(client, name, version)).v.contentHash;
  } catch (err) {
    if (isGopkgrError(err, 'UNKNOWN_PACKAGE') || isGopkgrError(err, 'UNKNOWN_VERSION')) throw badInput(label, `${err.message} (node ${client.url})`, err.hint);
    throw err;
  }
  // fetchTarballs compares the download's sha256 with the chain's content hash before anything is unpacked.
  const fetched = await fetchTarballs([{ name, version, contentHash }], { cache: opts.cache ?? new NoCache(), client, progress: false });
  const bytes = fetched.bytes.get(contentHash)!;
  const input = await unpackTarball(bytes, label);
  if (opts.cache !== undefined && fetched.downloaded.has(contentHash)) opts.cache.put(contentHash, bytes);
  return input;
}

export async function materializeInput(arg: string, ctx: InputContext = {}): Promise<MaterializedInput> {
  const info = await stat(arg).catch(() => undefined);
  if (info?.isDirectory() === true) return { dir: path.resolve(arg), label: arg, cleanup: async () => {} };
  if (info?.isFile() === true) {
    if (!TARBALL.test(arg)) throw badInput(arg, 'is a file but not a .tgz package tarball');
    if (info.size > MAX_EXTRACT_BYTES) throw badInput(arg, `is larger than ${MAX_EXTRACT_BYTES} bytes`);
    return unpackTarball(new Uint8Array(await readFile(arg)), arg);
  }
  if (info === undefined && SPEC.test(arg)) return fromNode(arg, ctx);
  throw badInput(arg, info === undefined ? 'no such directory or file, and not @namespace/name@version' : 'is neither a directory nor a file');
}
