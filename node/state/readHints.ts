/**
 * The state keys a block's txs will surely read, known from the txs alone, so
 * a block's application starts with one batched LevelDB read instead of one
 * rerun per key. Only a hint: what the rules read beyond it (a package's
 * namespace, its latest version, the previous manifest, lock entries) is loaded
 * when they ask for it (StateSession.run), so a wrong hint costs time, never a
 * verdict.
 */
import { toHex } from '../../ledger/encoding.ts';
import { keys } from '../../ledger/state.ts';
import type { Tx } from '../../ledger/tx.ts';

export function readHints(txs: readonly Tx[]): Set<string> {
  const out = new Set<string>();
  for (const tx of txs) {
    if (tx.type === 'reward') {
      for (const o of tx.outputs) out.add(keys.account(toHex(o.to)));
      continue;
    }
    const from = toHex(tx.from);
    out.add(keys.account(from));
    switch (tx.type) {
      case 'claim':
        out.add(keys.namespace(tx.body.ns)).add(keys.owned(from));
        break;
      case 'maintainer':
        out.add(keys.namespace(tx.body.ns)).add(keys.owned(toHex(tx.body.who)));
        break;
      case 'create':
        out.add(keys.namespace(tx.body.ns)).add(keys.name(`${tx.body.ns}/${tx.body.name}`));
        break;
      case 'rotate':
        out.add(keys.account(toHex(tx.body.to))).add(keys.owned(toHex(tx.body.to))).add(keys.owned(from));
        break;
      case 'publish':
        if (tx.body.apiHash !== undefined) out.add(keys.api(toHex(tx.body.apiHash)));
        out.add(keys.pkg(toHex(tx.body.pkg)));
        break;
      case 'deprecate':
      case 'bounds':
      case 'attest':
        out.add(keys.pkg(toHex(tx.body.pkg))).add(keys.version(toHex(tx.body.pkg), tx.body.version));
        break;
    }
  }
  return out;
}
