/**
 * isRange, the check every dependency range on the ledger and in a lockfile
 * passes: its answers are remembered by text, so each must stay the answer
 * semver gives, asked once or many times, and past the memo's bound.
 */
import { describe, expect, it } from 'vitest';
import { isRange } from '../../ledger/names.ts';

describe('isRange', () => {
  it('accepts semver ranges and refuses the rest, the same on every asking', () => {
    for (let round = 0; round < 2; round++) {
      for (const r of ['^1.0.0', '~2.3', '>=1.2.3 <2.0.0', '1.x || 2.x', '*', '1.2.3']) expect(isRange(r)).toBe(true);
      for (const r of ['not a range', '^1.0.0 ||| x', 'git+https://example.com/a.git', '', 'x'.repeat(257)]) expect(isRange(r)).toBe(false);
      for (const r of [undefined, null, 1, ['^1.0.0'], { range: '^1.0.0' }]) expect(isRange(r)).toBe(false);
    }
  });

  it('answers rightly after more distinct ranges than it remembers', () => {
    for (let i = 0; i < 10_050; i++) expect(isRange(`^${i}.0.0`)).toBe(true);
    expect(isRange('^1.0.0 ||| x')).toBe(false);
    expect(isRange('^0.0.0')).toBe(true);
  });
});
