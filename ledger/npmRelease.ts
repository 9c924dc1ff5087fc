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
