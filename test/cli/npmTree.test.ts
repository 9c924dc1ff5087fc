/**
 * npm's layout from the chain's `npm:` records (cli/install/npmTree.ts): the
 * newest release in range (no pre-releases unless asked), locked versions
 * preferred, one copy per name at the top, the minimal duplicates nested where
 * Node resolves each dependent's own, no placement that shadows what an earlier
 * package resolved, peers reported and never installed, and the lock's bytes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildNpmTree, type NpmRelease } from '../../cli/install/npmTree.ts';
import { npmLocationNames, readNpmLock, serializeNpmLock } from '../../cli/install/npmLock.ts';
import { importSpecsFor, notImportedError, resolveNpm } from '../../cli/install/npmResolve.ts';
import { nextLockfile } from '../../cli/install/nextLockfile.ts';
import { readLockfile, serializeLockfile } from '../../cli/install/lockfile.ts';
import { checkNpmIntegrity, withNestedReinstalls } from '../../cli/install/npmLayout.ts';
import { npmNotes } from '../../cli/install/npmGet.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

const INTEGRITY = `sha512-${'A'.repeat(86)}==`;

function rel(name: string, version: string, deps: Record<string, string> = {}, extra: Partial<NpmRelease> = {}): NpmRelease {
  return { name, version, integrity: INTEGRITY, contentHash: createHash('sha256').update(`${name}@${version}`).digest('hex'), deps, ...extra };
}

function indexOf(...releases: NpmRelease[]): Map<string, NpmRelease[]> {
  const m = new Map<string, NpmRelease[]>();
  for (const r of releases) m.set(r.name, [...(m.get(r.name) ?? []), r]);
  return m;
}

const root = (name: string, range: string): { name: string; range: string; origin: string } => ({ name, range, origin: 'src/app.ts:1' });

/** location → version */
const layout = (tree: ReturnType<typeof buildNpmTree>): Record<string, string> => Object.fromEntries([...tree.nodes].map(([l, n]) => [l, n.release.version]));

