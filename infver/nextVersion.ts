/**
 * Version arithmetic for InfVer: `MAJOR.MINOR.PATCH` only (pre-releases and
 * build metadata are out of scope and rejected), the first version is 1.0.0,
 * and a bump resets the lower parts (SemVer 2.0.0, items 6-8).
 */
import { GopkgrError } from '../ledger/index.ts';
import type { Bump } from './manifest.ts';

export const FIRST_VERSION = '1.0.0';

const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function parseVersion(v: string): [number, number, number] {
  const m = typeof v === 'string' ? VERSION.exec(v) : null;
  const parts = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (!m || !parts.every(Number.isSafeInteger)) {
    throw new GopkgrError('INFVER_BAD_VERSION', `${JSON.stringify(v)} is not a MAJOR.MINOR.PATCH version`, {
      hint: 'InfVer versions have three numeric parts and no pre-release or build suffix',
    });
  }
  return parts as [number, number, number];
}

/** The version that follows `prev` for `bump`; `null` (no previous version) gives 1.0.0. */
export function nextVersion(prev: string | null | undefined, bump: Bump): string {
  if (prev === null || prev === undefined) return FIRST_VERSION;
  const [major, minor, patch] = parseVersion(prev);
  switch (bump) {
    case 'major':
      return `${major + 1}.0.0`;
    case 'minor':
      return `${major}.${minor + 1}.0`;
    case 'patch':
      return `${major}.${minor}.${patch + 1}`;
    default:
      throw new GopkgrError('INFVER_BAD_BUMP', `unknown bump ${JSON.stringify(bump)}`);
  }
}
