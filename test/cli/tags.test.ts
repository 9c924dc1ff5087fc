/**
 * Comment tags (cli/tags/): every import syntax the parser reads a tag from, what
 * it ignores, and TAG_MALFORMED with file:line:col for each kind of broken tag.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GopkgrError } from '../../ledger/index.ts';
import { collectRequirements, depsOf, parseTags as parseWithTypeScript, scanSources } from '../../cli/tags/index.ts';
import { scanImports } from '../../cli/tags/scanImports.ts';
import { taggedImports } from '../../cli/tags/structTag.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

afterEach(closeAll);

const HASH = 'ab'.repeat(32);

/**
 * The TypeScript parser's reading, checked against the dedicated scanner's
 * (cli/tags/scanImports.ts) wherever that one answers: the same imports, or
 * the same error.
 */
function parseTags(file: string, text: string): ReturnType<typeof parseWithTypeScript> {
  const attempt = <T>(read: () => T): { ok: T } | { error: string } => {
    try {
      return { ok: read() };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
  const theirs = attempt(() => parseWithTypeScript(file, text));
  const statements = scanImports(file, text);
  if (statements !== undefined) expect(attempt(() => taggedImports(file, text, statements))).toEqual(theirs);
  if ('error' in theirs) return parseWithTypeScript(file, text);
  return theirs.ok;
}

function tagsOf(text: string, file = 'src/app.ts'): Array<{ name: string; subpath: string; typeOnly: boolean; tag?: object; line: number }> {
  return parseTags(file, text).map(({ name, subpath, typeOnly, tag, line }) => ({ name, subpath, typeOnly, line, ...(tag ? { tag } : {}) }));
}

function malformed(text: string, file = 'src/app.ts'): string {
  try {
    parseTags(file, text);
  } catch (err) {
    if (err instanceof GopkgrError && err.code === 'TAG_MALFORMED') return err.message;
    throw err;
  }
  throw new Error('expected TAG_MALFORMED');
}

describe('parseTags: where tags are read', () => {
  it('a static import, with and without a semicolon before the tag', () => {
    expect(tagsOf('import { pad } from "@acme/left-pad" // `ver:"^1.2.0"`\n')).toEqual([
      { name: '@acme/left-pad', subpath: '', typeOnly: false, line: 1, tag: { ver: '^1.2.0' } },
    ]);
    expect(tagsOf('import { pad } from "@acme/left-pad"; // `ver:"^1.2.0"`\n')[0]!.tag).toEqual({ ver: '^1.2.0' });
  });

  it('import type, default and namespace imports, side-effect imports', () => {
    const text = [
      'import type { Opts } from "@acme/types"; // `ver:"~2.0.0"`',
      'import def from "@acme/def" // `ver:"1.0.0"`',
      'import * as ns from "@acme/ns"; // `ver:">=1 <3"`',
      'import "@acme/polyfill"; // `ver:"*"`',
    ].join('\n');
    expect(tagsOf(text)).toEqual([
      { name: '@acme/types', subpath: '', typeOnly: true, line: 1, tag: { ver: '~2.0.0' } },
      { name: '@acme/def', subpath: '', typeOnly: false, line: 2, tag: { ver: '1.0.0' } },
      { name: '@acme/ns', subpath: '', typeOnly: false, line: 3, tag: { ver: '>=1 <3' } },
      { name: '@acme/polyfill', subpath: '', typeOnly: false, line: 4, tag: { ver: '*' } },
    ]);
  });

  it('export … from and export type … from', () => {
    const text = 'export { pad } from "@acme/left-pad"; // `ver:"^1.0.0"`\nexport type { T } from "@acme/types" // `ver:"^2.0.0"`\nexport * from "@acme/all"; // `ver:"^3.0.0"`\n';
    expect(tagsOf(text).map((t) => [t.name, t.typeOnly, t.tag])).toEqual([
      ['@acme/left-pad', false, { ver: '^1.0.0' }], ['@acme/types', true, { ver: '^2.0.0' }], ['@acme/all', false, { ver: '^3.0.0' }],
    ]);
  });

  it('a multi-line import list, the tag after the closing line', () => {
    const text = 'import {\n  a,\n  b,\n} from "@acme/multi"; // `ver:"^1.0.0" hash:"' + HASH + '"`\nconst x = 1;\n';
    expect(tagsOf(text)).toEqual([{ name: '@acme/multi', subpath: '', typeOnly: false, line: 4, tag: { ver: '^1.0.0', hash: HASH } }]);
  });

  it('a block comment right after the specifier, before the semicolon', () => {
    expect(tagsOf('import { a } from "@acme/x" /* `ver:"^1.0.0"` */;\n')[0]!.tag).toEqual({ ver: '^1.0.0' });
  });

  it('all three keys, escapes, and a free note after the tag', () => {
    const text = 'import { a } from "@acme/x"; // `ver:"^1.0.0" hash:"' + HASH + '" chain:"https://node.example:7357"` pinned for the audit\n';
    expect(tagsOf(text)[0]!.tag).toEqual({ ver: '^1.0.0', hash: HASH, chain: 'https://node.example:7357' });
    expect(tagsOf('import { a } from "@acme/x"; // `chain:"my \\"private\\" fork"`\n')[0]!.tag).toEqual({ chain: 'my "private" fork' });
  });

  it('subpath imports and import x = require()', () => {
    expect(tagsOf('import { b } from "@acme/x/sub/path.js"; // `ver:"^1.0.0"`\nimport y = require("@acme/y"); // `ver:"^2.0.0"`\n')).toEqual([
      { name: '@acme/x', subpath: '/sub/path.js', typeOnly: false, line: 1, tag: { ver: '^1.0.0' } },
      { name: '@acme/y', subpath: '', typeOnly: false, line: 2, tag: { ver: '^2.0.0' } },
    ]);
  });

  it('.tsx, .mts, .js and .mjs files', () => {
    for (const file of ['a.tsx', 'a.mts', 'a.js', 'a.mjs']) {
      const jsx = file.endsWith('x') ? 'const el = <div/>;\n' : '';
      expect(tagsOf(`import { a } from "@acme/x"; // \`ver:"^1.0.0"\`\n${jsx}`, file)[0]!.tag, file).toEqual({ ver: '^1.0.0' });
    }
  });

  it('ignores ordinary comments, tags on the next line, and non-gopkgr imports without tags', () => {
    const text = 'import { a } from "@acme/x"; // pads strings\nimport { b } from "@acme/y";\n// `ver:"^1.0.0"`\nimport fs from "node:fs";\nimport React from "react";\n';
    expect(tagsOf(text)).toEqual([
      { name: '@acme/x', subpath: '', typeOnly: false, line: 1 },
      { name: '@acme/y', subpath: '', typeOnly: false, line: 2 },
    ]);
  });

  it('a backquote inside a string of the code is not a tag', () => {
    expect(tagsOf('import { a } from "@acme/x";\nconst s = "// `ver:\\"9\\"`";\n')).toEqual([{ name: '@acme/x', subpath: '', typeOnly: false, line: 1 }]);
  });
});

describe('parseTags: npm tags', () => {
  it('an npm package, scoped or not, with a subpath, is npm:<name> with its range', () => {
    const text = [
      'import { z } from "zod"; // `npm:"^3.23.0"`',
      'import type { Stats } from "@types/node/fs"; // `npm:"20.x"`',
      'import chalk from "chalk" // `npm:"^4.1.0"` colours',
    ].join('\n');
    expect(tagsOf(text)).toEqual([
      { name: 'npm:zod', subpath: '', typeOnly: false, line: 1, tag: { npm: '^3.23.0' } },
      { name: 'npm:@types/node', subpath: '/fs', typeOnly: true, line: 2, tag: { npm: '20.x' } },
      { name: 'npm:chalk', subpath: '', typeOnly: false, line: 3, tag: { npm: '^4.1.0' } },
    ]);
  });

  it('collectRequirements keeps npm ranges apart from the solver\'s requirements', () => {
    const r = collectRequirements([
      ...parseTags('a.ts', 'import { z } from "zod"; // `npm:"^3.23.0"`\nimport { x } from "@acme/x"; // `ver:"^1.0.0"`\n'),
      ...parseTags('b.ts', 'import "@scope/pkg"; // `npm:"~1.2.0"`\nimport "@scope/pkg/sub";\n'),
    ]);
    expect(r.requirements.map((q) => q.name)).toEqual(['@acme/x']);
    expect(r.npm).toEqual([{ name: 'zod', range: '^3.23.0', origin: 'a.ts:1' }, { name: '@scope/pkg', range: '~1.2.0', origin: 'b.ts:1' }]);
    expect(r.untagged).toEqual([]);
  });

  it.each([
    ['a dist-tag instead of a range', 'import { z } from "zod"; // `npm:"latest"`', 'src/app.ts:1:30: npm "latest" is not a semver range'],
    ['npm with ver', 'import { z } from "zod"; // `npm:"^3" ver:"^3"`', 'src/app.ts:1:29: npm cannot be combined with ver'],
    ['npm with a hashlock', `import { z } from "zod"; // \`npm:"^3" hash:"${HASH}"\``, 'npm cannot be combined with hash'],
    ['a relative import', 'import { a } from "./a.ts"; // `npm:"^1"`', 'src/app.ts:1:32: npm tag on an import of "./a.ts", which is not an npm package name'],
    ['a node builtin', 'import fs from "node:fs"; // `npm:"^1"`', 'npm tag on an import of "node:fs"'],
    ['an uppercase name', 'import x from "Chalk"; // `npm:"^4"`', 'npm tag on an import of "Chalk"'],
  ])('TAG_MALFORMED: %s', (_, text, message) => {
    expect(malformed(`${text}\n`)).toContain(message);
  });
});

describe('parseTags: TAG_MALFORMED names file:line:col', () => {
  const line = (tag: string): string => `import { a } from "@acme/x"; // ${tag}\n`;
  it.each([
    ['unterminated tag', '`ver:"^1.0.0"', 'src/app.ts:1:33: unterminated tag'],
    ['missing quotes', '`ver:^1.0.0`', 'src/app.ts:1:38: expected a double-quoted value after "ver:"'],
    ['unknown key', '`vers:"^1.0.0"`', 'src/app.ts:1:34: unknown key "vers"'],
    ['repeated key', '`ver:"1" ver:"2"`', 'src/app.ts:1:42: "ver" is given twice'],
    ['bad range', '`ver:"^^1"`', 'src/app.ts:1:34: ver "^^1" is not a semver range'],
    ['bad hash', '`hash:"abc"`', 'src/app.ts:1:34: hash "abc" is not a sha256'],
    ['empty tag', '``', 'src/app.ts:1:33: empty tag'],
    ['no space between pairs', '`ver:"1"hash:"x"`', 'src/app.ts:1:41: expected a space between'],
    ['uppercase key', '`VER:"1"`', 'src/app.ts:1:34: expected a key'],
  ])('%s', (_, tag, message) => {
    expect(malformed(line(tag))).toContain(message);
  });

  it('a tag on an import that is not @ns/name, on a later line', () => {
    expect(malformed('const a = 1;\n\nimport fs from "node:fs"; // `ver:"1"`\n', 'lib/x.mts')).toBe(
      'lib/x.mts:3:30: tag on an import of "node:fs", which is not a gopkgr package (@namespace/name)',
    );
  });

  it('the column of a problem inside a multi-line import', () => {
    expect(malformed('import {\n  a,\n} from "@acme/x"; // `ver:"1" hash:"zz"`\n')).toContain('src/app.ts:3:31: hash "zz"');
  });
});

describe('scanSources and collectRequirements', () => {
  it('walks the project, skipping node_modules, dot dirs, declarations and built .js beside .ts', async () => {
    const dir = await tempDir('gopkgr-tags-');
    const t = (range: string): string => `import { a } from "@acme/x"; // \`ver:"${range}"\`\n`;
    await mkdir(join(dir, 'src/deep'), { recursive: true });
    await mkdir(join(dir, 'node_modules/@acme/x'), { recursive: true });
    await mkdir(join(dir, '.cache'), { recursive: true });
    await writeFile(join(dir, 'src/app.ts'), t('^1.0.0'));
    await writeFile(join(dir, 'src/app.js'), t('^9.0.0'));
    await writeFile(join(dir, 'src/app.d.ts'), t('^8.0.0'));
    await writeFile(join(dir, 'src/deep/more.mjs'), t('>=1.1.0'));
    await writeFile(join(dir, 'node_modules/@acme/x/index.ts'), t('^7.0.0'));
    await writeFile(join(dir, '.cache/x.ts'), t('^6.0.0'));
    const found = await scanSources(dir);
    expect(found.map((f) => `${f.file}:${f.tag?.ver}`)).toEqual(['src/app.ts:^1.0.0', 'src/deep/more.mjs:>=1.1.0']);
    const { requirements } = collectRequirements(found);
    expect(requirements).toEqual([
      { name: '@acme/x', range: '^1.0.0', origin: 'src/app.ts:1' },
      { name: '@acme/x', range: '>=1.1.0', origin: 'src/deep/more.mjs:1' },
    ]);
    expect(depsOf(requirements)).toEqual({ '@acme/x': '^1.0.0 >=1.1.0' });
  });

  it('with a cache dir, keeps each file\'s imports by its content hash and parses only what changed', async () => {
    const dir = await tempDir('gopkgr-tags-');
    const cacheDir = await tempDir('gopkgr-tagcache-');
    const t = (range: string): string => `import { a } from "@acme/x"; // \`ver:"${range}"\`\n`;
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'src/a.ts'), t('^1.0.0'));
    await writeFile(join(dir, 'src/b.ts'), t('^2.0.0'));
    const first = await scanSources(dir, { cacheDir });
    expect(await scanSources(dir)).toEqual(first);
    const [cacheFile] = await readdir(join(cacheDir, 'tags'));
    const cache = JSON.parse(await readFile(join(cacheDir, 'tags', cacheFile!), 'utf8')) as { files: Record<string, { sha256: string; imports: unknown[] }> };
    expect(Object.keys(cache.files)).toEqual(['src/a.ts', 'src/b.ts']);

    // The cache is what is read for an unchanged file: an entry edited in the cache shows through...
    cache.files['src/b.ts']!.imports = [];
    await writeFile(join(cacheDir, 'tags', cacheFile!), JSON.stringify(cache));
    expect((await scanSources(dir, { cacheDir })).map((f) => f.tag?.ver)).toEqual(['^1.0.0']);
    // ...and a changed file is parsed again, errors included.
    await writeFile(join(dir, 'src/b.ts'), t('^3.0.0'));
    expect((await scanSources(dir, { cacheDir })).map((f) => f.tag?.ver)).toEqual(['^1.0.0', '^3.0.0']);
    await writeFile(join(dir, 'src/a.ts'), 'import { a } from "@acme/x"; // `ver:"not a range"`\n');
    await expect(scanSources(dir, { cacheDir })).rejects.toThrow(/src\/a\.ts:1:\d+/);
    // A deleted file leaves the cache too.
    await rm(join(dir, 'src/a.ts'));
    expect((await scanSources(dir, { cacheDir })).map((f) => f.file)).toEqual(['src/b.ts']);
    const after = JSON.parse(await readFile(join(cacheDir, 'tags', cacheFile!), 'utf8')) as { files: Record<string, unknown> };
    expect(Object.keys(after.files)).toEqual(['src/b.ts']);
  });

  it('two different hashlocks on one package are TAG_CONFLICT', () => {
    const imports = [...parseTags('a.ts', `import "@acme/x"; // \`hash:"${HASH}"\`\n`), ...parseTags('b.ts', `import "@acme/x"; // \`hash:"${'cd'.repeat(32)}"\`\n`)];
    expect(() => collectRequirements(imports)).toThrow(/b\.ts:1: hashlock cdcdcdcdcdcd… on @acme\/x differs from abababababab… at a\.ts:1/);
  });

  it('untagged imports of packages nobody tags are listed apart', () => {
    const r = collectRequirements(parseTags('a.ts', 'import "@acme/x";\nimport "@acme/y"; // `ver:"^1.0.0"`\nimport "@acme/y/sub";\n'));
    expect(r.untagged).toEqual(['@acme/x']);
    expect(r.requirements.map((q) => q.name)).toEqual(['@acme/y']);
  });
});
