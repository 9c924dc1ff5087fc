/**
 * Child process of bench/scale: imports a chain file into a node's data dir
 * through FullNode.submitBlock (the next block's signatures verified while one
 * is applied, as sync does). Runs in its own process so that a node that runs
 * out of memory or time is killed and reported, not the bench.
 *
 *   npx tsx bench/scale/importChain.ts CHAIN_FILE DATA_DIR
 * Progress goes to stderr; the last stdout line is {"height", "ms"}.
 */
import '../../node/polyfill.ts';
import { DEV_PARAMS } from '../../ledger/index.ts';
import { FullNode, silentLogger } from '../../node/index.ts';
import { readBlocks } from './chainFiles.ts';

const [file, dataDir] = process.argv.slice(2);
if (file === undefined || dataDir === undefined) throw new Error('usage: importChain.ts CHAIN_FILE DATA_DIR');
const node = await FullNode.open({ dataDir, params: DEV_PARAMS, log: silentLogger });
const started = performance.now();
let last = started;
let pending: ReturnType<FullNode['prepareBlock']> | undefined;
for await (const bytes of readBlocks(file)) {
  const next = node.prepareBlock(bytes);
  if (pending !== undefined) await node.submitBlock(pending);
  pending = next;
  const now = performance.now();
  if (now - last > 5000) {
    last = now;
    process.stderr.write(`  importing: height ${node.chain.height}, ${((now - started) / 1000).toFixed(0)} s, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB\n`);
  }
}
if (pending !== undefined) await node.submitBlock(pending);
const height = node.chain.height;
await node.close();
process.stdout.write(JSON.stringify({ height, ms: performance.now() - started }) + '\n');
