/**
 * The state keys a block's txs will surely read, known from the txs alone, so
 * a block's application starts with one batched LevelDB read instead of one
 * rerun per key. Only a hint: what the rules read beyond it (a package's
 * namespace, its latest version, the previous manifest, lock entries) is loaded
 * when they ask for it (StateSession.run), so a wrong hint costs time, never a
 * verdict.
 */
import { toHex, type Canonical } from '../../ledger/encoding.ts';
import { searchTokens } from '../../ledger/searchTokens.ts';
import { keys, type PackageState, type StateValue, type VersionState } from '../../ledger/state.ts';
import type { Tx } from '../../ledger/tx.ts';
import { stepBase } from '../../ledger/versionLine.ts';

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
        out.add(keys.namespace(tx.body.ns)).add(keys.name(`${tx.body.ns}/${tx.body.name}`)).add(keys.bareName(tx.body.name, tx.body.ns));
        break;
      case 'rotate':
        out.add(keys.account(toHex(tx.body.to))).add(keys.owned(toHex(tx.body.to))).add(keys.owned(from));
        break;
      case 'transfer':
        out.add(keys.account(toHex(tx.body.to)));
        break;
      case 'publish':
        if (tx.body.apiHash !== undefined) out.add(keys.api(toHex(tx.body.apiHash)));
        out.add(keys.pkg(toHex(tx.body.pkg)));
        break;
      case 'advisory':
        out.add(keys.pkg(toHex(tx.body.pkg))).add(keys.advisories(toHex(tx.body.pkg)));
        break;
      case 'authority-vote':
      case 'evidence':
        out.add(keys.authority);
        break;
      case 'import':
        out.add(keys.npm(tx.body.name)).add(keys.npmRelease(tx.body.name, tx.body.version));
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

/**
 * The keys the txs read that follow from records already loaded (`peek`
 * answers undefined for what is not): a publish's namespace and latest version,
 * that version's manifest, the search records of both manifests, and each lock entry's name, package and locked
 * version (the lock-tree check reads those, never a locked package's other
 * versions). Called again as more is loaded, it reaches one step further each time.
 */
export function derivedHints(txs: readonly Tx[], peek: (key: string) => StateValue | undefined): Set<string> {
  const out = new Set<string>();
  for (const tx of txs) {
    if (tx.type === 'attest') {
      // The reward rule reads the namespace (is the tester a maintainer?) and the accounts of agreeing testers it pays.
      const pkg = peek(keys.pkg(toHex(tx.body.pkg))) as PackageState | undefined;
      if (pkg !== undefined) out.add(keys.namespace(pkg.ns));
      const version = peek(keys.version(toHex(tx.body.pkg), tx.body.version)) as VersionState | undefined;
      for (const a of version?.attestations ?? []) if (a.rewardStatus === 'awaiting-agreement') out.add(keys.account(a.tester));
      continue;
    }
    if (tx.type !== 'publish') continue;
    const id = toHex(tx.body.pkg);
    const pkg = peek(keys.pkg(id)) as PackageState | undefined;
    if (pkg !== undefined) {
      out.add(keys.namespace(pkg.ns));
      const base = stepBase(pkg.versions, tx.body.version);
      let prevManifest: Canonical | undefined;
      if (base !== undefined) {
        out.add(keys.version(id, base));
        const prev = peek(keys.version(id, base)) as VersionState | undefined;
        if (prev?.apiHash !== undefined) {
          out.add(keys.api(prev.apiHash));
          prevManifest = peek(keys.api(prev.apiHash)) as Canonical | undefined;
        }
      }
      // The search records the publish moves when it becomes the newest version (ledger/searchTokens.ts); the commit's undo data reads them.
      const manifest = tx.body.manifest ?? (tx.body.apiHash === undefined ? undefined : (peek(keys.api(toHex(tx.body.apiHash))) as Canonical | undefined));
      for (const t of [...searchTokens(prevManifest), ...searchTokens(manifest)]) out.add(keys.word(t, `${pkg.ns}/${pkg.name}`));
    }
    for (const ref of Object.keys(tx.body.lock)) {
      const at = ref.lastIndexOf('@');
      const name = ref.slice(0, at);
      out.add(keys.name(name));
      const depId = peek(keys.name(name)) as string | undefined;
      if (depId === undefined) continue;
      out.add(keys.pkg(depId)).add(keys.version(depId, ref.slice(at + 1)));
    }
  }
  return out;
}
