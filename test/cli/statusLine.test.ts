/**
 * The running node's status line (cli/statusLine.ts): one line rewritten in
 * place on a terminal, log lines printed above it; elsewhere a line at most
 * every `everyMs`, only when the chain moved. Time is passed in, so nothing
 * here waits.
 */
import { describe, expect, it } from 'vitest';
import { StatusLine, type NodeSnapshot } from '../../cli/statusLine.ts';

function harness(tty: boolean, columns?: number): { line: StatusLine; out: string[]; chain: NodeSnapshot } {
  const out: string[] = [];
  const chain: NodeSnapshot = { height: 10, head: 'ab'.repeat(32), peers: 1, mempool: 0 };
  const line = new StatusLine({ tty, write: (t) => out.push(t), snapshot: () => ({ ...chain }), everyMs: 10_000, ...(columns === undefined ? {} : { columns }) });
  return { line, out, chain };
}

describe('StatusLine on a terminal', () => {
  it('rewrites one line in place, at most every 250 ms', () => {
    const { line, out, chain } = harness(true);
    line.tick(0);
    chain.height = 11;
    line.tick(100);
    line.tick(300);
    expect(out).toEqual(['\r\x1b[2Kheight 10 (abababababab), 1 peer, 0 pending txs', '\r\x1b[2Kheight 11 (abababababab), 1 peer, 0 pending txs']);
    expect(out.join('')).not.toContain('\n');
  });

  it('prints a log line above the status and draws the status again; close leaves a clean line', () => {
    const { line, out } = harness(true);
    line.log('before any status');
    line.tick(0);
    out.length = 0;
    line.log('2026-12-06T00:00:00.000Z warn something');
    expect(out).toEqual(['\r\x1b[2K', '2026-12-06T00:00:00.000Z warn something\n', '\r\x1b[2Kheight 10 (abababababab), 1 peer, 0 pending txs']);
    out.length = 0;
    line.close();
    expect(out).toEqual(['\r\x1b[2K']);
  });

  it('counts mined and signed blocks, shows the hash rate, and cuts the line to the terminal width', () => {
    const { line, out, chain } = harness(true, 40);
    chain.hashRate = 512_000;
    line.produced('mined', 0);
    line.produced('mined', 1000);
    line.produced('signed', 2000);
    expect(line.text()).toBe('height 10 (abababababab), 1 peer, 0 pending txs, mined 2 at 512 kH/s, signed 1');
    expect(out.at(-1)).toBe(`\r\x1b[2K${line.text().slice(0, 39)}`);
  });
});

describe('StatusLine in a log', () => {
  it('prints at most one line every everyMs, and only when the chain moved', () => {
    const { line, out, chain } = harness(false);
    line.tick(0); // the baseline: nothing printed
    chain.height = 12;
    line.tick(5_000); // too soon
    expect(out).toEqual([]);
    line.tick(10_000);
    expect(out).toEqual([`${new Date(10_000).toISOString()} status height 12 (abababababab), 1 peer, 0 pending txs, +2 blocks in 10 s\n`]);
    line.tick(30_000); // nothing moved: nothing printed
    chain.height = 13;
    line.tick(31_000);
    expect(out).toHaveLength(2);
    expect(out[1]).toContain('+1 block in 21 s');
  });

  it('writes log lines as they are, with no control characters', () => {
    const { line, out } = harness(false);
    line.tick(0);
    line.log('x');
    line.close();
    expect(out).toEqual(['x\n']);
  });
});
