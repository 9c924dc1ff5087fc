import { afterEach, describe, expect, it } from 'vitest';
import { dependencySpecs, parseNpmSpec, pickVersion, resolveClosure } from '../../cli/npm/closure.ts';
import { NpmRegistry } from '../../cli/npm/registry.ts';
import { thisMachine } from '../../cli/npm/machine.ts';
import { otherPlatformLines } from '../../cli/commands/import.ts';
import { startNpmRegistry } from '../support/npmRegistry.ts';
import { closeAll } from '../support/cleanup.ts';

afterEach(closeAll);

describe('npm ranges, as npm reads them', () => {
  const versions = ['1.0.0', '1.2.0', '1.3.0-beta.1', '2.0.0', '2.1.0-rc.0', '3.0.0'];
  const tags = { latest: '2.0.0', next: '2.1.0-rc.0' };

  it('a dist-tag names its version; latest is preferred when it satisfies; pre-releases only when asked', () => {
    expect(pickVersion(versions, tags, 'latest')).toBe('2.0.0');
    expect(pickVersion(versions, tags, 'next')).toBe('2.1.0-rc.0');
    expect(pickVersion(versions, tags, '*')).toBe('2.0.0');
    expect(pickVersion(versions, tags, '^1')).toBe('1.2.0');
    expect(pickVersion(versions, tags, '>=2')).toBe('2.0.0');
    expect(pickVersion(versions, { latest: '1.0.0' }, '>=2')).toBe('3.0.0');
    expect(pickVersion(versions, tags, '^1.3.0-beta.0')).toBe('1.3.0-beta.1');
    expect(pickVersion(versions, tags, '^4')).toBeUndefined();
    expect(pickVersion(versions, { latest: '9.9.9' }, 'latest')).toBeUndefined();
  });

  it('parses npm:NAME[@RANGE], scoped names included', () => {
    expect(parseNpmSpec('npm:zod@^3.23.0')).toEqual({ name: 'zod', spec: '^3.23.0' });
    expect(parseNpmSpec('npm:@types/node')).toEqual({ name: '@types/node', spec: 'latest' });
    expect(parseNpmSpec('npm:@types/node@20')).toEqual({ name: '@types/node', spec: '20' });
    expect(() => parseNpmSpec('npm:')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('needs regular, optional and required peer dependencies, not optional peers', () => {
    expect(dependencySpecs({
      name: 'x', version: '1.0.0', dist: { tarball: '' },
      dependencies: { a: '^1' }, optionalDependencies: { b: '^2' }, peerDependencies: { c: '^3', d: '^4' }, peerDependenciesMeta: { d: { optional: true } },
    })).toEqual([['a', '^1'], ['b', '^2'], ['c', '^3']]);
  });

  it('reports what the registry cannot answer instead of guessing; follows npm: aliases', async () => {
    const served = await startNpmRegistry();
    const registry = new NpmRegistry(served.url);
    // A fake root whose deps are a git URL, an alias and a missing package: resolved against the recorded registry.
    const closure = await resolveClosure(registry, [{ name: 'has-flag', spec: '^4' }]);
    expect(closure.releases.map((r) => `${r.name}@${r.version}`)).toEqual(['has-flag@4.0.0']);
    const packument = await registry.packument('has-flag');
    packument.versions['4.0.0']!.dependencies = { 'git-dep': 'github:user/repo', 'aliased': 'npm:color-name@~1.1.3', 'gone': '^1' };
    const fresh = await resolveClosure(registry, [{ name: 'has-flag', spec: '4.0.0' }]);
    expect(fresh.releases.map((r) => `${r.name}@${r.version}`)).toEqual(['color-name@1.1.4', 'has-flag@4.0.0']);
    expect(fresh.unresolved.map((u) => [u.name, u.by])).toEqual([['git-dep', 'has-flag@4.0.0'], ['gone', 'has-flag@4.0.0']]);
  });

  it('leaves out an optional dependency for another platform (fsevents on linux), keeps it for darwin or all platforms', async () => {
    const registry = new NpmRegistry((await startNpmRegistry()).url);
    const closure = await resolveClosure(registry, [{ name: 'chokidar', spec: '^3.6.0' }], undefined, { platform: 'linux', arch: 'x64', libc: 'glibc' });
    const names = closure.releases.map((r) => r.name);
    expect(names).toHaveLength(14);
    expect(names).not.toContain('fsevents');
    expect(names.at(-1)).toBe('chokidar');
    expect(closure.otherPlatform).toEqual([{ name: 'fsevents', version: '2.3.3', by: 'chokidar@3.6.0', reason: 'os darwin excludes linux' }]);
    const darwin = await resolveClosure(registry, [{ name: 'chokidar', spec: '^3.6.0' }], undefined, { platform: 'darwin', arch: 'arm64' });
    expect(darwin.releases.map((r) => r.name)).toContain('fsevents');
    expect(darwin.otherPlatform).toEqual([]);
    const all = await resolveClosure(registry, [{ name: 'chokidar', spec: '^3.6.0' }]);
    expect(all.releases).toHaveLength(15);
    // Named on the command line, it is not optional: imported on any machine.
    const root = await resolveClosure(registry, [{ name: 'fsevents', spec: '2.3.3' }], undefined, { platform: 'linux', arch: 'x64' });
    expect(root.releases.map((r) => r.name)).toEqual(['fsevents']);
  });

  it("this machine is Node's platform and arch, and on linux the C library its report names", () => {
    const m = thisMachine();
    expect([m.platform, m.arch]).toEqual([process.platform, process.arch]);
    const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
    expect(m.libc).toBe(process.platform !== 'linux' ? undefined : glibc !== undefined ? 'glibc' : 'musl');
  });
});

describe('what import says of the builds it skipped for other platforms', () => {
  it('a line for a package\'s only one, one line for a package\'s many', () => {
    const build = (name: string, by: string): { name: string; version: string; by: string; reason: string } => ({ name, version: '0.24.2', by, reason: 'os x excludes linux' });
    const skipped = [
      ...['aix-ppc64', 'android-arm', 'darwin-x64', 'win32-x64', 'sunos-x64'].map((p) => build(`@esbuild/${p}`, 'esbuild@0.24.2')),
      { name: 'fsevents', version: '2.3.3', by: 'chokidar@3.6.0', reason: 'os darwin excludes linux' },
      build('@rollup/a', 'rollup@4.0.0'), build('@rollup/b', 'rollup@4.0.0'),
    ];
    expect(otherPlatformLines(skipped, 'linux x64 glibc')).toEqual([
      '  - 5 optional dependencies of esbuild@0.24.2 for other platforms than linux x64 glibc skipped: npm:@esbuild/aix-ppc64@0.24.2, npm:@esbuild/android-arm@0.24.2, npm:@esbuild/darwin-x64@0.24.2 and 2 more (`--json` lists them); --all-platforms imports them',
      '  - npm:fsevents@2.3.3 skipped: optional dependency of chokidar@3.6.0 for another platform (os darwin excludes linux on linux x64 glibc); --all-platforms imports it',
      '  - 2 optional dependencies of rollup@4.0.0 for other platforms than linux x64 glibc skipped: npm:@rollup/a@0.24.2, npm:@rollup/b@0.24.2; --all-platforms imports them',
    ]);
    expect(otherPlatformLines([], 'linux x64 glibc')).toEqual([]);
  });
});
