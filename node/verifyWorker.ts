/** Worker thread of the signature verification pool (verifyPool.ts). */
import { parentPort } from 'node:worker_threads';
import { verify } from '../ledger/crypto.ts';

export interface VerifyRequest {
  id: number;
  messages: Uint8Array[];
  sigs: Uint8Array[];
  keys: Uint8Array[];
}

export interface VerifyResponse {
  id: number;
  ok: Uint8Array;
}

parentPort?.on('message', (req: VerifyRequest) => {
  const ok = new Uint8Array(req.messages.length);
  for (let i = 0; i < ok.length; i++) ok[i] = verify(req.sigs[i]!, req.messages[i]!, req.keys[i]!) ? 1 : 0;
  parentPort!.postMessage({ id: req.id, ok } satisfies VerifyResponse);
});
