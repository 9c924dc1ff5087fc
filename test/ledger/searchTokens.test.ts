/** The search tokens of an API manifest (ledger/searchTokens.ts): lowercased export names, filtered, deduplicated, sorted, bounded. */
import { describe, expect, it } from 'vitest';
import { MAX_SEARCH_TOKENS, searchTokens } from '../../ledger/index.ts';

const manifestOf = (names: unknown[]): { exports: Array<{ name: unknown }> } => ({ exports: names.map((name) => ({ name })) });

describe('searchTokens', () => {
  it('lowercases, deduplicates and sorts the exported names', () => {
    expect(searchTokens(manifestOf(['parseDate', 'ParseDate', '$el', 'a_b', 'default']) as never)).toEqual(['$el', 'a_b', 'default', 'parsedate']);
  });

  it('skips names a key cannot hold and values that are not names, and reads no exports from a malformed manifest', () => {
    expect(searchTokens(manifestOf(['ok', 'a:b', 'ünï', '', 'x'.repeat(65), 42, null]) as never)).toEqual(['ok']);
    expect(searchTokens(undefined)).toEqual([]);
    expect(searchTokens({ exports: 'nope' })).toEqual([]);
    expect(searchTokens([1, 2] as never)).toEqual([]);
  });

  it('keeps at most MAX_SEARCH_TOKENS names, the first in sorted order', () => {
    const names = Array.from({ length: MAX_SEARCH_TOKENS + 10 }, (_, i) => `n${String(i).padStart(4, '0')}`);
    const tokens = searchTokens(manifestOf(names.reverse()) as never);
    expect(tokens).toHaveLength(MAX_SEARCH_TOKENS);
    expect(tokens[0]).toBe('n0000');
    expect(tokens.at(-1)).toBe(`n${String(MAX_SEARCH_TOKENS - 1).padStart(4, '0')}`);
  });
});
