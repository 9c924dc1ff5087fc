import { describe, expect, it } from 'vitest';
import { isNpmName, isNpmVersion } from '../../ledger/npmRelease.ts';

describe('npm names and versions on chain', () => {
  it('takes the names npm takes today and refuses the rest', () => {
    for (const ok of ['zod', '@types/node', 'lodash.merge', 'a-b_c~d', '@s/x.y']) expect(isNpmName(ok), ok).toBe(true);
    for (const no of ['Zod', '.x', '_x', '@s', '@s/', 'a/b', 'a b', '']) expect(isNpmName(no), no).toBe(false);
    for (const ok of ['1.0.0', '1.0.0-rc.1', '1.0.0+sha.1', '0.0.0-0']) expect(isNpmVersion(ok), ok).toBe(true);
    for (const no of ['1.0', '01.0.0', '1.0.0-01', 'v1.0.0', '1.0.0-']) expect(isNpmVersion(no), no).toBe(false);
  });
});
