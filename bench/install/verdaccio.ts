/** bench/install's npm side: verdaccio 6.1 (no uplinks, loopback, temp storage), and publishing to it with npm's publish body over HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Built } from './graph.ts';
import { children, waitFor } from './process.ts';

export async function startVerdaccio(bin: string, dir: string, port: number): Promise<{ child: ChildProcess; url: string; token: string }> {
  const config = [
    `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    '    max_users: 100',
    'uplinks: {}',
    'packages:',
    "  '@*/*':",
    '    access: $all',
    '    publish: $all',
    "  '**':",
    '    access: $all',
    '    publish: $all',
    'web:',
    '  enable: false',
    'max_body_size: 100mb',
    'log: { type: stdout, format: json, level: error }',
    '',
  ].join('\n');
  const configPath = path.join(dir, 'config.yaml');
  await writeFile(configPath, config);
  const child = spawn(process.execPath, [bin, '--config', configPath, '--listen', `127.0.0.1:${port}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  child.on('close', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/-/ping`)).ok, 60_000, `verdaccio to start (${output.slice(-2000)})`);
  const res = await fetch(`${url}/-/user/org.couchdb.user:bench`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: 'org.couchdb.user:bench', name: 'bench', password: 'bench-password', type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const body = (await res.json()) as { token?: string; error?: string };
  if (!res.ok || body.token === undefined) throw new Error(`verdaccio adduser failed: HTTP ${res.status} ${JSON.stringify(body)}`);
  return { child, url, token: body.token };
}

/** What `npm publish` sends (libnpmpublish): the version's manifest with dist, and the tarball as a base64 attachment. */
export async function publishToVerdaccio(url: string, token: string, b: Built): Promise<void> {
  const name = b.pkg.name;
  const tarballName = `${name}-${b.version}.tgz`;
  const bytes = Buffer.from(b.tarball);
  const manifest = {
    ...b.packageJson,
    _id: `${name}@${b.version}`,
    dist: {
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      shasum: createHash('sha1').update(bytes).digest('hex'),
      tarball: `${url}/${name}/-/${b.pkg.short}-${b.version}.tgz`,
    },
  };
  const root = {
    _id: name, name, description: b.packageJson.description, 'dist-tags': { latest: b.version }, versions: { [b.version]: manifest }, access: null,
    _attachments: { [tarballName]: { content_type: 'application/octet-stream', data: bytes.toString('base64'), length: bytes.length } },
  };
  const res = await fetch(`${url}/${name.replace('/', '%2f')}`, {
    method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(root),
  });
  if (!res.ok) throw new Error(`verdaccio publish of ${name}@${b.version}: HTTP ${res.status} ${await res.text()}`);
}

