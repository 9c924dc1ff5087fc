/**
 * package.json's description as a publish records it (cli/publish/signRelease.ts
 * publishedDescription): one clean line the chain's rule accepts (ledger/tx.ts),
 * cut at a word when too long, absent when there is no text.
 */
import { describe, expect, it } from 'vitest';
import { publishedDescription, publishBody } from '../../cli/publish/signRelease.ts';
import { decodeTx, encodeTx, MAX_DESCRIPTION_LENGTH } from '../../ledger/index.ts';
import { actor, keyPair, publishBody as bodyOf } from '../support/chain.ts';

const accepted = (description: string): boolean => {
  const tx = actor(keyPair('alice'), new Uint8Array(32)).at(0, 'publish', bodyOf(new Uint8Array(32).fill(1), '1.0.0', { description }));
  return (decodeTx(encodeTx(tx)) as { body: { description?: string } }).body.description === description;
};

describe('publishedDescription', () => {
  it('turns control, line-break and bidirectional-override characters into single spaces', () => {
    expect(publishedDescription({ description: '  Pad\u001b[31m strings\r\n\tleft \u202eor right  ' })).toBe('Pad [31m strings left or right');
  });

  it('is absent for a missing, non-text or blank description', () => {
    expect(publishedDescription({})).toBeUndefined();
    expect(publishedDescription({ description: 42 })).toBeUndefined();
    expect(publishedDescription({ description: ' \n\t ' })).toBeUndefined();
  });

  it(`cuts a long one at a word, within ${MAX_DESCRIPTION_LENGTH} characters, and never splits a surrogate pair`, () => {
    const long = publishedDescription({ description: 'word '.repeat(200) })!;
    expect(long.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
    expect(long.endsWith('word…')).toBe(true);
    const emoji = publishedDescription({ description: '😀'.repeat(400) })!;
    expect(emoji.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
    expect(emoji).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('gives text the ledger accepts, and a body without one encodes without the field', () => {
    for (const d of ['Pad strings', 'word '.repeat(200), '😀'.repeat(400), 'a\u0085b\u2066c']) expect(accepted(publishedDescription({ description: d })!)).toBe(true);
    const r = { ns: '@acme', name: 'pad', version: '1.0.0', contentHash: '00'.repeat(32), size: 1, manifest: { format: 'infver/1', name: '@acme/pad', exports: [], internal: [] } as never, tree: { deps: {}, lock: {} } as never };
    expect(publishBody('11'.repeat(32), r)).not.toHaveProperty('description');
    expect(publishBody('11'.repeat(32), { ...r, description: 'Pad strings' }).description).toBe('Pad strings');
  });
});
