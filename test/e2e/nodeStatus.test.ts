/**
 * What a running node prints on stderr, in a real process (stderr is a pipe
 * here, not a terminal): without --verbose a status line at most every 10 s and
 * no line per block; with --verbose the line per block as before.
 */
import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { getJson } from '../support/http.ts';
import { freePort } from '../support/ports.ts';
import { gopkgr, spawnNode, stopNode, type RunningNode } from '../support/processes.ts';
import { waitFor } from '../support/waitFor.ts';
import { WAIT_TIMEOUT_MS } from '../support/timeouts.ts';

/** A mining dev node in its own data dir. */
async function miningNode(extra: string[]): Promise<RunningNode> {
  const home = path.join(await tempDir('gopkgr-e2e-status-'), 'home');
  const env = { GOPKGR_HOME: home };
  expect((await gopkgr(['init', '--json'], { env })).code).toBe(0);
  return spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${await freePort()}`, ...extra], { env });
}

const heightOf = async (node: RunningNode): Promise<number> => (await getJson<{ height: number }>(`${node.api}/v1/status`)).body.height;
const PER_BLOCK = /(info block \d+ [0-9a-f]{16} (connected|reorg))|mined block \d+/;

describe('gopkgr node output', () => {
  afterAll(closeAll);

  it('prints a status line instead of a line per block, and a line per block with --verbose', async () => {
    const [quiet, verbose] = await Promise.all([miningNode([]), miningNode(['--verbose'])]);
    try {
      await waitFor(async () => (await heightOf(verbose)) >= 2, WAIT_TIMEOUT_MS, 'the verbose node to mine two blocks');
      await waitFor(async () => /status height \d+/.test(quiet.stderr()), WAIT_TIMEOUT_MS, 'the quiet node to print a status line');
      expect(await heightOf(quiet)).toBeGreaterThan(0);
      expect(quiet.stderr()).toMatch(/Z status height \d+ \([0-9a-f]{12}\), 0 peers, \d+ pending txs?, mined \d+ at \d+ kH\/s, \+\d+ blocks? in \d+ s\n/);
      expect(quiet.stderr()).not.toMatch(PER_BLOCK);
      expect(verbose.stderr()).toMatch(PER_BLOCK);
      expect(verbose.stderr()).not.toMatch(/status height/);
    } finally {
      await Promise.all([stopNode(quiet), stopNode(verbose)]);
    }
  });
});
