/**
 * The key a node signs its snapshot headers with: a secp256k1 key pair (the
 * identities of the ledger, so a signer is written `id:<hex>` like any other),
 * kept in `<data>/snapshot-key` as 32 bytes of secret (mode 0600). It is not the
 * libp2p key (Ed25519, a transport identity) nor the wallet identity (which
 * holds funds and names): a node that only serves snapshots needs neither, and
 * a leaked snapshot key costs no funds.
 */
import { createECDH } from 'node:crypto';
import { join } from 'node:path';
import { loadOrCreateKeyFile } from '../keyFile.ts';
import { GopkgrError } from '../../ledger/errors.ts';
import { generateKeyPair, type KeyPair } from '../../ledger/crypto.ts';

export function snapshotKeyPath(dataDir: string): string {
  return join(dataDir, 'snapshot-key');
}

/**
 * The key pair of a stored secret. Its public key comes from OpenSSL: the
 * ledger's noble code would build its tables first (~80 ms), and every node
 * start reads this key before its API answers; nothing signs until a snapshot.
 */
function keyPairOfSecret(secretKey: Uint8Array): KeyPair {
  if (secretKey.length !== 32) throw new Error('a secret key is 32 bytes');
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(secretKey); // throws for a secret outside the curve's range
  return { secretKey, publicKey: new Uint8Array(ecdh.getPublicKey(null, 'compressed')) };
}

/** Read the node's snapshot key, or create and store one on first use. */
export function loadOrCreateSnapshotKey(dataDir: string): Promise<KeyPair> {
  return loadOrCreateKeyFile(snapshotKeyPath(dataDir), {
    decode: keyPairOfSecret,
    encode: (key) => key.secretKey,
    generate: generateKeyPair,
    invalid: (file, cause) => new GopkgrError('KEY_INVALID', `${file} does not hold a 32-byte secret key: ${cause.message}`, { hint: 'remove the file to give this node a new snapshot key' }),
  });
}
