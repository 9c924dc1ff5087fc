/**
 * npm releases on chain (`import` txs): what a name, a version and an
 * integrity string may look like, and the registry signature check.
 *
 * On chain an npm package is `npm:<name>` (`npm:zod`, `npm:@types/node`), so
 * gopkgr namespaces and npm scopes never clash. Versions are npm's: SemVer 2.0
 * with pre-releases and build metadata. Dependency specs are kept as the
 * registry gave them (ranges, tags, `npm:` aliases, URLs): the installer
 * decides what it can resolve, the record never loses what the author wrote.
 *
 * Registry signatures: npm signs `${name}@${version}:${integrity}` with
 * ECDSA P-256 (SHA-256) and publishes its keys at /-/npm/v1/keys; a chain that
 * pins keys in its parameters (`npmKeys`) accepts only releases signed by one
 * of them, so nobody can squat a name@version with bytes npm never served.
 */
import { createPublicKey, verify } from 'node:crypto';

/** npm's rules for new package names: lowercase, URL-safe, at most 214 characters, an optional @scope/. */
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export function isNpmName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 214 && NPM_NAME.test(name);
}

const NUM = '(?:0|[1-9]\\d*)';
const PRE = '(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)';
const SEMVER = new RegExp(`^${NUM}\\.${NUM}\\.${NUM}(?:-${PRE}(?:\\.${PRE})*)?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?$`);

/** A SemVer 2.0 version, as npm accepts it. */
export function isNpmVersion(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 256 && SEMVER.test(v);
}

/** `sha512-<base64 of 64 bytes>`, the only integrity npm's registry gives today. */
export function isSha512Integrity(s: unknown): s is string {
  return typeof s === 'string' && /^sha512-[A-Za-z0-9+/]{86}==$/.test(s);
}

export const npmChainName = (name: string): string => `npm:${name}`;

export interface NpmKey {
  keyid: string;
  /** the public key as the registry serves it: base64 of its SubjectPublicKeyInfo DER */
  key: string;
}

/** Whether `sig` (base64 DER) by the pinned key `keyid` signs this release. */
export function npmSignatureValid(keys: readonly NpmKey[], name: string, version: string, integrity: string, keyid: string, sig: string): boolean {
  const key = keys.find((k) => k.keyid === keyid);
  if (key === undefined) return false;
  try {
    const publicKey = createPublicKey({ key: Buffer.from(key.key, 'base64'), format: 'der', type: 'spki' });
    if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return false;
    return verify('sha256', Buffer.from(`${name}@${version}:${integrity}`), { key: publicKey, dsaEncoding: 'der' }, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Platform fields (`os`, `cpu`, `libc` in a package.json), as npm writes them:
 * lists of short lowercase words (`"darwin"`, `"x64"`, `"glibc"`), each one an
 * allowed value or, with a leading `!`, an excluded one. Bounded so a record
 * stays small: npm's own values are a handful of characters.
 */
export const PLATFORM_FIELDS = ['os', 'cpu', 'libc'] as const;
export type PlatformField = (typeof PLATFORM_FIELDS)[number];
export type NpmPlatform = Partial<Record<PlatformField, string[]>>;
export const MAX_PLATFORM_ENTRIES = 32;
const PLATFORM_ENTRY = /^[a-z0-9_!-]{1,32}$/;

/** A non-empty list of at most 32 entries, each 1 to 32 of `[a-z0-9_!-]`. */
export function isPlatformList(x: unknown): x is string[] {
  return Array.isArray(x) && x.length > 0 && x.length <= MAX_PLATFORM_ENTRIES && x.every((e) => typeof e === 'string' && PLATFORM_ENTRY.test(e));
}

/** The machine a package is installed on: Node's `process.platform`, `process.arch`, and on linux its C library. */
export interface Machine {
  platform: string;
  arch: string;
  /** `glibc` or `musl` on linux; undefined when unknown or not linux */
  libc?: string;
}

/**
 * npm's rule for one list: `["any"]` allows all; a value listed with `!` is
 * excluded; otherwise the value must be listed, unless every entry is a `!`
 * one (then all that is not excluded is allowed).
 */
export function platformListAllows(list: readonly string[], value: string | undefined): boolean {
  if (list.length === 1 && list[0] === 'any') return true;
  let negated = 0;
  let listed = false;
  for (const entry of list) {
    if (entry.startsWith('!')) {
      negated++;
      if (entry.slice(1) === value) return false;
    } else if (entry === value) {
      listed = true;
    }
  }
  return listed || negated === list.length;
}

/**
 * Why a release with these platform fields is not for `machine` (`os darwin
 * excludes linux`), or undefined when it is. libc counts on linux only, as in
 * npm: elsewhere there is no C library to choose.
 */
export function platformMismatch(p: NpmPlatform, machine: Machine): string | undefined {
  for (const field of PLATFORM_FIELDS) {
    const list = p[field];
    if (list === undefined || (field === 'libc' && machine.platform !== 'linux')) continue;
    // Read only for a field the release lists: a machine may find its libc lazily (cli/npm/machine.ts), at a cost.
    const value = field === 'os' ? machine.platform : field === 'cpu' ? machine.arch : machine.libc;
    if (!platformListAllows(list, value)) return `${field} ${list.join(',')} excludes ${value ?? 'an unknown libc'}`;
  }
  return undefined;
}

/**
 * A package.json's platform fields as the chain records them: a string is a
 * one-entry list, an empty list is no list. Other shapes are kept as given so
 * a check against the record fails rather than guesses.
 */
export function platformOfManifest(pkg: Record<string, unknown>): Partial<Record<PlatformField, unknown>> {
  const out: Partial<Record<PlatformField, unknown>> = {};
  for (const field of PLATFORM_FIELDS) {
    const v = pkg[field];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    out[field] = typeof v === 'string' ? [v] : v;
  }
  return out;
}