describe('buildNpmTree', () => {
  it('takes the newest release in range and leaves pre-releases out unless the range names one', () => {
    const index = indexOf(rel('a', '1.0.0'), rel('a', '1.2.0'), rel('a', '1.3.0-beta.1'), rel('a', '2.0.0'));
    expect(layout(buildNpmTree([root('a', '^1.0.0')], index))).toEqual({ 'node_modules/a': '1.2.0' });
    expect(layout(buildNpmTree([root('a', '^1.3.0-beta.0')], index))).toEqual({ 'node_modules/a': '1.3.0-beta.1' });
  });

  it('prefers a locked version still in range; every range on a name must hold', () => {
    const index = indexOf(rel('a', '1.0.0'), rel('a', '1.2.0'), rel('a', '1.4.0'));
    expect(layout(buildNpmTree([root('a', '^1.0.0')], index, { preferred: new Map([['a', new Set(['1.2.0'])]]) }))).toEqual({ 'node_modules/a': '1.2.0' });
    expect(layout(buildNpmTree([root('a', '^1.0.0'), root('a', '<1.3.0')], index))).toEqual({ 'node_modules/a': '1.2.0' });
  });

  it('hoists shared deps to the top and nests only the dependent that needs another major', () => {
    const index = indexOf(
      rel('x', '1.0.0', { tiny: '^1.0.0' }), rel('y', '1.0.0', { tiny: '^2.0.0', z: '^1.0.0' }), rel('z', '1.0.0', { tiny: '^2.0.0' }),
      rel('tiny', '1.0.0'), rel('tiny', '2.0.0'),
    );
    const tree = buildNpmTree([root('x', '^1'), root('y', '^1')], index);
    expect(layout(tree)).toEqual({
      'node_modules/x': '1.0.0', 'node_modules/y': '1.0.0', 'node_modules/tiny': '1.0.0', 'node_modules/z': '1.0.0',
      'node_modules/y/node_modules/tiny': '2.0.0', 'node_modules/z/node_modules/tiny': '2.0.0',
    });
    expect(tree.missing).toEqual([]);
  });

  it('a project range that conflicts with a dependency\'s gets the dependency its own copy (the real chalk 4 + supports-color 5 case)', () => {
    const index = indexOf(
      rel('chalk', '4.1.2', { 'supports-color': '^7.1.0' }), rel('supports-color', '5.5.0', { 'has-flag': '^3.0.0' }), rel('supports-color', '7.2.0', { 'has-flag': '^4.0.0' }),
      rel('has-flag', '3.0.0'), rel('has-flag', '4.0.0'),
    );
    expect(layout(buildNpmTree([root('chalk', '^4.1.0'), root('supports-color', '^5.0.0')], index))).toEqual({
      'node_modules/chalk': '4.1.2', 'node_modules/supports-color': '5.5.0', 'node_modules/has-flag': '3.0.0',
      'node_modules/chalk/node_modules/supports-color': '7.2.0', 'node_modules/chalk/node_modules/has-flag': '4.0.0',
    });
  });

  it('never places a copy where it would shadow what an already placed package resolved higher up', () => {
    // a/node_modules/m (visited before n's deps) needs top-level t@1; n needs t@2 and m... So t@2 cannot go to a's level.
    const index = indexOf(
      rel('a', '1.0.0', { m: '^1', t: '^1' }), rel('m', '1.0.0', { t: '^1' }), rel('m', '2.0.0', { n: '^1' }), rel('n', '1.0.0', { t: '^2' }),
      rel('t', '1.0.0'), rel('t', '2.0.0'),
    );
    const tree = buildNpmTree([root('a', '^1'), root('m', '^2')], index);
    expect(layout(tree)).toEqual({
      'node_modules/a': '1.0.0', 'node_modules/m': '2.0.0', 'node_modules/a/node_modules/m': '1.0.0', 'node_modules/t': '1.0.0', 'node_modules/n': '1.0.0',
      'node_modules/n/node_modules/t': '2.0.0',
    });
  });

  it('installs an alias under its own name, and optional deps when on chain; skips them (said) when not', () => {
    const index = indexOf(rel('app', '1.0.0', { str: 'npm:string-x@^1' }, { optionalDeps: { fast: '^1', gone: '^1', git: 'github:a/b' } }), rel('string-x', '1.1.0'), rel('fast', '1.0.0'));
    const tree = buildNpmTree([root('app', '^1')], index);
    expect(layout(tree)).toEqual({ 'node_modules/app': '1.0.0', 'node_modules/fast': '1.0.0', 'node_modules/str': '1.1.0' });
    expect(tree.nodes.get('node_modules/str')!.release.name).toBe('string-x');
    expect(tree.skippedOptional.map((s) => s.name)).toEqual(['git', 'gone']);
    expect(tree.missing).toEqual([]);
  });

  it('skips an optional dependency whose os/cpu/libc exclude the machine, as npm does; installs it where they allow it', () => {
    const index = indexOf(
      rel('chokidar', '3.6.0', { anymatch: '~3.1.2' }, { optionalDeps: { fsevents: '~2.3.2', 'native-musl': '^1' } }), rel('anymatch', '3.1.3'),
      rel('fsevents', '2.3.3', {}, { os: ['darwin'] }), rel('native-musl', '1.0.0', {}, { os: ['linux'], cpu: ['x64'], libc: ['musl'] }),
    );
    const linux = buildNpmTree([root('chokidar', '^3')], index, { machine: { platform: 'linux', arch: 'x64', libc: 'glibc' } });
    expect(layout(linux)).toEqual({ 'node_modules/anymatch': '3.1.3', 'node_modules/chokidar': '3.6.0' });
    expect(linux.skippedOptional).toEqual([
      { name: 'fsevents', range: '~2.3.2', by: 'chokidar@3.6.0', reason: 'npm:fsevents@2.3.3 is not for this platform (os darwin excludes linux)' },
      { name: 'native-musl', range: '^1', by: 'chokidar@3.6.0', reason: 'npm:native-musl@1.0.0 is not for this platform (libc musl excludes glibc)' },
    ]);
    const darwin = buildNpmTree([root('chokidar', '^3')], index, { machine: { platform: 'darwin', arch: 'arm64' } });
    expect(layout(darwin)).toMatchObject({ 'node_modules/fsevents': '2.3.3' });
    expect(darwin.skippedOptional.map((x) => x.reason)).toEqual(['npm:native-musl@1.0.0 is not for this platform (os linux excludes darwin)']);
    expect(layout(buildNpmTree([root('chokidar', '^3')], index, { machine: { platform: 'linux', arch: 'x64', libc: 'musl' } }))).toMatchObject({ 'node_modules/native-musl': '1.0.0' });
    expect(linux.unsupported).toEqual([]);
    expect(linux.otherPlatform.map((r) => `${r.name}@${r.version}`)).toEqual(['fsevents@2.3.3', 'native-musl@1.0.0']);
    expect(darwin.otherPlatform.map((r) => `${r.name}@${r.version}`)).toEqual(['native-musl@1.0.0']);
  });

  it('a lock written on linux keeps the optional packages it skipped for another platform, and installs them on darwin, offline', async () => {
    const fsevents = rel('fsevents', '2.3.3', {}, { os: ['darwin'] });
    const index = indexOf(rel('chokidar', '3.6.0', {}, { optionalDeps: { fsevents: '~2.3.2' } }), fsevents);
    const linuxTree = buildNpmTree([root('chokidar', '^3')], index, { machine: { platform: 'linux', arch: 'x64', libc: 'glibc' } });
    const lock = nextLockfile({ solution: { selected: new Map(), requiredBy: new Map() }, index: new Map(), sources: new Map(), chains: {}, router: undefined, lock: undefined, added: {}, npmTree: linuxTree });
    expect(Object.keys(lock.npm!)).toEqual(['node_modules/chokidar']);
    expect(lock.npmOtherPlatform).toEqual({ 'fsevents@2.3.3': fsevents });

    // Through the file's bytes: the section is written, in its fixed shape, and read back.
    const dir = await tempDir();
    const file = path.join(dir, 'gopkgr.lock');
    await writeFile(file, serializeLockfile(lock));
    const read = await readLockfile(file);
    expect(read!.npmOtherPlatform).toEqual({ 'fsevents@2.3.3': fsevents });

    const darwin = await resolveNpm({ roots: [root('chokidar', '^3')], lock: read!.npm, otherPlatform: read!.npmOtherPlatform, machine: { platform: 'darwin', arch: 'arm64' } });
    expect(darwin.fromLockfile).toBe(true);
    expect(layout(darwin.tree)).toEqual({ 'node_modules/chokidar': '3.6.0', 'node_modules/fsevents': '2.3.3' });
    const linux = await resolveNpm({ roots: [root('chokidar', '^3')], lock: read!.npm, otherPlatform: read!.npmOtherPlatform, machine: { platform: 'linux', arch: 'x64' } });
    expect(layout(linux.tree)).toEqual({ 'node_modules/chokidar': '3.6.0' });
    expect(linux.tree.otherPlatform).toEqual([fsevents]); // carried into the next lock

    // A section keyed by anything but its entry's name@version is refused.
    const text = serializeLockfile(lock).replace('"fsevents@2.3.3"', '"fsevents@9.9.9"');
    await writeFile(file, text);
    await expect(readLockfile(file)).rejects.toMatchObject({ code: 'LOCKFILE_INVALID', message: expect.stringContaining('npmOtherPlatform["fsevents@9.9.9"] must be keyed by its name@version') });
  });

  it('places a required package, or the project\'s own, that is not for the machine, and lists it as unsupported (npm\'s EBADPLATFORM)', () => {
    const needed = indexOf(rel('app', '1.0.0', { fsevents: '^2' }), rel('fsevents', '2.3.3', {}, { os: ['darwin'] }), rel('x64only', '1.0.0', {}, { cpu: ['x64'] }));
    const linux = buildNpmTree([root('app', '^1'), root('x64only', '^1')], needed, { machine: { platform: 'linux', arch: 'arm64' } });
    expect(layout(linux)).toMatchObject({ 'node_modules/fsevents': '2.3.3', 'node_modules/x64only': '1.0.0' });
    expect(linux.unsupported).toEqual([
      { release: 'x64only@1.0.0', location: 'node_modules/x64only', by: root('x64only', '^1').origin, reason: 'cpu x64 excludes arm64' },
      { release: 'fsevents@2.3.3', location: 'node_modules/fsevents', by: 'app@1.0.0', reason: 'os darwin excludes linux' },
    ]);
    expect(buildNpmTree([root('app', '^1'), root('x64only', '^1')], needed, { machine: { platform: 'darwin', arch: 'x64' } }).unsupported).toEqual([]);
    // Without a machine (a layout that is not installed here) nothing is checked.
    expect(buildNpmTree([root('app', '^1')], needed).unsupported).toEqual([]);
  });

  it('reports missing peers and peers out of range, and installs none of them', () => {
    const index = indexOf(rel('plugin', '1.0.0', {}, { peerDeps: { host: '^2', other: '^1' } }), rel('host', '1.0.0'), rel('host', '2.0.0'), rel('other', '1.0.0'));
    const tree = buildNpmTree([root('plugin', '^1'), root('host', '^1')], index);
    expect(layout(tree)).toEqual({ 'node_modules/host': '1.0.0', 'node_modules/plugin': '1.0.0' });
    expect(tree.peerIssues).toEqual([
      { by: 'plugin@1.0.0', location: 'node_modules/plugin', peer: 'host', range: '^2', found: '1.0.0' },
      { by: 'plugin@1.0.0', location: 'node_modules/plugin', peer: 'other', range: '^1' },
    ]);
  });

  it('a range nothing on chain meets is missing, with the import command to run', () => {
    const index = indexOf(rel('zod', '3.22.0'), rel('uses', '1.0.0', { 'left-pad': '>=1 <2' }));
    const tree = buildNpmTree([root('zod', '^3.23.0'), root('uses', '^1')], index);
    expect(tree.missing.map((m) => `${m.name}@${m.range} ${m.by}`)).toEqual(['zod@^3.23.0 src/app.ts:1', 'left-pad@>=1 <2 uses@1.0.0']);
    expect(importSpecsFor(tree.missing)).toEqual(['npm:zod@^3.23.0', 'npm:left-pad@>=1 <2']);
    const err = notImportedError(tree.missing);
    expect(err.code).toBe('NPM_NOT_IMPORTED');
    expect(err.message).toContain("Run: gopkgr import npm:zod@^3.23.0 'npm:left-pad@>=1 <2'");
    expect(err.message).toContain('on chain: 3.22.0');
  });
});

