import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { PACK_MTIME, packPackage, type PackedPackage } from '../../cli/pack.ts';
import { isGopkgrError } from '../../ledger/index.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/pack/', import.meta.url));

afterAll(closeAll);

/** A fixture copied out of the repo, so tests can add node_modules, dot-files, links. */
async function copyFixture(name: string): Promise<string> {
  const dir = await tempDir('gopkgr-pack-');
  await cp(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel === '' ? d.name : `${rel}/${d.name}`;
    if (d.isDirectory()) out.push(...(await listFiles(dir, child)));
    else out.push(child);
  }
  return out.sort();
}

/**
 * The same files as `src`, created in reverse order, each with a different
 * non-executable mode and a different mtime: none of that may reach the bytes.
 */
async function noisyCopy(src: string): Promise<string> {
  const dst = await tempDir('gopkgr-pack-');
  const files = (await listFiles(src)).reverse();
  const modes = [0o600, 0o640, 0o664, 0o666, 0o644];
  let i = 0;
  for (const rel of files) {
    const to = path.join(dst, rel);
    await mkdir(path.dirname(to), { recursive: true });
    await writeFile(to, await readFile(path.join(src, rel)));
    await chmod(to, modes[i % modes.length] ?? 0o644);
    const when = new Date(Date.UTC(2011 + i, i % 12, 1 + i, i, i));
    await utimes(to, when, when);
    i++;
  }
  return dst;
}

interface TarFile {
  name: string;
  mode: number;
  mtime: Date;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  type: string;
  data: Buffer;
}

async function readTarball(tarball: Uint8Array): Promise<TarFile[]> {
  const ex = extract();
  const out: TarFile[] = [];
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Uint8Array[] = [];
      stream.on('data', (c: unknown) => {
        if (c instanceof Uint8Array) chunks.push(c);
      });
      stream.on('end', () => {
        out.push({
          name: header.name,
          mode: header.mode ?? -1,
          mtime: header.mtime ?? new Date(NaN),
          uid: header.uid ?? -1,
          gid: header.gid ?? -1,
          uname: header.uname ?? '',
          gname: header.gname ?? '',
          type: header.type ?? '',
          data: Buffer.concat(chunks),
        });
        next();
      });
      stream.resume();
    });
    ex.on('finish', () => resolve());
    ex.on('error', reject);
  });
  ex.end(gunzipSync(tarball));
  await done;
  return out;
}

function text(files: TarFile[], name: string): string {
  const f = files.find((e) => e.name === `package/${name}`);
  if (f === undefined) throw new Error(`${name} is not in the tarball`);
  return f.data.toString('utf8');
}

