/**
 * The TypeScript compiler through V8's code cache (infver/typescript.ts): in a
 * fresh process, a cache made by typescriptCodeCache loads a working compiler,
 * registered in require's cache (so a later `require('typescript')` gets the
 * same copy); a damaged cache is ignored and the compiler still works; no cache
 * file means a plain require.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { typescriptCodeCache } from '../../infver/typescript.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';
import { REPO } from '../support/processes.ts';

const run = promisify(execFile);

/** In a fresh process: load through `cache`, parse a tagged import, and say what happened. */
async function loadIn(cache: string): Promise<{ loaded: boolean; sameAsRequire: boolean; statements: number }> {
  const script = [
    "import { createRequire } from 'node:module';",
    `const { loadWithCodeCache } = await import(${JSON.stringify(path.join(REPO, 'infver/typescript.ts'))});`,
    `const ts = loadWithCodeCache(${JSON.stringify(cache)});`,
    "const sf = ts?.createSourceFile('a.ts', \"import { x } from '@a/b'; // `ver:\\\"^1.0.0\\\"`\\nexport const y = x;\\n\", ts.ScriptTarget.Latest, true);",
    "const again = ts === undefined ? undefined : createRequire(import.meta.url)('typescript');",
    'console.log(JSON.stringify({ loaded: ts !== undefined, sameAsRequire: ts !== undefined && again === ts, statements: sf?.statements.length ?? 0 }));',
  ].join('\n');
  const out = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO });
  return JSON.parse(out.stdout) as { loaded: boolean; sameAsRequire: boolean; statements: number };
}

describe('TypeScript through its code cache', () => {
  afterAll(closeAll);

  it('loads a working compiler from a fresh cache and from a damaged one; without a file it leaves the load to require', async () => {
    const dir = await tempDir('gopkgr-tscache-');
    const good = path.join(dir, 'good.codecache');
    const bytes = typescriptCodeCache("import { x } from '@a/b';\n");
    expect(bytes.length).toBeGreaterThan(100_000);
    await writeFile(good, bytes);
    const damaged = path.join(dir, 'damaged.codecache');
    await writeFile(damaged, Buffer.from(bytes.subarray(0, 1000)).fill(7, 100));
    expect(await loadIn(good)).toEqual({ loaded: true, sameAsRequire: true, statements: 2 });
    expect(await loadIn(damaged)).toEqual({ loaded: true, sameAsRequire: true, statements: 2 });
    expect(await loadIn(path.join(dir, 'none.codecache'))).toEqual({ loaded: false, sameAsRequire: false, statements: 0 });
  }, 120_000);
});