describe('the npm lock and its layout', () => {
  it('round-trips with a fixed order, and refuses locations that leave node_modules', () => {
    const lock = { 'node_modules/b': rel('b', '1.0.0', { z: '1', a: '2' }, { installScripts: true }), 'node_modules/a/node_modules/@s/c': rel('@s/c', '1.0.0') };
    const bytes = JSON.stringify(serializeNpmLock(lock));
    expect(Object.keys(JSON.parse(bytes) as object)).toEqual(['node_modules/a/node_modules/@s/c', 'node_modules/b']);
    expect(bytes).toContain('"deps":{"a":"2","z":"1"},"installScripts":true');
    expect(readNpmLock(JSON.parse(bytes), 'gopkgr.lock')).toEqual(lock);
    for (const bad of ['node_modules/../x', 'node_modules/a/../../etc', 'lib/a', 'node_modules/@s', 'node_modules/a/node_modules']) {
      expect(npmLocationNames(bad)).toBeUndefined();
      expect(() => readNpmLock({ [bad]: rel('a', '1.0.0') }, 'gopkgr.lock')).toThrow(/LOCKFILE_INVALID|not a node_modules/);
    }
    expect(npmLocationNames('node_modules/a/node_modules/@s/c')).toEqual(['a', '@s/c']);
  });

  it('keeps platform fields, so an offline install skips the same packages; a lock without them still reads', () => {
    const lock = { 'node_modules/fsevents': rel('fsevents', '2.3.3', {}, { os: ['darwin'], cpu: ['!ia32'] }), 'node_modules/a': rel('a', '1.0.0') };
    const bytes = JSON.stringify(serializeNpmLock(lock));
    expect(bytes).toContain('"deps":{},"os":["darwin"],"cpu":["!ia32"]}');
    expect(readNpmLock(JSON.parse(bytes), 'gopkgr.lock')).toEqual(lock);
    expect(readNpmLock(JSON.parse(JSON.stringify({ 'node_modules/a': rel('a', '1.0.0') })), 'gopkgr.lock')['node_modules/a']).not.toHaveProperty('os');
    for (const os of [[], 'darwin', ['Darwin'], ['a b']]) {
      expect(() => readNpmLock({ 'node_modules/a': { ...rel('a', '1.0.0'), os } }, 'gopkgr.lock')).toThrow(/os must be a list/);
    }
  });

  it('reinstalls what is nested under a reinstalled package, parents first', () => {
    const t = (name: string): { name: string; version: string; contentHash: string } => ({ name, version: '1.0.0', contentHash: '0'.repeat(64) });
    const plan = withNestedReinstalls({ toInstall: [t('b'), t('a')], kept: [t('a/node_modules/x'), t('a/node_modules/x/node_modules/y'), t('c'), t('c/node_modules/x')], toRemove: [] });
    expect(plan.toInstall.map((p) => p.name)).toEqual(['a', 'a/node_modules/x', 'a/node_modules/x/node_modules/y', 'b']);
    expect(plan.kept.map((p) => p.name)).toEqual(['c', 'c/node_modules/x']);
  });
});

