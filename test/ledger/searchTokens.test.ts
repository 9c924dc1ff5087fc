/**
 * The search tokens of an API manifest (ledger/searchTokens.ts): lowercased
 * export names, filtered, deduplicated, sorted, bounded; and of a description:
 * its words, without function words, bounded.
 */
import { describe, expect, it } from 'vitest';
import { descriptionTokens, MAX_DESCRIPTION_TOKENS, MAX_SEARCH_TOKENS, searchTokens } from '../../ledger/index.ts';

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

describe('descriptionTokens', () => {
  it('splits at anything but [a-z0-9_$], lowercases, drops one-letter and function words, deduplicates and sorts', () => {
    expect(descriptionTokens('Parse & format ISO-8601 dates: the fastest date-fns alternative, in 2 KB!')).toEqual(
      ['8601', 'alternative', 'date', 'dates', 'fastest', 'fns', 'format', 'iso', 'kb', 'parse'],
    );
    expect(descriptionTokens('Ünïcode — ok')).toEqual(['code', 'ok']);
    expect(descriptionTokens(undefined)).toEqual([]);
  });

  it(`keeps the first ${MAX_DESCRIPTION_TOKENS} distinct words`, () => {
    const words = Array.from({ length: MAX_DESCRIPTION_TOKENS + 5 }, (_, i) => `w${i}`);
    const tokens = descriptionTokens(words.join(' '));
    expect(tokens).toHaveLength(MAX_DESCRIPTION_TOKENS);
    expect(tokens).toContain(`w${MAX_DESCRIPTION_TOKENS - 1}`);
    expect(tokens).not.toContain(`w${MAX_DESCRIPTION_TOKENS}`);
  });
});
