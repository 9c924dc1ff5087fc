/** cli/help.ts `wrap`: the padding that lines help up in columns survives; lines stay within the width. */
import { describe, expect, it } from 'vitest';
import { wrap } from '../../cli/help.ts';

describe('wrap', () => {
  it('keeps the spaces between words as written and breaks at the width with the indent', () => {
    expect(wrap('  get         install the packages', 80, '    ')).toEqual(['  get         install the packages']);
    expect(wrap('  a    one two three four', 14, '       ')).toEqual(['  a    one two', '       three', '       four']);
    expect(wrap('', 80)).toEqual([]);
  });
});
