/**
 * npm deprecations as `get` and `update` show them (cli/install/npmNotices.ts),
 * read from a real npm-compatible registry (test/support/npmRegistry.ts) over
 * recorded packuments, one of them marked deprecated the way npm marks it: a
 * notice only for the release with the installed integrity, its reason made
 * printable; a name the registry lacks says nothing; a registry that is down,
 * or never answers, leaves the notices unchecked with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import { checkNpmNotices, npmNoticeLines, type InstalledNpm } from '../../cli/install/npmNotices.ts';
import { closeAll, onClose } from '../support/cleanup.ts';
import { deprecatedFixtures, startNpmRegistry, type TestNpmRegistry } from '../support/npmRegistry.ts';
import { freePort } from '../support/ports.ts';

interface RecordedPackument { versions: Record<string, { deprecated?: string; dist: { integrity: string } }> }

describe('npm notices', () => {
  let registry: TestNpmRegistry;
  let chalk: RecordedPackument;
  const release = (name: string, version: string, integrity: string): InstalledNpm => ({ name, version, integrity });

  beforeAll(async () => {
    const root = await deprecatedFixtures({ 'chalk@2.4.2': 'SECURITY: upgrade to 4\u001b[31m now' });
    chalk = JSON.parse(await readFile(path.join(root, 'packuments', 'chalk.json'), 'utf8')) as RecordedPackument;
    registry = await startNpmRegistry(root);
  });
  afterAll(closeAll);

  it('a deprecated release with the installed integrity is a notice with its printable reason; the others say nothing', async () => {
    const installed = [
      release('chalk', '2.4.2', chalk.versions['2.4.2']!.dist.integrity),
      release('chalk', '4.1.2', chalk.versions['4.1.2']!.dist.integrity),
      release('not-in-this-registry', '1.0.0', chalk.versions['4.1.2']!.dist.integrity),
    ];
    const check = await checkNpmNotices(installed, registry.url);
    expect(check).toEqual({ checked: true, notices: [{ kind: 'deprecated', name: 'npm:chalk', version: '2.4.2', reason: 'SECURITY: upgrade to 4 [31m now' }] });
    expect(npmNoticeLines(check)).toEqual(['notice: npm:chalk@2.4.2 is deprecated: SECURITY: upgrade to 4 [31m now']);
    // One packument per name, however many of its versions are installed.
    expect(registry.requests.filter((r) => r === '/chalk')).toHaveLength(1);
  });

  it('other bytes under the deprecated version are another release: no notice', async () => {
    const check = await checkNpmNotices([release('chalk', '2.4.2', chalk.versions['4.1.2']!.dist.integrity)], registry.url);
    expect(check).toEqual({ checked: true, notices: [] });
  });

  it('offline, a registry that is down, or one that never answers: unchecked, with the reason', async () => {
    const one = [release('chalk', '2.4.2', chalk.versions['2.4.2']!.dist.integrity)];
    expect(await checkNpmNotices(one, undefined)).toEqual({ checked: false, notices: [], unchecked: 'offline' });
    const down = await checkNpmNotices(one, `http://127.0.0.1:${await freePort()}/`);
    expect(down.checked).toBe(false);
    expect(down.unchecked).toContain('did not give the packument of chalk');
    expect(npmNoticeLines(down)[0]).toMatch(/^npm notices not checked \(.+\): npm deprecations are unknown$/);
    // Accepts the connection and never answers.
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    onClose(() => new Promise<void>((r) => {
      silent.close(() => r());
      for (const s of sockets) s.destroy();
    }));
    const hung = await checkNpmNotices(one, `http://127.0.0.1:${(silent.address() as { port: number }).port}/`, 200);
    expect(hung.checked).toBe(false);
    expect(npmNoticeLines(undefined)).toEqual([]);
  });
});
