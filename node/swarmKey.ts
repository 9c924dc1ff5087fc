/**
 * The swarm key of a private chain's libp2p network: libp2p's pre-shared key
 * format (@libp2p/pnet, "Private Shared Keys"), exactly these 95 bytes:
 *   /key/swarm/psk/1.0.0/\n/base16/\n<64 lowercase hex digits: 32 random bytes>
 * Nodes with another key fail at the handshake; pnet protects libp2p only, not
 * the HTTP API (that takes the bearer token).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { GopkgrError } from '../ledger/errors.ts';

const HEADER = '/key/swarm/psk/1.0.0/\n/base16/\n';
const KEY_LINE = /^[0-9a-f]{64}$/;

/** A fresh swarm key's file contents. */
export function newSwarmKey(): string {
  return HEADER + randomBytes(32).toString('hex');
}

/** The key file's bytes as pnet reads them, after checking their format (SWARM_KEY_INVALID). */
export function parseSwarmKey(text: string, file: string): Uint8Array {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  if (lines.length !== 3 || lines[0] !== '/key/swarm/psk/1.0.0/' || lines[1] !== '/base16/' || !KEY_LINE.test(lines[2]!.toLowerCase())) {
    throw new GopkgrError('SWARM_KEY_INVALID', `${file} is not a libp2p swarm key (/key/swarm/psk/1.0.0/, /base16/, 64 hex digits)`, {
      hint: 'use the swarm.key that `gopkgr fork` wrote for this chain',
    });
  }
  return new TextEncoder().encode(HEADER + lines[2]!.toLowerCase());
}

export async function readSwarmKey(file: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new GopkgrError('SWARM_KEY_UNREADABLE', `cannot read the swarm key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseSwarmKey(text, file);
}
