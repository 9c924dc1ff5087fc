/**
 * The node's libp2p identity: an Ed25519 key kept in `<data>/p2p-key` (the
 * libp2p protobuf encoding, file mode 0600), so a node keeps its peer id across
 * restarts and the peers that remember it can find it again.
 */
import { join } from 'node:path';
import { loadOrCreateKeyFile } from '../keyFile.ts';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { GopkgrError } from '../../ledger/errors.ts';

export function peerKeyPath(dataDir: string): string {
  return join(dataDir, 'p2p-key');
}

/** Read the node's key, or create and store one on first start. */
export function loadOrCreatePeerKey(dataDir: string): Promise<PrivateKey> {
  return loadOrCreateKeyFile<PrivateKey>(peerKeyPath(dataDir), {
    decode: privateKeyFromProtobuf,
    encode: privateKeyToProtobuf,
    generate: () => generateKeyPair('Ed25519'),
    invalid: (file, cause) => new GopkgrError('NET_BAD_PEER_KEY', `${file} does not hold a libp2p private key: ${cause.message}`, {
      hint: 'remove the file to give this node a new peer id',
    }),
  });
}
