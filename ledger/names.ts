/**
 * Names and versions as the ledger accepts them.
 * Namespaces: `@` + 1-39 of [a-z0-9-], not starting or ending with `-` (GitHub-like).
 * Package names: npm's rules for the part after the scope: 1-214 of
 * [a-z0-9._-], starting with a letter or digit.
 * Versions: SemVer 2.0.0 `MAJOR.MINOR.PATCH` without pre-release or build
 * (pre-releases are out of scope for InfVer).
 */
import semver from 'semver';
import { GopkgrError } from './errors.ts';

const NAMESPACE_RE = /^@[a-z0-9](?:[a-z0-9-]{0,37}[a-z0-9])?$/;
const PACKAGE_RE = /^[a-z0-9][a-z0-9._-]{0,213}$/;
const VERSION_RE = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

export function isNamespace(ns: unknown): ns is string {
  return typeof ns === 'string' && NAMESPACE_RE.test(ns);
}

export function isPackageName(name: unknown): name is string {
  return typeof name === 'string' && PACKAGE_RE.test(name);
}

export function isVersion(v: unknown): v is string {
  return typeof v === 'string' && VERSION_RE.test(v);
}

/** isRange's answers by text: a lockfile or a block names the same few ranges thousands of times, and semver parses each anew. */
const rangeValidity = new Map<string, boolean>();

export function isRange(r: unknown): r is string {
  if (typeof r !== 'string' || r.length === 0 || r.length > 256) return false;
  let valid = rangeValidity.get(r);
  if (valid === undefined) {
    valid = semver.validRange(r) !== null;
    // Bounded: input from the network can name any number of distinct ranges.
    if (rangeValidity.size >= 10_000) rangeValidity.clear();
    rangeValidity.set(r, valid);
  }
  return valid;
}

export interface FullName {
  ns: string;
  name: string;
}

/** Parse `@ns/name`. */
export function parseFullName(text: string): FullName {
  const slash = typeof text === 'string' ? text.indexOf('/') : -1;
  const ns = slash > 0 ? text.slice(0, slash) : '';
  const name = slash > 0 ? text.slice(slash + 1) : '';
  if (!isNamespace(ns) || !isPackageName(name)) {
    throw new GopkgrError('BAD_NAME', `"${String(text).slice(0, 100)}" is not a package name`, { hint: 'write package names as @namespace/name, lowercase' });
  }
  return { ns, name };
}

/** Parse `@ns/name@1.2.3`. */
export function parseVersionRef(text: string): FullName & { version: string } {
  const at = typeof text === 'string' ? text.lastIndexOf('@') : -1;
  if (at <= 0) throw new GopkgrError('BAD_NAME', `"${String(text).slice(0, 100)}" has no version`, { hint: 'write @namespace/name@1.2.3' });
  const version = text.slice(at + 1);
  if (!isVersion(version)) throw new GopkgrError('BAD_VERSION', `"${version}" is not a version MAJOR.MINOR.PATCH`);
  return { ...parseFullName(text.slice(0, at)), version };
}

export type Bump = 'major' | 'minor' | 'patch';

export function bumpVersion(version: string, bump: Bump): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** Which bump turns `from` into `to`, or null when `to` is not a single bump of `from`. */
export function bumpBetween(from: string, to: string): Bump | null {
  for (const bump of ['major', 'minor', 'patch'] as const) if (bumpVersion(from, bump) === to) return bump;
  return null;
}
