/**
 * Laying out nested npm packages (installPackages.ts commitInstall with
 * npmLayout.ts withNestedReinstalls) on a real package store: a package nested
 * under a scoped one (`@s/a/node_modules/b`, as eslint 9's tree has under
 * `@eslint-community/eslint-utils`), installed and then reinstalled when its
 * parent and it change, with the nested copy where Node resolves it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { commitInstall, planInstall, type TargetPackage } from '../../cli/install/installPackages.ts';
import { withNestedReinstalls } from '../../cli/install/npmLayout.ts';
import { PackageStore } from '../../cli/install/packageStore.ts';
import { sha256Of } from '../../cli/install/tarballCache.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { tarball } from '../support/tarballs.ts';

/** Built once per name@version: a tar header carries the time it was made, so a rebuild would be other bytes. */
const built = new Map<string, { hash: string; bytes: Uint8Array }>();

async function npmPackage(name: string, version: string): Promise<{ hash: string; bytes: Uint8Array }> {
  const known = built.get(`${name}@${version}`);
  if (known !== undefined) return known;
  const bytes = await tarball([
    { name: 'package/package.json', body: JSON.stringify({ name, version, main: 'index.js' }) },
    { name: 'package/index.js', body: `module.exports = ${JSON.stringify(`${name}@${version}`)};\n` },
  ]);
  const made = { hash: sha256Of(bytes), bytes };
  built.set(`${name}@${version}`, made);
  return made;
}

describe('nested npm packages under a scoped package', () => {
  let data: string;
  let project: string;
  beforeEach(async () => {
    data = await tempDir('gopkgr-npmlayout-data-');
    project = await tempDir('gopkgr-npmlayout-app-');
  });
  afterEach(closeAll);

  const install = async (store: PackageStore, targets: Array<[string, string, string]>): Promise<string[]> => {
    const wanted: TargetPackage[] = [];
    for (const [at, name, version] of targets) {
      const { hash, bytes } = await npmPackage(name, version);
      if (store.check(hash) === undefined) await store.add(hash, bytes, { label: `${name}@${version}` });
      wanted.push({ name: at, version, contentHash: hash, npm: true });
    }
    const plan = withNestedReinstalls(await planInstall(project, wanted));
    await commitInstall({ projectDir: project, plan, store, files: () => ({}) });
    return plan.toInstall.map((t) => t.name);
  };
  const versionAt = async (at: string): Promise<string> => (JSON.parse(await readFile(path.join(project, 'node_modules', at, 'package.json'), 'utf8')) as { version: string }).version;

  it('installs the nested copy inside the scoped parent, and reinstalls both when they change', async () => {
    const store = new PackageStore(data);
    await install(store, [['@s/a', '@s/a', '1.0.0'], ['@s/a/node_modules/b', 'b', '3.0.0'], ['b', 'b', '4.0.0'], ['c/node_modules/b', 'b', '3.0.0'], ['c', 'c', '1.0.0']]);
    expect(await versionAt('@s/a/node_modules/b')).toBe('3.0.0');
    expect(await versionAt('c/node_modules/b')).toBe('3.0.0');
    expect(await versionAt('b')).toBe('4.0.0');

    // The parents change: everything nested under them is reinstalled too, after them.
    const again = await install(store, [['@s/a', '@s/a', '1.1.0'], ['@s/a/node_modules/b', 'b', '3.1.0'], ['b', 'b', '4.0.0'], ['c/node_modules/b', 'b', '3.1.0'], ['c', 'c', '1.0.0']]);
    expect(again).toEqual(['@s/a', '@s/a/node_modules/b', 'c/node_modules/b']);
    expect(await versionAt('@s/a')).toBe('1.1.0');
    expect(await versionAt('@s/a/node_modules/b')).toBe('3.1.0');
    expect(await versionAt('c/node_modules/b')).toBe('3.1.0');
  });
});
