/**
 * Export hashes: `sha256:` + lowercase hex of the UTF-8 bytes of
 * `canonicalShape(name, decls)` (see canonicalShape.ts for the exact text).
 * The `sha256:` prefix versions the digest, as Go's sumdb does with `h1:`.
 */
import { createHash } from 'node:crypto';
import { canonicalShape } from './canonicalShape.ts';
import type { Decl } from './manifest.ts';

export const HASH_PREFIX = 'sha256:';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function hashExport(name: string, decls: Decl[]): string {
  return HASH_PREFIX + sha256Hex(canonicalShape(name, decls));
}