async function packError(dir: string, opts?: { maxBytes?: number; maxFiles?: number }): Promise<{ code: string; message: string }> {
  try {
    await packPackage(dir, opts);
  } catch (err) {
    if (isGopkgrError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('packPackage did not fail');
}

describe('packPackage determinism', () => {
  it('gives the same bytes when the same directory is packed twice', async () => {
    const dir = await copyFixture('basic');
    const a = await packPackage(dir);
    const b = await packPackage(dir);
    expect(b.sha256).toBe(a.sha256);
    expect(Buffer.from(b.tarball).equals(Buffer.from(a.tarball))).toBe(true);
    expect(a.sha256).toBe(createHash('sha256').update(a.tarball).digest('hex'));
  });

  it('ignores file creation order, mtimes and non-executable permission bits', async () => {
    const dir = await copyFixture('basic');
    const noisy = await noisyCopy(dir);
    const [a, b] = await Promise.all([packPackage(dir), packPackage(noisy)]);
    expect(b.files).toEqual(a.files);
    expect(b.sha256).toBe(a.sha256);
  });

  it('writes fixed tar headers and a platform-free gzip header', async () => {
    const packed = await packPackage(await copyFixture('basic'));
    // gzip magic, deflate, no flags, mtime 0, XFL 2 (level 9), OS 255 (unknown)
    expect(Buffer.from(packed.tarball.subarray(0, 10)).toString('hex')).toBe('1f8b08000000000002ff');
    const files = await readTarball(packed.tarball);
    expect(files.map((f) => f.name)).toEqual(packed.files.map((f) => `package/${f}`));
    for (const f of files) {
      expect(f).toMatchObject({ type: 'file', mode: 0o644, uid: 0, gid: 0, uname: '', gname: '' });
      expect(f.mtime.getTime()).toBe(PACK_MTIME.getTime());
    }
  });

  it('pins the tar bytes of a package that needs no compiling', async () => {
    // The uncompressed tar is ours alone (no tsc, no zlib in it): pin it, so any
    // change to names, order or headers shows up as a changed content hash here first.
    const packed = await packPackage(path.join(FIXTURES, 'dts-only'));
    const tarHash = createHash('sha256').update(gunzipSync(packed.tarball)).digest('hex');
    expect(tarHash).toBe('e5638aa38a96ac1f50ca8887d932e2bdd30ecb64abce76389dfc85101f47a716');
  });

  it('sorts entries bytewise and stores names NFC-normalised', async () => {
    const dir = await copyFixture('dts-only');
    await writeFile(path.join(dir, 'cafe\u0301.txt'), 'nfd');
    await writeFile(path.join(dir, 'Zebra.txt'), 'upper');
    await writeFile(path.join(dir, 'apple.txt'), 'lower');
    const packed = await packPackage(dir);
    expect(packed.files).toEqual(['Zebra.txt', 'apple.txt', 'caf\u00e9.txt', 'index.d.ts', 'package.json']);
  });

  it('PACK_PATH_COLLISION: two names that are equal once normalised', async () => {
    const dir = await copyFixture('dts-only');
    await writeFile(path.join(dir, 'cafe\u0301.txt'), 'nfd');
    await writeFile(path.join(dir, 'caf\u00e9.txt'), 'nfc');
    expect((await packError(dir)).code).toBe('PACK_PATH_COLLISION');
  });
});

describe('packPackage compiling', () => {
  it('packs the .ts sources with the emitted .js and .d.ts beside them', async () => {
    const packed = await packPackage(await copyFixture('basic'));
    expect(packed.files).toEqual([
      'LICENSE',
      'README.md',
      'package.json',
      'src/index.d.ts',
      'src/index.js',
      'src/index.ts',
      'src/util.d.ts',
      'src/util.js',
      'src/util.ts',
      'test/index.test.ts',
      'tsconfig.json',
    ]);
    expect(packed.packageJson).toMatchObject({ name: '@fixture/basic', type: 'module' });
    const files = await readTarball(packed.tarball);
    expect(text(files, 'src/index.ts')).toBe(await readFile(path.join(FIXTURES, 'basic/src/index.ts'), 'utf8'));
    // `./util.ts` becomes `./util.js` in both outputs, so each names a module node can load.
    expect(text(files, 'src/index.js')).toContain('from "./util.js"');
    expect(text(files, 'src/index.js')).not.toContain(': number');
    const dts = text(files, 'src/index.d.ts');
    expect(dts).toContain('export declare function add(a: number, b: number): number;');
    expect(dts).toContain('import type { Pair } from "./util.js";');
    expect(dts).not.toContain('.ts"');
    expect(text(files, 'src/util.d.ts')).toContain('export interface Pair');
  });

  it('emits JavaScript that plain node runs', async () => {
    const packed = await packPackage(await copyFixture('basic'));
    const out = await tempDir('gopkgr-pack-');
    for (const f of await readTarball(packed.tarball)) {
      const to = path.join(out, ...f.name.split('/'));
      await mkdir(path.dirname(to), { recursive: true });
      await writeFile(to, f.data);
    }
    const script = [
      "const m = await import('./package/src/index.js');",
      'console.log(JSON.stringify([m.add(2, 3), m.sumPair({ left: 4, right: 1 }), m.double(21)]));',
    ].join('\n');
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: out, encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual([5, 5, 42]);
  });

  it('never writes into the package directory', async () => {
    const dir = await copyFixture('basic');
    const before = await listFiles(dir);
    await packPackage(dir);
    expect(await listFiles(dir)).toEqual(before);
  });

  it('PACK_COMPILE_ERROR: names the file, line and column of a type error', async () => {
    const err = await packError(await copyFixture('type-error'));
    expect(err.code).toBe('PACK_COMPILE_ERROR');
    expect(err.message).toMatch(/^src\/index\.ts:2:14: Type 'string' is not assignable to type 'number'\. \(TS2322\)/);
  });

  it('packs test files as written, without type-checking or emitting them (no @types/node needed for node:test)', async () => {
    const dir = await copyFixture('basic');
    const broken = "import { test } from 'node:test';\nimport { add } from '../src/index.ts';\ntest('x', () => { add('1', 2); });\n";
    await writeFile(path.join(dir, 'test/broken.test.ts'), broken);
    await writeFile(path.join(dir, 'src/util.spec.ts'), "import assert from 'node:assert';\nassert.equal(1 as number, '1');\n");
    const packed = await packPackage(dir);
    expect(packed.files.filter((f) => f.startsWith('test/') || f.includes('.spec.'))).toEqual(['src/util.spec.ts', 'test/broken.test.ts', 'test/index.test.ts']);
    expect(text(await readTarball(packed.tarball), 'test/broken.test.ts')).toBe(broken);
  });

  it('PACK_COMPILE_ERROR: lists the first five errors and counts the rest', async () => {
    const dir = await copyFixture('type-error');
    const lines = Array.from({ length: 8 }, (_, i) => `export const n${i}: number = 'x';`);
    await writeFile(path.join(dir, 'src/index.ts'), lines.join('\n') + '\n');
    const err = await packError(dir);
    expect(err.code).toBe('PACK_COMPILE_ERROR');
    const reported = err.message.split('\n');
    expect(reported).toHaveLength(6);
    expect(reported[4]).toMatch(/^src\/index\.ts:5:14: /);
    expect(reported[5]).toBe('(and 3 more)');
  });

  it('compiles a TypeScript source that imports plain JavaScript (allowJs)', async () => {
    const dir = await copyFixture('dts-only');
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, allowJs: true, checkJs: true } }));
    await writeFile(path.join(dir, 'legacy.js'), 'export function twice(x) { return x * 2; }\n');
    await writeFile(path.join(dir, 'main.ts'), "import { twice } from './legacy.js';\nexport const four: number = twice(2);\n");
    const packed = await packPackage(dir);
    expect(packed.files).toEqual(['index.d.ts', 'legacy.js', 'main.d.ts', 'main.js', 'main.ts', 'package.json', 'tsconfig.json']);
    const files = await readTarball(packed.tarball);
    expect(text(files, 'legacy.js')).toBe('export function twice(x) { return x * 2; }\n');
  });

  it('PACK_TSCONFIG_INVALID: a tsconfig.json that does not parse', async () => {
    const dir = await copyFixture('basic');
    await writeFile(path.join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": ');
    expect((await packError(dir)).code).toBe('PACK_TSCONFIG_INVALID');
  });

  it('packs a declaration-only package as it is', async () => {
    const packed = await packPackage(await copyFixture('dts-only'));
    expect(packed.files).toEqual(['index.d.ts', 'package.json']);
    const files = await readTarball(packed.tarball);
    expect(text(files, 'index.d.ts')).toBe(await readFile(path.join(FIXTURES, 'dts-only/index.d.ts'), 'utf8'));
  });

  it('packs a source whose .js and .d.ts ship with it as it is', async () => {
    const packed = await packPackage(await copyFixture('prebuilt'));
    expect(packed.files).toEqual(['package.json', 'src/index.d.ts', 'src/index.js', 'src/index.ts']);
    const files = await readTarball(packed.tarball);
    expect(text(files, 'src/index.js')).toContain('built by the author');
    expect(text(files, 'src/index.d.ts')).toContain('built by the author');
  });

  it('compiles a source that ships only half of its build, replacing the stale half', async () => {
    const dir = await copyFixture('prebuilt');
    await rm(path.join(dir, 'src/index.d.ts'));
    const files = await readTarball((await packPackage(dir)).tarball);
    expect(text(files, 'src/index.js')).toBe('export const answer = 42;\n');
    expect(text(files, 'src/index.d.ts')).toBe('export declare const answer: number;\n');
  });

  it('emits .mjs and .d.mts for an .mts source', async () => {
    const dir = await copyFixture('dts-only');
    await writeFile(path.join(dir, 'tool.mts'), 'export const tool = (s: string): string => s.toUpperCase();\n');
    const packed = await packPackage(dir);
    expect(packed.files).toEqual(['index.d.ts', 'package.json', 'tool.d.mts', 'tool.mjs', 'tool.mts']);
  });

  it('keeps the execute bit of a script and of the JavaScript compiled from it', async () => {
    const dir = await copyFixture('basic');
    await writeFile(path.join(dir, 'src/cli.ts'), "#!/usr/bin/env node\nimport { add } from './index.ts';\nconsole.log(add(1, 1));\n");
    await chmod(path.join(dir, 'src/cli.ts'), 0o755);
    const files = await readTarball((await packPackage(dir)).tarball);
    const mode = (name: string): number | undefined => files.find((f) => f.name === `package/${name}`)?.mode;
    expect(mode('src/cli.ts')).toBe(0o755);
    expect(mode('src/cli.js')).toBe(0o755);
    expect(mode('src/cli.d.ts')).toBe(0o644);
    expect(mode('src/index.js')).toBe(0o644);
    expect(text(files, 'src/cli.js').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('packPackage file selection', () => {
  it('leaves out node_modules, .git, dot-files, lockfiles and build caches', async () => {
    const dir = await copyFixture('basic');
    const add = async (rel: string, body = 'x'): Promise<void> => {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), body);
    };
    await add('node_modules/dep/index.js');
    await add('src/node_modules/nested/index.js');
    await add('.git/HEAD', 'ref: refs/heads/main\n');
    await add('.env', 'SECRET=1');
    await add('src/.DS_Store');
    await add('gopkgr.lock', '{}');
    await add('import_map.json', '{}');
    await add('package-lock.json', '{}');
    await add('tsconfig.tsbuildinfo', '{}');
    await add('docs/guide.md', '# guide');
    const packed = await packPackage(dir);
    expect(packed.files.filter((f) => !f.startsWith('src/') && !f.startsWith('test/'))).toEqual([
      'LICENSE',
      'README.md',
      'docs/guide.md',
      'package.json',
      'tsconfig.json',
    ]);
    expect(packed.files.some((f) => f.includes('node_modules') || f.includes('/.'))).toBe(false);
  });

  it('honours the files field, with package.json, README and LICENSE always in', async () => {
    const packed = await packPackage(await copyFixture('files-field'));
    expect(packed.files).toEqual(['LICENSE.txt', 'README.md', 'lib/index.d.ts', 'lib/index.js', 'package.json']);
  });

  it('reads globs in the files field', async () => {
    const dir = await copyFixture('files-field');
    const pkg = { name: '@fixture/globs', type: 'module', files: ['./lib/**/*.js', 'other/'] };
    await writeFile(path.join(dir, 'package.json'), JSON.stringify(pkg));
    const packed = await packPackage(dir);
    expect(packed.files).toEqual(['LICENSE.txt', 'README.md', 'lib/index.js', 'lib/internal/hidden.js', 'other/other.js', 'package.json']);
    expect(packed.packageJson).toEqual(pkg);
  });

  it('compiles only the sources the files field selects', async () => {
    const dir = await copyFixture('basic');
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ ...pkg, files: ['src'] }));
    const packed = await packPackage(dir);
    expect(packed.files).toEqual([
      'LICENSE',
      'README.md',
      'package.json',
      'src/index.d.ts',
      'src/index.js',
      'src/index.ts',
      'src/util.d.ts',
      'src/util.js',
      'src/util.ts',
    ]);
  });

  it('PACK_SYMLINK: a symbolic link that would be packed', async () => {
    const dir = await copyFixture('files-field');
    await symlink('index.js', path.join(dir, 'lib/alias.js'));
    const err = await packError(dir);
    expect(err.code).toBe('PACK_SYMLINK');
    expect(err.message).toContain('lib/alias.js');
  });

  it('ignores a symbolic link the files field leaves out', async () => {
    const dir = await copyFixture('files-field');
    await symlink('../README.md', path.join(dir, 'other/link.md'));
    expect((await packPackage(dir)).files).not.toContain('other/link.md');
  });
});

