/**
 * bench/scale: a registry the size of an ecosystem on one machine (issue 14).
 *
 * For each size (default 10^4, 10^5 and 10^6 package versions, all in one run):
 *  1. generate the chain with the node's own code (bench/scale/generator.ts:
 *     namespaces with several packages, several InfVer-valid versions each,
 *     10-export manifests, 1% ~100 KB manifests, deps and lock trees naming
 *     earlier versions, full blocks), signing on one worker thread per core;
 *  2. import it into a data dir through FullNode.submitBlock in a child process;
 *  3. measure against real `gopkgr node` processes: disk, start time until
 *     GET /v1/status answers (median of 3), RSS after start, resolve of a
 *     50-package request (the largest tree plus sampled packages, with their
 *     deps), import of one more full block (POST /v1/blocks, median of 3 fresh
 *     copies: wall time, and the node's CPU time over it) and a late joiner's
 *     sync (a fresh node with --peer of the served one);
 *  4. once every size is built, lookup p50/p99 (GET /v1/packages/@ns/name/VERSION
 *     over sampled versions) and RSS after them, on one node per size at once:
 *     warmed up, then the sizes take turns in batches (bench/scale/lookups.ts),
 *     so load from elsewhere on the machine falls on every size alike.
 * Every data dir is marked as holding the tarballs its records name (the
 * generator makes none; a serving node holds its own), so no node spends the
 * figures walking its versions for missing tarballs.
 * Then each figure's growth between sizes, the issue's goals at 10^6, and as
 * the last line the ratio of the lookup p50 at the largest size to a raw
 * LevelDB lookup of the same keys on the same data dir (node stopped).
 *
 * Sizes above --generate-max (default 10^4: signing 10^6 txs takes hours on
 * 2 cores) are built by inflating the largest generated data dir with
 * synthetic version records (bench/scale/inflate.ts: what a node that joined
 * from a snapshot holds). No blocks produced their versions, so their late
 * joiner joins as such a node does: from a signed snapshot of the served
 * node's state (written in the run, its time printed), records checked
 * against the state root, then blocks.
 *
 * Generated chains and their imported data dirs are cached in --cache DIR
 * (default $TMPDIR/gopkgr-scale-cache), keyed by size and generator version,
 * so a rerun skips generation and import. A node that dies or misses a
 * deadline is reported ("killed by SIGKILL", "did not finish: ...") and the
 * run goes on.
 *
 *   npm run build          # so nodes run compiled JS, not tsx (start times)
 *   npm run bench:scale -- [--sizes 1e4,1e5,1e6] [--generate-max 1e4] [--cache DIR] [--sync-timeout S]
 *                          [--start-timeout S] [--import-timeout S] [--lookups N] [--threads N]
 */
