/**
 * The node's libp2p identity: an Ed25519 key kept in `<data>/p2p-key` (the
 * libp2p protobuf encoding, file mode 0600), so a node keeps its peer id across
 * restarts and the peers that remember it can find it again.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { GopkgrError } from '../../ledger/errors.ts';

export function peerKeyPath(dataDir: string): string {
  return join(dataDir, 'p2p-key');
}

/** Read the node's key, or create and store one on first start. */
export async function loadOrCreatePeerKey(dataDir: string): Promise<PrivateKey> {
  const file = peerKeyPath(dataDir);
  let bytes: Uint8Array | undefined;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (bytes !== undefined) {
    try {
      return privateKeyFromProtobuf(bytes);
    } catch (err) {
      throw new GopkgrError('NET_BAD_PEER_KEY', `${file} does not hold a libp2p private key: ${(err as Error).message}`, {
        hint: 'remove the file to give this node a new peer id',
      });
    }
  }
  const key = await generateKeyPair('Ed25519');
  await mkdir(dirname(file), { recursive: true });
  // Write then rename: a crash never leaves a half-written key behind.
  const tmp = `${file}.tmp`;
  await writeFile(tmp, privateKeyToProtobuf(key), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return key;
}
