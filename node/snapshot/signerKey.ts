/**
 * The key a node signs its snapshot headers with: a secp256k1 key pair (the
 * identities of the ledger, so a signer is written `id:<hex>` like any other),
 * kept in `<data>/snapshot-key` as 32 bytes of secret (mode 0600). It is not the
 * libp2p key (Ed25519, a transport identity) nor the wallet identity (which
 * holds funds and names): a node that only serves snapshots needs neither, and
 * a leaked snapshot key costs no funds.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GopkgrError } from '../../ledger/errors.ts';
import { generateKeyPair, keyPairFromSecret, type KeyPair } from '../../ledger/crypto.ts';

export function snapshotKeyPath(dataDir: string): string {
  return join(dataDir, 'snapshot-key');
}

/** Read the node's snapshot key, or create and store one on first use. */
export async function loadOrCreateSnapshotKey(dataDir: string): Promise<KeyPair> {
  const file = snapshotKeyPath(dataDir);
  let bytes: Uint8Array | undefined;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (bytes !== undefined) {
    try {
      return keyPairFromSecret(bytes);
    } catch (err) {
      throw new GopkgrError('KEY_INVALID', `${file} does not hold a 32-byte secret key: ${(err as Error).message}`, { hint: 'remove the file to give this node a new snapshot key' });
    }
  }
  const key = generateKeyPair();
  await mkdir(dirname(file), { recursive: true });
  // Write then rename: a crash never leaves a half-written key behind.
  const tmp = `${file}.tmp`;
  await writeFile(tmp, key.secretKey, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return key;
}