import '../node/polyfill.ts';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chainDirOf, generateChain, readMeta, type ChainMeta } from './scale/chainFiles.ts';
import { checkManifestShapes } from './scale/manifests.ts';
import { blockImport, dirBytes, rawLevelLookups, servedFigures, snapshotJoin, type Figure, type Limits } from './scale/measure.ts';
import { GENERATOR_VERSION } from './scale/generator.ts';
import { inflateDataDir } from './scale/inflate.ts';
import { interleavedLookups, markTarballsHeld } from './scale/lookups.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string' }, cache: { type: 'string' }, 'sync-timeout': { type: 'string' }, 'start-timeout': { type: 'string' },
    'import-timeout': { type: 'string' }, lookups: { type: 'string' }, threads: { type: 'string' }, 'generate-max': { type: 'string' },
  },
});
const SIZES = (values.sizes ?? '1e4,1e5,1e6').split(',').map((s) => Number(s));
if (SIZES.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new Error(`--sizes takes counts such as 1e4,1e5: got ${values.sizes}`);
const GENERATE_MAX = Number(values['generate-max'] ?? 1e4);
const CACHE = values.cache ?? join(tmpdir(), 'gopkgr-scale-cache');
const limits: Limits = {
  syncTimeoutMs: Number(values['sync-timeout'] ?? 600) * 1000,
  startTimeoutMs: Number(values['start-timeout'] ?? 300) * 1000,
  lookups: Math.max(1000, Number(values.lookups ?? 1000)),
};
const IMPORT_TIMEOUT_MS = Number(values['import-timeout'] ?? 3600) * 1000;
const THREADS = values.threads === undefined ? undefined : Number(values.threads);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Lookups per size: a warm-up, then rounds of one batch per size in turn (limits.lookups per round in all). */
const LOOKUP_WARMUP = 500;
const LOOKUP_BATCH = 100;
const LOOKUP_ROUNDS = Math.ceil((4 * limits.lookups) / LOOKUP_BATCH);
const log = (line: string): void => void process.stderr.write(line + '\n');

/** Builds the data dir of a chain in a child process (cached beside the chain): height and ms, or why not. */
async function importedDataDir(chainDir: string, meta: ChainMeta): Promise<{ ms: number } | { failed: string }> {
  const marker = join(chainDir, 'data.json');
  const cached = await readFile(marker, 'utf8').then((t) => JSON.parse(t) as { height: number; ms: number }, () => undefined);
  if (cached?.height === meta.height) return cached;
  const dataDir = join(chainDir, 'data');
  await rm(dataDir, { recursive: true, force: true });
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/scale/importChain.ts', join(chainDir, 'chain.bin'), dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  let lastLine = '';
  child.stderr.on('data', (d: Buffer) => {
    process.stderr.write(d);
    lastLine = d.toString().trim().split('\n').at(-1) ?? lastLine;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), IMPORT_TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, s) => r([c, s])));
  clearTimeout(timer);
  if (code !== 0) {
    const why = signal === 'SIGKILL' ? `killed (deadline of ${IMPORT_TIMEOUT_MS / 1000} s or out of memory)` : signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
    return { failed: `import into the data dir ${why}; last: ${lastLine}` };
  }
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { height: number; ms: number };
  if (result.height !== meta.height) return { failed: `import ended at height ${result.height}, not ${meta.height}` };
  await writeFile(marker, JSON.stringify(result));
  return result;
}

interface SizeResult {
  size: number;
  meta?: ChainMeta;
  figures: Record<string, Figure>;
  dataDir?: string;
}

async function runSize(size: number, scratch: string): Promise<SizeResult> {
  const chainDir = chainDirOf(CACHE, size);
  const figures: Record<string, Figure> = {};
  let meta = await readMeta(chainDir);
  if (meta === undefined) {
    log(`generating ${size} versions into ${chainDir}`);
    meta = await generateChain(chainDir, size, log, THREADS);
    log(`generated ${meta.versions} versions, ${meta.height} blocks, ${(meta.chainBytes / 1e6).toFixed(0)} MB in ${(meta.generationMs / 1000).toFixed(0)} s`);
  } else log(`using the cached chain of ${size} versions (generated in ${(meta.generationMs / 1000).toFixed(0)} s)`);
  figures.generation = { value: meta.generationMs, unit: 'ms', note: `${meta.height} blocks, ${meta.txs} txs, ${(meta.chainBytes / 1e6).toFixed(0)} MB of blocks` };
  log(`importing into a data dir (cached after the first run)`);
  const imported = await importedDataDir(chainDir, meta);
  if ('failed' in imported) {
    figures.dataDir = imported;
    return { size, meta, figures };
  }
  figures.dataDir = { value: imported.ms, unit: 'ms', note: 'FullNode.submitBlock of every block, in a child process' };
  const dataDir = join(chainDir, 'data');
  await markTarballsHeld(dataDir);
  figures.disk = { value: await dirBytes(dataDir), unit: 'bytes' };
  Object.assign(figures, await servedFigures(dataDir, meta, scratch, limits, log));
  const imported1 = await blockImport(dataDir, join(chainDir, 'extra.bin'), meta, scratch, limits, log);
  figures.blockImport = imported1.wall;
  figures.blockImportCpu = imported1.cpu;
  return { size, meta, figures, dataDir };
}

