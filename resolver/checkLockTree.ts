/**
 * The consensus rules for a lock tree recorded by a publish (DESIGN.md,
 * "Validation by consensus"), cheap checks before costly ones. The ledger rule
 * in ledger/rules.ts has already checked that every entry is on chain with its content
 * hash; these rules make the tree a real, installable resolution:
 *   TX_LOCK_DUPLICATE    at most one version of a package (the install is flat)
 *   TX_LOCK_SELF         the package is not in its own tree (a cycle back to it is
 *                        satisfied by the version being published)
 *   TX_LOCK_UNKNOWN / TX_LOCK_HASH_MISMATCH   (again, so the CLI can check alone)
 *   TX_LOCK_NOT_CLOSED   every dependency of the package and of every entry has an entry
 *   TX_LOCK_RANGE        every entry satisfies each range that requires it (deps as
 *                        amended by bounds edits, so amended bounds bind new trees)
 *   TX_LOCK_UNREACHABLE  every entry is required, directly or not, by the package
 */
import { GopkgrError, type ErrorCode } from '../ledger/errors.ts';
import { indexVersion, satisfies, splitRef, type IndexVersion, type VersionIndex } from './versionIndex.ts';

export interface LockSubject {
  /** `@ns/name` of the package being published */
  name: string;
  /** its version */
  version: string;
  /** its dependency ranges */
  deps: Readonly<Record<string, string>>;
}

function reject(code: ErrorCode, message: string): never {
  throw new GopkgrError(code, message);
}

export function checkLockTree(index: VersionIndex, subject: LockSubject, lock: Readonly<Record<string, string>>): void {
  const chosen = new Map<string, { version: string; entry: IndexVersion }>();
  const seen = new Map<string, string>();
  for (const ref of Object.keys(lock).sort()) {
    const { name, version } = splitRef(ref);
    const other = seen.get(name);
    if (other !== undefined) reject('TX_LOCK_DUPLICATE', `lock tree has two versions of ${name} (${other} and ${version}); a tree holds one`);
    seen.set(name, version);
  }
  if (seen.has(subject.name)) reject('TX_LOCK_SELF', `lock tree of ${subject.name}@${subject.version} contains ${subject.name}@${seen.get(subject.name)}`);
  for (const [name, version] of seen) {
    const entry = indexVersion(index, name, version);
    if (entry === undefined) reject('TX_LOCK_UNKNOWN', `lock entry ${name}@${version} is not on chain`);
    const hash = lock[`${name}@${version}`]!;
    if (entry.contentHash !== hash) reject('TX_LOCK_HASH_MISMATCH', `lock entry ${name}@${version} has content hash ${hash}, the chain has ${entry.contentHash}`);
    chosen.set(name, { version, entry });
  }
  // Closure and ranges, walking from the package so unreachable entries show up.
  const reached = new Set<string>();
  const queue: Array<{ who: string; deps: Readonly<Record<string, string>> }> = [{ who: `${subject.name}@${subject.version}`, deps: subject.deps }];
  while (queue.length > 0) {
    const { who, deps } = queue.shift()!;
    for (const dep of Object.keys(deps).sort()) {
      const range = deps[dep]!;
      if (dep === subject.name) {
        if (!satisfies(subject.version, range)) reject('TX_LOCK_RANGE', `${who} requires ${dep} ${range}, but the tree is for ${dep}@${subject.version}`);
        continue;
      }
      const got = chosen.get(dep);
      if (got === undefined) reject('TX_LOCK_NOT_CLOSED', `lock tree is not closed: ${who} requires ${dep} ${range}, which has no entry`);
      if (!satisfies(got.version, range)) reject('TX_LOCK_RANGE', `lock entry ${dep}@${got.version} is outside ${range}, which ${who} requires`);
      if (!reached.has(dep)) {
        reached.add(dep);
        queue.push({ who: `${dep}@${got.version}`, deps: got.entry.deps });
      }
    }
  }
  for (const [name, { version }] of chosen) {
    if (!reached.has(name)) reject('TX_LOCK_UNREACHABLE', `lock entry ${name}@${version} is not required by ${subject.name} or its dependencies`);
  }
}
