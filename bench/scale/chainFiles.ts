/**
 * Generated chains on disk, cached between runs. A chain of N versions lives in
 * `<cache>/v<GENERATOR_VERSION>-<first 12 hex digits of the dev chain id>-<N>/`:
 *   chain.bin   the chain's blocks in height order, each a 4-byte big-endian length and its bytes
 *   extra.bin   the full block on top of the head (same framing, one block)
 *   meta.json   counts, the head, a sample of published versions and the largest tree;
 *               written last, so its presence means the files are whole
 * Generation signs on worker threads while the next block is planned.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_PARAMS } from '../../ledger/index.ts';
import { chainIdOf } from '../../consensus/index.ts';
import { ChainAssembler } from './assemble.ts';
import { GENERATOR_VERSION, generateBlocks, type PlannedBlock, type UnsignedPlan } from './generator.ts';
import { SignPool } from './signPool.ts';

/** Versions sampled for lookups (uniform over the chain's publishes). */
const SAMPLE = 4000;

export interface ChainMeta {
  generatorVersion: number;
  versions: number;
  height: number;
  head: string;
  txs: number;
  chainBytes: number;
  extraPublishes: number;
  extraTxs: number;
  extraBytes: number;
  /** `@ns/name@version`, a uniform sample of the chain's publishes */
  sample: string[];
  /** the package with the largest dependency tree, and that tree's size (itself included) */
  tree: { name: string; size: number };
  generationMs: number;
}

export function chainDirOf(cache: string, versions: number): string {
  // The dev chain's id too: its genesis changes with the chain's params, and blocks of another genesis do not import.
  return join(cache, `v${GENERATOR_VERSION}-${chainIdOf(DEV_PARAMS).slice(0, 12)}-${versions}`);
}

export async function readMeta(dir: string): Promise<ChainMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as ChainMeta;
    return meta.generatorVersion === GENERATOR_VERSION ? meta : undefined;
  } catch {
    return undefined;
  }
}

function frame(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

async function write(stream: WriteStream, bytes: Uint8Array): Promise<void> {
  if (!stream.write(frame(bytes))) await new Promise<void>((r) => stream.once('drain', () => r()));
}

async function end(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** The framed blocks of a chain file, in order. */
export async function* readBlocks(file: string): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const joined = new Uint8Array(buf.length + chunk.length);
    joined.set(buf, 0);
    joined.set(chunk, buf.length);
    buf = joined;
    let at = 0;
    while (buf.length - at >= 4) {
      const len = new DataView(buf.buffer, buf.byteOffset + at, 4).getUint32(0);
      if (buf.length - at - 4 < len) break;
      yield buf.slice(at + 4, at + 4 + len);
      at += 4 + len;
    }
    buf = buf.slice(at);
  }
  if (buf.length !== 0) throw new Error(`${file} ends inside a block`);
}

/** Generates the chain of `versions` publishes into `dir` (replacing a partial one). */
export async function generateChain(dir: string, versions: number, progress: (line: string) => void, threads?: number): Promise<ChainMeta> {
  const started = performance.now();
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const params = DEV_PARAMS;
  const assembler = new ChainAssembler(params);
  const pool = new SignPool(assembler.chainId, params.txWorkBits, threads);
  const chain = createWriteStream(join(dir, 'chain.bin.part'));
  const sample: string[] = [];
  let seen = 0;
  // The seed of the sample is fixed, so reruns look up the same versions.
  let s = 0x9e3779b9;
  const rand = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  let tree = { name: '', size: 0 };
  let head = '';
  let txs = 0;
  let chainBytes = 0;
  let extra: { bytes: Uint8Array; publishes: number; txs: number } | undefined;
  let lastReport = 0;

  const sign = async (plan: PlannedBlock): Promise<Uint8Array[]> => {
    const unsigned = plan.txs.filter((t): t is UnsignedPlan => !('signed' in t));
    const signed = await pool.sign(unsigned);
    let k = 0;
    return plan.txs.map((t) => ('signed' in t ? t.signed : signed[k++]!));
  };
  const seal = async (plan: PlannedBlock, encoded: Uint8Array[]): Promise<void> => {
    const block = assembler.next(encoded);
    if (plan.extra) {
      extra = { bytes: block.bytes, publishes: plan.publishes, txs: encoded.length };
      return;
    }
    head = block.id;
    txs += encoded.length;
    chainBytes += block.bytes.length;
    for (const r of plan.refs) {
      seen++;
      if (sample.length < SAMPLE) sample.push(r.ref);
      else if (rand() < SAMPLE / seen) sample[Math.floor(rand() * SAMPLE)] = r.ref;
      if (r.tree > tree.size) tree = { name: r.ref.slice(0, r.ref.lastIndexOf('@')), size: r.tree };
    }
    await write(chain, block.bytes);
    const now = performance.now();
    if (now - lastReport > 5000) {
      lastReport = now;
      progress(`  generating ${versions}: block ${assembler.height}, ${seen} versions, ${((now - started) / 1000).toFixed(0)} s`);
    }
  };

  try {
    // Block k is signed on the pool while block k+1 is planned on this thread.
    let previous: Promise<void> = Promise.resolve();
    for await (const plan of generateBlocks({ versions, signNow: (t) => pool.sign(t) })) {
      const signing = sign(plan);
      const sealed = previous.then(async () => seal(plan, await signing));
      await previous;
      previous = sealed;
    }
    await previous;
  } finally {
    await pool.close();
    await end(chain);
  }
  if (extra === undefined) throw new Error('the generator ended without the extra block');
  const extraFile = createWriteStream(join(dir, 'extra.bin'));
  await write(extraFile, extra.bytes);
  await end(extraFile);
  await rename(join(dir, 'chain.bin.part'), join(dir, 'chain.bin'));
  const meta: ChainMeta = {
    generatorVersion: GENERATOR_VERSION, versions: seen, height: assembler.height - 1, head, txs, chainBytes,
    extraPublishes: extra.publishes, extraTxs: extra.txs, extraBytes: extra.bytes.length, sample, tree, generationMs: performance.now() - started,
  };
  await writeFile(join(dir, 'meta.json'), JSON.stringify(meta));
  return meta;
}