/** A size too large to generate: the largest generated data dir, inflated with synthetic versions. */
async function runInflated(size: number, base: SizeResult, scratch: string): Promise<SizeResult> {
  const figures: Record<string, Figure> = {};
  const dataDir = join(scratch, `inflated-${size}`);
  const t = performance.now();
  const sample = await inflateDataDir(base.dataDir!, dataDir, size - base.size, limits.lookups, log);
  figures.dataDir = { value: performance.now() - t, unit: 'ms', note: `the ${base.size}-version data dir plus ${size - base.size} synthetic versions` };
  figures.disk = { value: await dirBytes(dataDir), unit: 'bytes' };
  // Half the lookups on the generated versions, half on the synthetic ones.
  const meta: ChainMeta = { ...base.meta!, versions: size, sample: [...base.meta!.sample, ...sample] };
  Object.assign(figures, await servedFigures(dataDir, meta, scratch, { ...limits, skipSync: true }, log));
  // Its versions have no blocks to replay: a late joiner joins from a signed snapshot.
  const joined = await snapshotJoin(dataDir, meta, scratch, limits, log);
  figures.snapshotWrite = joined.write;
  figures.sync = joined.join;
  const imported = await blockImport(dataDir, join(chainDirOf(CACHE, base.size), 'extra.bin'), base.meta!, scratch, limits, log);
  figures.blockImport = imported.wall;
  figures.blockImportCpu = imported.cpu;
  return { size, meta, figures, dataDir };
}

const LABELS: Record<string, string> = {
  generation: 'generation (chain, signed)', dataDir: 'import into data dir', disk: 'disk', start: 'start until /v1/status', ready: 'start until the network is up', rssStart: 'RSS after start',
  lookupP50: 'lookup p50', lookupP99: 'lookup p99', rssLoaded: 'RSS after lookups', resolve: 'resolve of 50 packages', sync: 'late-join sync',
  rssAfterSync: 'RSS after serving the sync', snapshotWrite: 'snapshot of the state written', blockImport: 'full-block import',
  blockImportCpu: 'full-block import, CPU time',
};

function show(f: Figure | undefined): string {
  if (f === undefined) return '—';
  if ('failed' in f) return `FAILED: ${f.failed}`;
  const v = f.unit === 'bytes' ? `${(f.value / 1e6).toFixed(1)} MB` : f.unit === 'ms' ? (f.value >= 1000 ? `${(f.value / 1000).toFixed(2)} s` : `${f.value.toFixed(2)} ms`) : String(f.value);
  return f.note === undefined ? v : `${v} (${f.note})`;
}

const valueOf = (f: Figure | undefined): number | undefined => (f !== undefined && !('failed' in f) ? f.value : undefined);

