/**
 * A data dir the size of a large registry without generating its chain:
 * the state of a real generated chain (its blocks, head and records intact)
 * plus synthetic package versions written straight into the state records, as
 * a node that joined a large chain from a snapshot holds them (node/snapshot/).
 * The synthetic versions are clones of a real version record with their own
 * names, ids, versions and hashes, ten to a package, all sharing one manifest
 * record, so the node reads, caches and serves them like any other. What this
 * cannot measure is a replay of that many versions (there are no blocks for
 * them); start, memory, lookups, resolves and one more block's import it can.
 */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { ChainStore, put, type BatchOp } from '../../node/store.ts';
import { chainDirOf as nodeChainDirOf } from '../../node/fullNode.ts';
import { DEV_PARAMS, sha256Hex, type PackageState, type VersionState } from '../../ledger/index.ts';

const VERSIONS_PER_PACKAGE = 10;
const BATCH = 20_000;

/** Copy `baseDataDir` to `dataDir` and add `extra` synthetic versions; returns a sample of their refs. */
export async function inflateDataDir(baseDataDir: string, dataDir: string, extra: number, sampleSize: number, log: (l: string) => void): Promise<string[]> {
  await cp(baseDataDir, dataDir, { recursive: true });
  const store = new ChainStore(join(nodeChainDirOf(dataDir, DEV_PARAMS), 'db'));
  await store.open();
  try {
    let template: VersionState | undefined;
    for await (const [, value] of store.entries<VersionState>('s:ver:')) {
      template = value;
      break;
    }
    if (template === undefined) throw new Error('the base data dir holds no version to clone');
    const packages = Math.ceil(extra / VERSIONS_PER_PACKAGE);
    const every = Math.max(1, Math.floor(packages / sampleSize));
    const sample: string[] = [];
    let ops: BatchOp[] = [];
    let written = 0;
    const started = performance.now();
    for (let p = 0; p < packages; p++) {
      const ns = `@syn-${Math.floor(p / 8)}`;
      const name = `p${p % 8}`;
      const full = `${ns}/${name}`;
      const id = sha256Hex(new TextEncoder().encode(full));
      const versions = Array.from({ length: Math.min(VERSIONS_PER_PACKAGE, extra - p * VERSIONS_PER_PACKAGE) }, (_, v) => `1.0.${v}`);
      const pkg: PackageState = { id, ns, name, creator: template.publisher, height: template.height, versions };
      ops.push(put(`s:name:${full}`, id), put(`s:pkg:${id}`, pkg));
      for (const v of versions) {
        const state: VersionState = { ...template, version: v, contentHash: sha256Hex(new TextEncoder().encode(`${full}@${v}`)), txId: sha256Hex(new TextEncoder().encode(`tx ${full}@${v}`)), deps: {}, publishedDeps: {}, lock: {}, attestations: [], bounds: [] };
        ops.push(put(`s:ver:${id}:${v}`, state));
      }
      if (p % every === 0 && sample.length < sampleSize) sample.push(`${full}@${versions.at(-1)!}`);
      if (ops.length >= BATCH) {
        await store.write(ops);
        written += ops.length;
        ops = [];
        if (p % 10_000 < 2) log(`  inflating: ${p * VERSIONS_PER_PACKAGE} of ${extra} synthetic versions, ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    }
    await store.write(ops);
    written += ops.length;
    log(`  inflated by ${extra} versions (${written} records) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // A node that grew to this size block by block compacted as it went; a million records written at
    // once leave LevelDB levels over their budgets, whose compaction would run beside the figures taken next.
    const compacting = performance.now();
    // (classic-level has compactRange; the Level type of 'level' does not declare it)
    await (store.db as unknown as { compactRange(start: string, end: string): Promise<void> }).compactRange('\u0000', '\uffff');
    log(`  compacted in ${((performance.now() - compacting) / 1000).toFixed(1)} s`);
    return sample;
  } finally {
    await store.close();
  }
}
