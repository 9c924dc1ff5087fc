/**
 * Reads the main chain block by block and turns it into work: create txs name
 * packages, publish txs are versions to test. It remembers where it stopped and
 * every name it has seen, so each pass reads only the new blocks.
 */
import type { AttestNode } from './node.ts';

export interface AttestJob {
  /** the package's id (hex) */
  pkg: string;
  version: string;
}

export class ChainReader {
  private readonly names = new Map<string, string>();

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
        if (tx.type === 'publish' && tx.body?.pkg !== undefined && tx.body.version !== undefined) jobs.push({ pkg: tx.body.pkg, version: tx.body.version });
      }
      onBlock?.(this.next, top);
    }
    return jobs;
  }
}
