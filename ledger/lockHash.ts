/**
 * The lock hash an attestation carries: sha256 of the canonical CBOR
 * (ledger/encoding.ts) of the version's lock map, `@ns/name@version` → content
 * hash as 32 bytes — exactly the `lock` field of the publish tx body, so a node
 * can recompute it from its VersionState (lock values there are hex) and check
 * the attestation tested that dependency tree.
 */
import { encode, fromHex, type Canonical } from './encoding.ts';
import { sha256 } from './crypto.ts';

export function lockHash(lock: Readonly<Record<string, string>>): Uint8Array {
  const bytes: Record<string, Uint8Array> = {};
  for (const key of Object.keys(lock)) bytes[key] = fromHex(lock[key]!, `lock[${key}]`, 32);
  return sha256(encode(bytes as unknown as Canonical));
}