describe('packPackage errors', () => {
  it('PACK_TOO_LARGE: more bytes than maxBytes', async () => {
    const dir = await copyFixture('dts-only');
    await writeFile(path.join(dir, 'big.txt'), 'x'.repeat(2048));
    const err = await packError(dir, { maxBytes: 1024 });
    expect(err.code).toBe('PACK_TOO_LARGE');
    expect(err.message).toContain('1024 bytes');
  });

  it('PACK_TOO_LARGE: emitted files count towards maxBytes', async () => {
    const dir = await copyFixture('basic');
    const sources = await listFiles(dir);
    let size = 0;
    for (const f of sources) size += (await readFile(path.join(dir, f))).byteLength;
    // The sources fit; the sources plus their .js and .d.ts do not.
    expect((await packError(dir, { maxBytes: size + 10 })).code).toBe('PACK_TOO_LARGE');
  });

  it('PACK_TOO_LARGE: more files than maxFiles', async () => {
    const dir = await copyFixture('dts-only');
    const err = await packError(dir, { maxFiles: 1 });
    expect(err.code).toBe('PACK_TOO_LARGE');
    expect(err.message).toContain('1 files');
  });

  it('PACK_PACKAGE_JSON_MISSING: a directory without package.json', async () => {
    const dir = await copyFixture('dts-only');
    await rm(path.join(dir, 'package.json'));
    expect((await packError(dir)).code).toBe('PACK_PACKAGE_JSON_MISSING');
  });

  it('PACK_PACKAGE_JSON_INVALID: package.json that is not JSON, not an object, or has a bad files field', async () => {
    const dir = await copyFixture('dts-only');
    for (const body of ['{ "name": ', '[1, 2]', '{ "files": "lib" }']) {
      await writeFile(path.join(dir, 'package.json'), body);
      expect((await packError(dir)).code).toBe('PACK_PACKAGE_JSON_INVALID');
    }
  });

  it('PACK_DIR_NOT_FOUND: a path that is not a directory', async () => {
    const dir = await tempDir('gopkgr-pack-');
    expect((await packError(path.join(dir, 'nope'))).code).toBe('PACK_DIR_NOT_FOUND');
  });

  it('PACK_BAD_OPTIONS: a limit that is not a positive integer', async () => {
    const dir = await copyFixture('dts-only');
    expect((await packError(dir, { maxBytes: 0 })).code).toBe('PACK_BAD_OPTIONS');
    expect((await packError(dir, { maxFiles: 1.5 })).code).toBe('PACK_BAD_OPTIONS');
  });
});

