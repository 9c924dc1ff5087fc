/**
 * Gossip blame comes from the error code's table entry (ledger/errorCodes/),
 * never from the HTTP status the same error would be answered with.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, GopkgrError, type ErrorCode } from '../../ledger/errors.ts';
import { verdictOf } from '../../node/network/validation/verdict.ts';

describe('verdictOf', () => {
  it('REJECTs a code that blames the sender even when it carries a 5xx status', () => {
    const v = verdictOf(new GopkgrError('BLOCK_BAD_POW', 'block does not meet its target', { status: 500 }));
    expect(v).toEqual({ result: 'reject', reason: 'BLOCK_BAD_POW', message: 'block does not meet its target' });
  });

  it('IGNOREs a code that blames nobody even when it carries a 4xx status', () => {
    expect(new GopkgrError('NET_TIMEOUT', 'x').status).toBe(400);
    expect(verdictOf(new GopkgrError('NET_TIMEOUT', 'the peer did not answer in time'))).toEqual({ result: 'ignore', reason: 'NET_TIMEOUT', message: 'the peer did not answer in time' });
    expect(verdictOf(new GopkgrError('MEMPOOL_FULL', 'the mempool is full', { status: 400 })).result).toBe('ignore');
  });

  it('decides every code by its blame alone, whatever status a throw site gives it', () => {
    const wrong: string[] = [];
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const expected = ERROR_CODES[code].blame === 'sender' ? 'reject' : 'ignore';
      for (const status of [undefined, 400, 404, 429, 500, 503]) {
        const got = verdictOf(new GopkgrError(code, 'x', status === undefined ? {} : { status })).result;
        if (got !== expected) wrong.push(`${code} with status ${status ?? 'default'}: ${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('IGNOREs a code the topic lists, though it blames the sender', () => {
    const err = new GopkgrError('TX_BAD_NONCE', 'nonce 7 is not the next one');
    expect(verdictOf(err).result).toBe('reject');
    expect(verdictOf(err, new Set(['TX_BAD_NONCE'])).result).toBe('ignore');
  });

  it('IGNOREs an uncoded failure as this node\'s own', () => {
    expect(verdictOf(new TypeError('cannot read properties of undefined'))).toEqual({ result: 'ignore', reason: 'NET_INTERNAL', message: 'cannot read properties of undefined' });
    expect(verdictOf('a string').reason).toBe('NET_INTERNAL');
  });
});
