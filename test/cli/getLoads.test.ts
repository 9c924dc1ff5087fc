/**
 * What loading `gopkgr get` costs: its module graph must not load the
 * TypeScript compiler (a 9 MB file, ~1.3 s of a warm `get --offline` on a busy
 * machine). Only a source whose text changed needs the tag parser, which
 * scanSources imports when it does; gopkgr.json's name checks
 * (cli/tags/specifiers.ts) need no compiler.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../support/processes.ts';
import { closeAll, tempDir } from '../support/cleanup.ts';

afterEach(closeAll);

const run = promisify(execFile);

describe('the modules of gopkgr get', () => {
  it('do not load typescript', async () => {
    const script = [
      "import { createRequire } from 'node:module';",
      `await import(${JSON.stringify(path.join(REPO, 'cli/commands/get.ts'))});`,
      'const cache = createRequire(import.meta.url).cache;',
      "console.log(JSON.stringify(Object.keys(cache).filter((k) => k.includes('/node_modules/typescript/'))));",
    ].join('\n');
    const out = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO });
    expect(JSON.parse(out.stdout)).toEqual([]);
  });

  it('do not load typescript to read the tags of plain sources the first time (cli/tags/scanImports.ts)', async () => {
    const project = await tempDir();
    await mkdir(path.join(project, 'src'));
    await writeFile(path.join(project, 'src/app.ts'), 'import { a } from "@acme/x"; // `ver:"^1.0.0"`\nexport const b = (a() + 1) / 2;\n');
    const script = [
      "import { createRequire } from 'node:module';",
      `const { scanSources } = await import(${JSON.stringify(path.join(REPO, 'cli/tags/scanSources.ts'))});`,
      `const imports = await scanSources(${JSON.stringify(project)}, { cacheDir: ${JSON.stringify(path.join(project, '.data'))} });`,
      'const cache = createRequire(import.meta.url).cache;',
      "console.log(JSON.stringify({ names: imports.map((i) => i.name), ts: Object.keys(cache).filter((k) => k.includes('/node_modules/typescript/')) }));",
    ].join('\n');
    const out = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO });
    expect(JSON.parse(out.stdout)).toEqual({ names: ['@acme/x'], ts: [] });
  });
});
