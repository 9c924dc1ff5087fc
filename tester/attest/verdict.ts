/**
 * InfVer verdicts (DESIGN.md "InfVer"): the tester recomputes the bump from the
 * version published right before to this one with the checker (infver's
 * `diffPackages`, on both versions' unpacked tarballs) and attests it with the
 * hash of the changes it found, so the chain can count agreeing testers.
 *
 * Only a checker on the chain's pinned TypeScript (genesis `infverTypescript`)
 * gives a verdict: two TypeScript releases may judge one change differently,
 * and verdicts that cannot agree would never make a quorum. This runs in the
 * tester only; the node's rules count verdicts, they never run the checker.
 *
 * The exact bytes hashed (changesHash = sha256 of the canonical CBOR of):
 *   { v: "gopkgr/infver/changes/v1", bump, changes: [[entry, export, rule, kind, detail], ...] }
 * with the changes sorted (code-unit order of the five fields joined by "\n")
 * and each temporary directory the versions were unpacked into replaced by
 * "<old>" / "<new>" (a diagnostic may name a file), so every tester on the same
 * TypeScript hashes the same bytes. Witnesses are left out: they repeat the detail.
 */
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encode, GopkgrError, sha256Hex } from '../../ledger/index.ts';
import { checkerTypescript, diffPackages, type Bump } from '../../infver/index.ts';

export const CHANGES_HASH_DOMAIN = 'gopkgr/infver/changes/v1';

/** A verdict to attest: the bump the checker computed and the hash of its changes. */
export interface Verdict {
  bump: Bump;
  changesHash: string;
  /** how many changes the checker found (for the log) */
  changes: number;
}

/** One change as the checker reports it (the fields that are hashed). */
export interface VerdictChange {
  entry: string;
  export: string;
  rule: string;
  kind: string;
  detail: string;
}

/** Whether this tester may attest verdicts on a chain: only with the pinned TypeScript. The reason when not. */
export type VerdictPolicy = { attest: true; typescript: string } | { attest: false; reason: string };

const UNPINNED = 'the chain pins no TypeScript for InfVer verdicts (genesis infverTypescript): attesting tests only';

export function verdictPolicy(pinned: string | undefined, installed: string): VerdictPolicy {
  if (pinned === undefined) return { attest: false, reason: UNPINNED };
  if (pinned !== installed) {
    return { attest: false, reason: `the chain pins TypeScript ${pinned} for InfVer verdicts, this tester's checker runs ${installed}: attesting tests only, no verdicts` };
  }
  return { attest: true, typescript: installed };
}

/** The policy for a chain that pins `pinned`, against the TypeScript the checker loads (loaded only when the chain pins one). */
export async function chainVerdictPolicy(pinned: string | undefined): Promise<VerdictPolicy> {
  if (pinned === undefined) return { attest: false, reason: UNPINNED };
  return verdictPolicy(pinned, await checkerTypescript());
}

/** The hash agreeing testers share: see the file header for the exact bytes. */
export function changesHash(bump: Bump, changes: readonly VerdictChange[], dirs: { old: string; new: string } = { old: '', new: '' }): string {
  const scrub = (text: string): string => {
    let out = text;
    // The longer path first, in case one directory is inside the other.
    for (const [dir, label] of [[dirs.old, '<old>'], [dirs.new, '<new>']].sort((a, b) => b[0]!.length - a[0]!.length) as Array<[string, string]>) {
      if (dir !== '') out = out.split(dir).join(label);
    }
    return out;
  };
  const rows = changes.map((c) => [c.entry, c.export, c.rule, c.kind, c.detail].map(scrub));
  const key = (r: string[]): string => r.join('\n');
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return sha256Hex(encode({ v: CHANGES_HASH_DOMAIN, bump, changes: rows }));
}

/** Write a tarball's file map under `dir` (paths were normalised by extractTarball; refused again if they climb out). */
async function writeFiles(dir: string, files: ReadonlyMap<string, string>): Promise<void> {
  for (const [rel, text] of files) {
    const file = path.resolve(dir, rel);
    if (!file.startsWith(dir + path.sep)) throw new GopkgrError('TEST_BAD_TARBALL', `tarball path ${rel} leaves the package`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
}

/** The checker's verdict on the step from `prevFiles` to `files` (both unpacked tarballs). */
export async function computeVerdict(prevFiles: ReadonlyMap<string, string>, files: ReadonlyMap<string, string>): Promise<Verdict> {
  // The real path: the checker may report files by it (a symlinked tmpdir), and the hash scrubs it.
  const root = await realpath(await mkdtemp(path.join(tmpdir(), 'gopkgr-verdict-')));
  const dirs = { old: path.join(root, 'old'), new: path.join(root, 'new') };
  try {
    await writeFiles(dirs.old, prevFiles);
    await writeFiles(dirs.new, files);
    const { bump, changes } = await diffPackages(dirs.old, dirs.new);
    return { bump, changesHash: changesHash(bump, changes, dirs), changes: changes.length };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