const scratch = await mkdtemp(join(tmpdir(), 'gopkgr-bench-scale-'));
const results: SizeResult[] = [];
let baseline: { size: number; lookup: number; raw: number } | undefined;
try {
  const shapes = checkManifestShapes();
  log(`generator v${GENERATOR_VERSION}; manifests pass infver's validateManifest: ${shapes.base} B (10 exports), ${shapes.large} B (large); cache ${CACHE}`);
  for (const size of SIZES) {
    log(`— ${size} versions —`);
    const base = results.filter((x) => x.dataDir !== undefined && x.size <= GENERATE_MAX).at(-1);
    const r = size > GENERATE_MAX && base !== undefined ? await runInflated(size, base, scratch) : await runSize(size, scratch);
    results.push(r);
  }
  // Lookups last, on every size's node at once, taking turns (bench/scale/lookups.ts).
  const served = results.filter((r) => r.dataDir !== undefined && r.meta !== undefined);
  log(`— lookups, ${served.map((r) => r.size).join(', ')} versions interleaved —`);
  const looked = await interleavedLookups(served.map((r) => ({ size: r.size, dataDir: r.dataDir!, sample: r.meta!.sample })), { warmup: LOOKUP_WARMUP, rounds: LOOKUP_ROUNDS, batch: LOOKUP_BATCH, startTimeoutMs: limits.startTimeoutMs }, log);
  for (const r of results) Object.assign(r.figures, looked.get(r.size) ?? {});
  for (const r of results) for (const [k, f] of Object.entries(r.figures)) console.log(`${r.size} versions: ${LABELS[k] ?? k}: ${show(f)}`);
  const largest = served.at(-1);
  const lookup = valueOf(largest?.figures.lookupP50);
  if (largest !== undefined && lookup !== undefined) {
    const raw = await rawLevelLookups(largest.dataDir!, largest.meta!.sample, limits.lookups).catch((err: Error) => (log(`baseline failed: ${err.message}`), undefined));
    if (raw !== undefined) baseline = { size: largest.size, lookup, raw };
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}

// Growth of each figure from one size to the next.
for (const key of Object.keys(LABELS)) {
  const steps: string[] = [];
  for (let i = 1; i < results.length; i++) {
    const a = valueOf(results[i - 1]!.figures[key]);
    const b = valueOf(results[i]!.figures[key]);
    steps.push(`${results[i - 1]!.size}→${results[i]!.size}: ${a !== undefined && b !== undefined ? `x${(b / a).toFixed(2)}` : 'n/a'}`);
  }
  if (steps.length > 0) console.log(`growth of ${LABELS[key]}: ${steps.join(', ')}`);
}

// The issue's goals, judged at 10^6 versions.
const at = results.find((r) => r.size === 1e6);
const smallest = results[0];
const goal = (name: string, f: Figure | undefined, ok: (v: number) => boolean, shown = show(f)): void => {
  const v = valueOf(f);
  const verdict = at === undefined ? 'not measured (10^6 not in --sizes)' : v === undefined ? `missed (${shown})` : ok(v) ? 'met' : 'missed';
  console.log(`goal at 10^6: ${name}: ${verdict}${at !== undefined && v !== undefined ? ` (${shown})` : ''}`);
};
goal('start < 1 s', at?.figures.start, (v) => v < 1000);
const rss = Math.max(valueOf(at?.figures.rssStart) ?? 0, valueOf(at?.figures.rssLoaded) ?? 0, valueOf(at?.figures.rssAfterSync) ?? 0);
goal('RSS < 1 GB', rss > 0 ? { value: rss, unit: 'bytes' } : at?.figures.start, (v) => v < 1e9);
goal('sync < 10 min', at?.figures.sync, (v) => v < 600_000);
goal('full block < 1 s', at?.figures.blockImport, (v) => v < 1000);
goal('full block < 1 s of CPU time (wall time on a loaded machine is this stretched)', at?.figures.blockImportCpu, (v) => v < 1000);
const flat = valueOf(at?.figures.lookupP50) !== undefined && valueOf(smallest?.figures.lookupP50) !== undefined
  ? { value: valueOf(at!.figures.lookupP50)! / valueOf(smallest!.figures.lookupP50)!, unit: 'count' as const, note: `p50 at 10^6 over p50 at ${smallest!.size}; flat: ≤ 1.5` }
  : at?.figures.lookupP50;
goal('lookups flat', flat, (v) => v <= 1.5, flat !== undefined && !('failed' in flat) ? `x${flat.value.toFixed(2)}, ${flat.note}` : show(flat));

console.log(baseline === undefined
  ? 'ratio lookup p50 / raw LevelDB get p50: n/a (no size got as far as its lookups)'
  : `ratio lookup p50 / raw LevelDB get p50 at ${baseline.size} versions: ${(baseline.lookup / baseline.raw).toFixed(1)} (${baseline.lookup.toFixed(3)} ms over ${baseline.raw.toFixed(3)} ms)`);