// Keep the type in use so a change to the API surface breaks this file loudly.
export type { PackedPackage };

/** A package written from a map of files into a fresh temp directory. */
async function packageDir(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('gopkgr-pack-');
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), body);
  }
  return dir;
}

const SRC = { 'src/index.ts': "export { twice } from './util.ts';\nexport const one: number = 1;\n", 'src/util.ts': 'export function twice(x: number): number {\n  return 2 * x;\n}\n' };

describe('packPackage layouts and entry points', () => {
  it('puts outputs where tsc -p would (outDir mirroring rootDir) and rewrites .ts entry points to them, the same bytes twice', async () => {
    const dir = await packageDir({
      ...SRC,
      'package.json': JSON.stringify({ name: '@fixture/outdir', type: 'module', main: './src/index.ts', exports: { '.': './src/index.ts', './util': { import: './src/util.ts' } } }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, outDir: 'dist', rootDir: 'src' }, include: ['src'] }),
      'test/index.test.ts': "import { test } from 'node:test';\ntest('t', () => {});\n",
    });
    const packed = await packPackage(dir);
    expect(packed.files).toEqual(['dist/index.d.ts', 'dist/index.js', 'dist/util.d.ts', 'dist/util.js', 'package.json', 'src/index.ts', 'src/util.ts', 'test/index.test.ts', 'tsconfig.json']);
    expect(packed.packageJson).toEqual({
      name: '@fixture/outdir', type: 'module', main: './dist/index.js',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './util': { import: { types: './dist/util.d.ts', default: './dist/util.js' } } },
      types: './dist/index.d.ts',
    });
    const files = await readTarball(packed.tarball);
    expect(JSON.parse(text(files, 'package.json'))).toEqual(packed.packageJson);
    expect(text(files, 'dist/index.js')).toContain('from "./util.js"');
    expect((await packPackage(dir)).sha256).toBe(packed.sha256);
  });

  it('takes rootDir from the files the tsconfig includes when it is not set, as tsc does', async () => {
    const dir = await packageDir({
      ...SRC,
      'package.json': JSON.stringify({ name: '@fixture/norootdir', type: 'module', exports: './src/index.ts' }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, outDir: 'out/lib', declarationDir: 'out/types' }, include: ['src'] }),
      'vitest.config.ts': "export default { this: 'is not built' };\n",
    });
    const packed = await packPackage(dir);
    expect(packed.files).toEqual(['out/lib/index.js', 'out/lib/util.js', 'out/types/index.d.ts', 'out/types/util.d.ts', 'package.json', 'src/index.ts', 'src/util.ts', 'tsconfig.json', 'vitest.config.ts']);
    expect(packed.packageJson.exports).toEqual({ types: './out/types/index.d.ts', default: './out/lib/index.js' });
  });

  it('PACK_TSCONFIG_INVALID: an outDir outside the package', async () => {
    const dir = await packageDir({ ...SRC, 'package.json': '{"name":"@fixture/x","type":"module"}', 'tsconfig.json': JSON.stringify({ compilerOptions: { outDir: '../elsewhere' } }) });
    const err = await packError(dir);
    expect(err.code).toBe('PACK_TSCONFIG_INVALID');
    expect(err.message).toContain('outside the package');
  });

  it('rewrites main: index.ts, bin, typings, conditions, fallbacks and subpath patterns beside the sources', async () => {
    const dir = await packageDir({
      ...SRC,
      'cli.ts': "console.log('hi');\n",
      'package.json': JSON.stringify({
        name: '@fixture/beside', type: 'module', main: 'src/index.ts', bin: { beside: './cli.ts' },
        exports: {
          '.': { types: './src/index.ts', node: ['./src/index.ts'], default: './src/index.ts' },
          './*': './src/*.ts',
          './raw': './README.md',
          './missing': './src/missing.ts',
        },
      }),
    });
    const packed = await packPackage(dir);
    expect(packed.packageJson).toEqual({
      name: '@fixture/beside', type: 'module', main: 'src/index.js', bin: { beside: './cli.js' },
      exports: {
        '.': { types: './src/index.d.ts', node: ['./src/index.js'], default: './src/index.js' },
        './*': { types: './src/*.d.ts', default: './src/*.js' },
        './raw': './README.md',
        // Nothing was emitted for it: left for the publish checks to report.
        './missing': './src/missing.ts',
      },
      types: 'src/index.d.ts',
    });
  });

  it('leaves package.json byte for byte when no entry point names a source', async () => {
    const raw = '{ "name": "@fixture/plain",   "type": "module", "main": "src/index.js" }\n';
    const packed = await packPackage(await packageDir({ ...SRC, 'package.json': raw }));
    expect(text(await readTarball(packed.tarball), 'package.json')).toBe(raw);
  });

  it('reads type roots from the package, not from the directory publish runs in', async () => {
    // No tsconfig: the automatic @types inclusion must look in the package's node_modules.
    const dir = await packageDir({
      'package.json': '{"name":"@fixture/ambient","type":"module"}',
      'index.ts': 'export const n: number = ambientThing;\n',
      'node_modules/@types/ambient/index.d.ts': 'declare const ambientThing: number;\n',
      'node_modules/@types/ambient/package.json': '{"name":"@types/ambient","types":"index.d.ts"}',
    });
    expect(process.cwd()).not.toBe(dir);
    const packed = await packPackage(dir);
    expect(packed.files).toEqual(['index.d.ts', 'index.js', 'index.ts', 'package.json']);
  });
});

describe('packPackage with outDir and a files field', () => {
  it('builds the sources "files": ["dist"] leaves out, and packs only their selected outputs', async () => {
    const dir = await packageDir({
      ...SRC,
      'package.json': JSON.stringify({ name: '@fixture/filesdist', type: 'module', files: ['dist'], exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, outDir: 'dist', rootDir: 'src' }, include: ['src'] }),
    });
    const packed = await packPackage(dir);
    expect(packed.files).toEqual(['dist/index.d.ts', 'dist/index.js', 'dist/util.d.ts', 'dist/util.js', 'package.json']);
    expect(text(await readTarball(packed.tarball), 'dist/index.js')).toContain('from "./util.js"');
    expect((await packPackage(dir)).sha256).toBe(packed.sha256);
  });
});
