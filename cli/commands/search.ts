/**
 * `gopkgr search TEXT`: packages whose name, or an exported name of whose
 * latest version, starts with TEXT (`GET /v1/search`, node/api/search.ts).
 */
import { parse, intOption, usageError } from '../args.ts';
import { NodeClient } from '../client.ts';
import { report, type Command } from '../command.ts';

const usage = 'gopkgr search TEXT [--limit N]';

interface SearchAnswer {
  query: string;
  results: Array<{ name: string; id: string; latest: string | null; versions: number; symbols?: string[] }>;
}

export const search: Command = {
  name: 'search',
  summary: 'find packages by the start of their name (@ns, @ns/na, na) or of a name their latest version exports',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parse(args, { limit: { type: 'string' } }, usage);
    if (positionals.length !== 1) throw usageError('search takes one TEXT', usage);
    const limit = intOption(values.limit, 'limit', 1, 200);
    const query = new URLSearchParams({ q: positionals[0]!, ...(limit !== undefined ? { limit: String(limit) } : {}) });
    const answer = await new NodeClient(ctx.nodeUrl, ctx.token).request<SearchAnswer>('GET', `/v1/search?${query.toString()}`);
    const lines = answer.results.map((r) => `${r.name}@${r.latest ?? '-'}${r.symbols !== undefined ? `  exports ${r.symbols.join(', ')}` : ''}`);
    if (lines.length === 0) lines.push(`nothing matches "${positionals[0]}"`);
    report(ctx, answer, lines);
    return 0;
  },
};
