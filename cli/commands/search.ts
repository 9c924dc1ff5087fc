/**
 * `gopkgr search TEXT...`: packages whose name, an exported name of whose
 * latest version, or a word of whose description starts with TEXT; several
 * words must all match the name or description (`GET /v1/search`,
 * node/api/search.ts).
 */
import { parse, intOption, usageError } from '../args.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';
import { printable } from '../printable.ts';

const usage = 'gopkgr search TEXT... [--limit N]';

interface SearchAnswer {
  query: string;
  results: Array<{ name: string; id: string; latest: string | null; versions: number; description?: string; symbols?: string[] }>;
}

export const search: Command = {
  name: 'search',
  summary: 'find packages by the start of their name (@ns, @ns/na, na), of a name their latest version exports, or of words of its description',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { limit: { type: 'string' } }, usage);
    if (positionals.length === 0) throw usageError('search takes a TEXT', usage);
    const text = positionals.join(' ');
    const limit = intOption(values.limit, 'limit', 1, 200);
    const query = new URLSearchParams({ q: text, ...(limit !== undefined ? { limit: String(limit) } : {}) });
    const answer = await new NodeClient(ctx.nodeUrl, ctx.token).request<SearchAnswer>('GET', `/v1/search?${query.toString()}`);
    const lines = answer.results.map((r) => `${r.name}@${r.latest ?? '-'}${typeof r.description === 'string' ? `  ${printable(r.description)}` : ''}${r.symbols !== undefined ? `  exports ${r.symbols.join(', ')}` : ''}`);
    if (lines.length === 0) lines.push(`nothing matches "${text}"`);
    report(ctx, answer, lines);
    return 0;
  },
};
