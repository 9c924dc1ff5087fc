/**
 * A trusted checkpoint as a user writes it: HEIGHT:BLOCKID:STATEROOT, copied
 * from a node they trust (its /v1/snapshots lists one per snapshot).
 */
import { GopkgrError } from '../../ledger/errors.ts';

export interface Checkpoint {
  height: number;
  blockId: string;
  stateRoot: string;
}

export function parseCheckpoint(text: string): Checkpoint {
  const m = /^(\d{1,15}):([0-9a-f]{64}):([0-9a-f]{64})$/.exec(text);
  const height = m ? Number(m[1]) : 0;
  if (!m || height < 1) {
    throw new GopkgrError('CHECKPOINT_INVALID', `--checkpoint "${text.slice(0, 160)}" is not HEIGHT:BLOCKID:STATEROOT`, {
      hint: 'copy it from a node you trust: GET /v1/snapshots lists a checkpoint for each snapshot it serves',
    });
  }
  return { height, blockId: m[2]!, stateRoot: m[3]! };
}
