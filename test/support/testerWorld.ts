/**
 * The set-up the Proof of Test end-to-end files share: a dev node that mines,
 * a publisher who has claimed a namespace, and two testers, each with its own
 * identity and data dir, all talking to the node over HTTP.
 */
import path from 'node:path';
import { tempDir } from './cleanup.ts';
import { freePort } from './ports.ts';
import { gopkgr, spawnNode } from './processes.ts';

export interface TesterSeat {
  env: Record<string, string>;
  /** `id:<hex>` */
  id: string;
}

export interface TesterWorld {
  work: string;
  api: string;
  publisher: Record<string, string>;
  testers: TesterSeat[];
}

async function initIdentity(home: string): Promise<string> {
  const r = await gopkgr(['init', '--json'], { env: { GOPKGR_HOME: home } });
  if (r.code !== 0) throw new Error(`gopkgr init failed: ${r.stdout}${r.stderr}`);
  return r.json.identity as string;
}

export async function startTesterWorld(prefix: string, namespace: string): Promise<TesterWorld> {
  const work = await tempDir(prefix);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const nodeData = path.join(work, 'node');
  const publisher = { GOPKGR_HOME: path.join(work, 'publisher'), GOPKGR_NODE: api };
  const testers = ['tester-a', 'tester-b'].map((name) => ({ env: { GOPKGR_HOME: path.join(work, name), GOPKGR_NODE: api }, id: '' }));
  const ids = await Promise.all([nodeData, publisher.GOPKGR_HOME, ...testers.map((t) => t.env.GOPKGR_HOME)].map(initIdentity));
  testers.forEach((t, i) => (t.id = ids[i + 2]!));
  await spawnNode(['--dev', '--mine', '--threads', '1', '--api', `127.0.0.1:${port}`, '--data', nodeData]);
  const claimed = await gopkgr(['namespace', 'claim', namespace, '--json'], { env: publisher });
  if (claimed.code !== 0) throw new Error(`namespace claim ${namespace} failed: ${claimed.stdout}${claimed.stderr}`);
  return { work, api, publisher, testers };
}
