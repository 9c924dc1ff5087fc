/** What every command gets: output that respects --json, the data dir, the node URL, the identity. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { GopkgrError, fromHex, keyPairFromSecret, toHex, type KeyPair } from '../ledger/index.ts';

export const DEFAULT_NODE = 'http://127.0.0.1:7357';

export interface Context {
  json: boolean;
  dataDir: string;
  nodeUrl: string;
  /** bearer token for the node's API (--token-file FILE, or GOPKGR_TOKEN itself) */
  token?: string;
  /** machine-readable result (stdout) */
  out(line: string): void;
  /** human-readable information: stdout without --json, stderr with it */
  info(line: string): void;
  /** progress and warnings: stderr */
  err(line: string): void;
  /** stderr is a terminal: progress bars may redraw */
  tty: boolean;
}

export function makeContext(values: Record<string, unknown>): Context {
  const json = values.json === true;
  const dataDir = (values.data as string | undefined) ?? process.env.GOPKGR_HOME ?? join(homedir(), '.gopkgr');
  const nodeUrl = ((values.node as string | undefined) ?? process.env.GOPKGR_NODE ?? DEFAULT_NODE).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s]+$/.test(nodeUrl)) throw new GopkgrError('USAGE', `--node must be an http(s) URL, got "${nodeUrl}"`);
  return {
    json,
    dataDir,
    nodeUrl,
    token: readToken(values['token-file'] as string | undefined),
    out: (line) => process.stdout.write(line + '\n'),
    info: (line) => (json ? process.stderr : process.stdout).write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    tty: process.stderr.isTTY === true && !json,
  };
}

/** The API token: the first line of --token-file FILE, else the value of GOPKGR_TOKEN. */
export function readToken(file: string | undefined): string | undefined {
  if (file === undefined) {
    const env = process.env.GOPKGR_TOKEN?.trim();
    return env === undefined || env === '' ? undefined : env;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new GopkgrError('TOKEN_FILE_UNREADABLE', `cannot read the token file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const token = text.split('\n')[0]!.trim();
  if (token === '') throw new GopkgrError('TOKEN_FILE_EMPTY', `the token file ${file} is empty`);
  return token;
}

interface KeyFile {
  identity: string;
  publicKey: string;
  secretKey: string;
}

export function keyPath(dataDir: string): string {
  return join(dataDir, 'key.json');
}

/** A key file's key pair; a damaged file is IDENTITY_CORRUPT naming it. */
export function parseKeyFile(text: string, file: string): KeyPair {
  try {
    const parsed = JSON.parse(text) as KeyFile;
    const pair = keyPairFromSecret(fromHex(parsed.secretKey, 'secretKey', 32));
    if (toHex(pair.publicKey) !== parsed.publicKey) throw new Error('public key does not match the secret key');
    return pair;
  } catch (err) {
    throw new GopkgrError('IDENTITY_CORRUPT', `the key file ${file} is damaged: ${(err as Error).message}`);
  }
}

export function keyFileText(pair: KeyPair): string {
  const file: KeyFile = { identity: `id:${toHex(pair.publicKey)}`, publicKey: toHex(pair.publicKey), secretKey: toHex(pair.secretKey) };
  return JSON.stringify(file, null, 2) + '\n';
}

export async function loadIdentity(dataDir: string): Promise<KeyPair> {
  let text: string;
  try {
    text = await readFile(keyPath(dataDir), 'utf8');
  } catch {
    throw new GopkgrError('NO_IDENTITY', `no identity in ${dataDir}`, { hint: 'run `gopkgr init` first (or pass --data DIR)' });
  }
  return parseKeyFile(text, keyPath(dataDir));
}

/**
 * Write a secret (a key, a swarm key, a token) readable by its owner only, into a
 * file that must not exist yet ('wx': a secret is never overwritten; EEXIST says so).
 */
export async function writeSecretFile(file: string, text: string): Promise<void> {
  await writeFile(file, text, { mode: 0o600, flag: 'wx' });
  // The mode above is filtered by the umask.
  await chmod(file, 0o600);
}

export async function writeKeyFile(file: string, pair: KeyPair): Promise<void> {
  await writeSecretFile(file, keyFileText(pair));
}

export async function saveIdentity(dataDir: string, pair: KeyPair): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeKeyFile(keyPath(dataDir), pair);
}
