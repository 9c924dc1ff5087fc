/**
 * An npm-compatible registry for tests, serving real packuments and tarballs
 * recorded once from registry.npmjs.org (test/fixtures/npm-registry) over HTTP
 * on 127.0.0.1, as verdaccio or a registry mirror would: `GET /<name>` (a
 * scoped name's slash as %2f) gives the packument with tarball URLs on this
 * server, `GET /-/tarballs/<file>` the tarball. It records every request, and a
 * test may make it serve other bytes for a tarball. `deprecatedFixtures` makes
 * a copy of the recordings in which some releases are deprecated, as npm marks
 * them (`deprecated: "<reason>"` on the version's record).
 */
import { createServer, type Server } from 'node:http';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { onClose, tempDir } from './cleanup.ts';

export const NPM_FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'npm-registry');

export interface TestNpmRegistry {
  url: string;
  requests: string[];
  /** serve these bytes instead of the recorded tarball `file` (undefined: the recorded ones again) */
  tamper(file: string, bytes: Uint8Array | undefined): void;
}

/** A copy of the recorded registry with each `name@version` of `reasons` deprecated with its reason; its root, for startNpmRegistry. */
export async function deprecatedFixtures(reasons: Readonly<Record<string, string>>): Promise<string> {
  const root = await tempDir('gopkgr-npm-fixtures-');
  await cp(NPM_FIXTURES, root, { recursive: true });
  for (const [ref, reason] of Object.entries(reasons)) {
    const at = ref.lastIndexOf('@');
    const file = path.join(root, 'packuments', `${ref.slice(0, at).replace('/', '__')}.json`);
    const packument = JSON.parse(await readFile(file, 'utf8')) as { versions: Record<string, { deprecated?: string }> };
    const record = packument.versions[ref.slice(at + 1)];
    if (record === undefined) throw new Error(`no recorded release ${ref}`);
    record.deprecated = reason;
    await writeFile(file, JSON.stringify(packument));
  }
  return root;
}

export async function startNpmRegistry(root = NPM_FIXTURES): Promise<TestNpmRegistry> {
  const requests: string[] = [];
  const tampered = new Map<string, Uint8Array>();
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    void (async () => {
      try {
        if (url.startsWith('/-/tarballs/')) {
          const file = path.basename(url);
          const bytes = tampered.get(file) ?? (await readFile(path.join(root, 'tarballs', file)));
          res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
          return;
        }
        const name = decodeURIComponent(url.slice(1)).replace('/', '__');
        const packument = JSON.parse(await readFile(path.join(root, 'packuments', `${path.basename(name)}.json`), 'utf8')) as { versions: Record<string, { dist: { tarball: string } }> };
        for (const v of Object.values(packument.versions)) v.dist.tarball = `${base}/-/tarballs/${path.basename(v.dist.tarball)}`;
        res.writeHead(200, { 'content-type': 'application/vnd.npm.install-v1+json' }).end(JSON.stringify(packument));
      } catch {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onClose(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: base, requests, tamper: (file, bytes) => (bytes === undefined ? tampered.delete(file) : tampered.set(file, bytes)) };
}
