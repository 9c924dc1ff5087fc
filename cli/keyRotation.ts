/**
 * The key files of a rotation in a data dir. The new key is written before the
 * rotate tx is sent, so no crash or lost connection can leave the chain
 * pointing at a key nobody holds; `key.json` changes only once the chain has
 * the rotation, and the old key is kept beside it (the same identity may
 * still act on other chains, where a rotation is separate).
 */
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, toHex, type KeyPair } from '../ledger/index.ts';
import { keyPath, parseKeyFile, writeKeyFile } from './context.ts';

export function nextKeyPath(dataDir: string): string {
  return join(dataDir, 'key.next.json');
}

/** Where the old key goes once the chain has the rotation. */
export function rotatedKeyPath(dataDir: string, old: KeyPair): string {
  return join(dataDir, `key.rotated-${toHex(old.publicKey).slice(0, 16)}.json`);
}

/** The pending new key: the one an earlier, unfinished rotation wrote, or a fresh one written now. */
export async function pendingNextKey(dataDir: string): Promise<{ key: KeyPair; earlier: boolean }> {
  const file = nextKeyPath(dataDir);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text !== undefined) return { key: parseKeyFile(text, file), earlier: true };
  const key = generateKeyPair();
  await writeKeyFile(file, key);
  return { key, earlier: false };
}

/** The chain has the rotation: the new key becomes the identity, the old one is kept aside. */
export async function finishRotation(dataDir: string, old: KeyPair): Promise<string> {
  const aside = rotatedKeyPath(dataDir, old);
  await rename(keyPath(dataDir), aside);
  await rename(nextKeyPath(dataDir), keyPath(dataDir));
  return aside;
}
