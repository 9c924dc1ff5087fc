/**
 * Reads the main chain block by block and turns it into work: create txs name
 * packages, publish txs are versions to test. It remembers where it stopped and
 * every name it has seen, so each pass reads only the new blocks.
 */
import { compareVersions } from '../../ledger/index.ts';
import type { AttestNode } from './node.ts';

export interface AttestJob {
  /** the package's id (hex) */
  pkg: string;
  version: string;
}

/** A package's newest version seen, and the names its deps declare (crater: who depends on whom). */
export interface LatestVersion {
  /** the package's id (hex) */
  pkg: string;
  version: string;
  deps: string[];
}

export class ChainReader {
  private readonly names = new Map<string, string>();
  private readonly latest = new Map<string, LatestVersion>();

  /** `next`: the first height not read yet */
  constructor(public next: number) {}

  /** '@ns/name' of a package seen created, by id */
  nameOf(pkg: string): string | undefined {
    return this.names.get(pkg);
  }

  /** Read every block from `next` to `top`; the publish txs found, in chain order. */
  async readTo(node: AttestNode, top: number, onBlock?: (height: number, top: number) => void): Promise<AttestJob[]> {
    const jobs: AttestJob[] = [];
    for (; this.next <= top; this.next++) {
      const block = await node.block(this.next);
      for (const tx of block.txs) {
        if (tx.type === 'create' && tx.body?.ns !== undefined && tx.body.name !== undefined) this.names.set(tx.id, `${tx.body.ns}/${tx.body.name}`);
        if (tx.type === 'publish' && tx.body?.pkg !== undefined && tx.body.version !== undefined) {
          jobs.push({ pkg: tx.body.pkg, version: tx.body.version });
          this.noteLatest(tx.body.pkg, tx.body.version, tx.body.deps);
        }
      }
      onBlock?.(this.next, top);
    }
    return jobs;
  }

  private noteLatest(pkg: string, version: string, deps: Record<string, string> | undefined): void {
    const seen = this.latest.get(pkg);
    if (seen !== undefined && compareVersions(version, seen.version) <= 0) return;
    this.latest.set(pkg, { pkg, version, deps: deps !== null && typeof deps === 'object' ? Object.keys(deps) : [] });
  }

  /**
   * The direct dependents of `name` among the packages read so far: those whose
   * newest version declares it, most depended-on first (how many packages' newest
   * versions declare each), then by name; at most `cap`.
   */
  dependentsOf(name: string, cap: number): Array<LatestVersion & { name: string }> {
    const dependedOn = new Map<string, number>();
    for (const v of this.latest.values()) for (const dep of v.deps) dependedOn.set(dep, (dependedOn.get(dep) ?? 0) + 1);
    const out: Array<LatestVersion & { name: string }> = [];
    for (const v of this.latest.values()) {
      const own = this.names.get(v.pkg);
      if (own !== undefined && own !== name && v.deps.includes(name)) out.push({ ...v, name: own });
    }
    const count = (n: string): number => dependedOn.get(n) ?? 0;
    out.sort((a, b) => count(b.name) - count(a.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return out.slice(0, cap);
  }
}