describe('what get tells its user about npm packages', () => {
  afterEach(closeAll);

  it('lists every package with install scripts (never run), peers not met, and optional deps left out', () => {
    const index = indexOf(
      rel('app', '1.0.0', { native: '^1' }, { optionalDeps: { gone: '^1' }, peerDeps: { host: '^2' } }),
      rel('native', '1.0.0', {}, { installScripts: true }), rel('builder', '2.0.0', {}, { installScripts: true }),
    );
    const notes = npmNotes(buildNpmTree([root('app', '^1'), root('builder', '^2')], index));
    expect(notes.installScripts).toEqual([
      { name: 'builder', version: '2.0.0', location: 'node_modules/builder' },
      { name: 'native', version: '1.0.0', location: 'node_modules/native' },
    ]);
    expect(notes.lines).toEqual([
      'note: 2 npm packages have install scripts, which gopkgr never runs:',
      '  builder@2.0.0 (node_modules/builder)',
      '  native@1.0.0 (node_modules/native)',
      'warning: app@1.0.0 (node_modules/app) wants peer host@^2, which is not installed; tag an import of it, e.g. // `npm:"^2"`, or run `gopkgr get npm:host@^2`',
      'note: optional gone@^1 of app@1.0.0 left out: npm:gone is not on chain',
    ]);
  });

  it('quotes the suggested get of a peer whose range the shell would split', () => {
    const index = indexOf(rel('plugin', '1.0.0', {}, { peerDeps: { react: '^17 || ^18', lib: '>=1 <3' } }));
    expect(npmNotes(buildNpmTree([root('plugin', '^1')], index)).lines).toEqual([
      "warning: plugin@1.0.0 (node_modules/plugin) wants peer lib@>=1 <3, which is not installed; tag an import of it, e.g. // `npm:\">=1 <3\"`, or run `gopkgr get 'npm:lib@>=1 <3'`",
      "warning: plugin@1.0.0 (node_modules/plugin) wants peer react@^17 || ^18, which is not installed; tag an import of it, e.g. // `npm:\"^17 || ^18\"`, or run `gopkgr get 'npm:react@^17 || ^18'`",
    ]);
  });

  it('prints no control character a package.json put in a range (a terminal escape, a newline)', () => {
    const index = indexOf(rel('plugin', '1.0.0', {}, { peerDeps: { lib: '^1\u001b[2J\nfake line' }, optionalDeps: { extra: 'x\u001b]0;title\u0007' } }));
    const lines = npmNotes(buildNpmTree([root('plugin', '^1')], index)).lines;
    expect(lines).toHaveLength(2);
    // eslint-disable-next-line no-control-regex
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(lines[0]).toContain("wants peer lib@^1 [2J fake line, which is not installed");
  });

  it('one line for the optional deps of one package that are not on chain (a build per platform); others a line each', () => {
    const builds = ['aix-ppc64', 'android-arm', 'darwin-x64', 'linux-arm', 'win32-x64'].map((p) => `@esbuild/${p}`);
    const index = indexOf(
      rel('esbuild', '0.24.2', {}, { optionalDeps: Object.fromEntries(builds.map((b) => [b, '0.24.2'])) }),
      rel('tool', '1.0.0', {}, { optionalDeps: { '@esbuild/linux-arm': '0.24.2', extra: '^3', fancy: 'github:x/y' } }),
      rel('extra', '1.0.0'),
    );
    const notes = npmNotes(buildNpmTree([root('esbuild', '^0.24.0'), root('tool', '^1')], index));
    expect(notes.lines).toEqual([
      'note: 5 optional dependencies of esbuild@0.24.2 left out, not on chain: @esbuild/aix-ppc64, @esbuild/android-arm, @esbuild/darwin-x64 and 2 more (`get --json` lists them)',
      'note: optional @esbuild/linux-arm@0.24.2 of tool@1.0.0 left out: npm:@esbuild/linux-arm is not on chain',
      'note: optional extra@^3 of tool@1.0.0 left out: no release of npm:extra on chain is in ^3 (on chain: 1.0.0)',
      'note: optional fancy@github:x/y of tool@1.0.0 left out: "github:x/y" is not a semver range (git, a URL, a file or a dist-tag), which the chain cannot answer',
    ]);
    const two = npmNotes(buildNpmTree([root('esbuild', '^0.24.0')], indexOf(rel('esbuild', '0.24.2', {}, { optionalDeps: { '@esbuild/a': '1', '@esbuild/b': '1' } }))));
    expect(two.lines).toEqual(['note: 2 optional dependencies of esbuild@0.24.2 left out, not on chain: @esbuild/a, @esbuild/b']);
  });

  it('a missing peer the installed package.json marks optional is not reported; one installed out of range still is', async () => {
    const project = await tempDir('gopkgr-npmpeers-');
    const index = indexOf(
      rel('linter', '9.0.0', { host: '^1' }, { peerDeps: { jiti: '*', host: '^2', other: '^1' } }),
      rel('host', '1.0.0'),
    );
    const tree = buildNpmTree([root('linter', '^9')], index);
    expect(tree.peerIssues.map((p) => p.peer)).toEqual(['host', 'jiti', 'other']);
    await mkdir(path.join(project, 'node_modules/linter'), { recursive: true });
    await writeFile(path.join(project, 'node_modules/linter/package.json'), JSON.stringify({
      name: 'linter', version: '9.0.0', peerDependencies: { jiti: '*', host: '^2', other: '^1' },
      peerDependenciesMeta: { jiti: { optional: true }, host: { optional: true } },
    }));
    const notes = npmNotes(tree, project);
    expect(notes.peers.map((p) => p.peer)).toEqual(['host', 'other']);
    expect(notes.lines).toEqual([
      'warning: linter@9.0.0 (node_modules/linter) wants peer host@^2, but 1.0.0 is what it finds; tag an import of it, e.g. // `npm:"^2"`, or run `gopkgr get npm:host@^2`',
      'warning: linter@9.0.0 (node_modules/linter) wants peer other@^1, which is not installed; tag an import of it, e.g. // `npm:"^1"`, or run `gopkgr get npm:other@^1`',
    ]);
  });

  it('a tarball whose sha512 is not the integrity on chain is NPM_INTEGRITY_MISMATCH', () => {
    const bytes = new TextEncoder().encode('tarball');
    const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    expect(() => checkNpmIntegrity(bytes, integrity, 'npm:a@1.0.0')).not.toThrow();
    expect(() => checkNpmIntegrity(new TextEncoder().encode('other'), integrity, 'npm:a@1.0.0')).toThrow(/NPM_INTEGRITY_MISMATCH|registry's integrity/);
  });
});
