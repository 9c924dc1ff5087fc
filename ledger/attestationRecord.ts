/**
 * What the state keeps of an attestation, the fields every kind of attestation
 * shares (its own version's tests, or a dependent's suite run against it:
 * dependentRun.ts): one place, so the two cannot record them differently.
 */
import { toHex } from './encoding.ts';
import type { AttestationState } from './state.ts';
import type { AttestBody } from './tx.ts';

/** Where in the chain the attestation was applied. */
export interface AppliedAt {
  height: number;
  blockId: string;
  txId: string;
}

/** The attestation of `tester` as first recorded: no reward yet, waiting for another tester to agree. */
export function attestationRecord(tester: string, body: AttestBody, at: AppliedAt): AttestationState {
  return {
    tester,
    contentHash: toHex(body.contentHash),
    lockHash: toHex(body.lockHash),
    passed: body.passed,
    failed: body.failed,
    skipped: body.skipped,
    resultHash: toHex(body.resultHash),
    runtimeMs: body.runtimeMs,
    reward: 0,
    rewardStatus: 'awaiting-agreement',
    height: at.height,
    block: at.blockId,
    txId: at.txId,
  };
}
