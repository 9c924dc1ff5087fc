/**
 * InfVer extraction against @microsoft/api-extractor on the same input.
 *
 * Input: rxjs's declaration tree (`dist/types`, ~190 .d.ts files, ~230
 * exports), copied into a temp package whose `types` points at its index.
 * Both tools run in this process, warmed up once, then RUNS times each;
 * medians are printed. api-extractor produces its API report (its closest
 * equivalent to a manifest); doc model, rollup and tsdoc metadata are off.
 * api-extractor needs lib `dom` (rxjs refers to `setTimeout`; it throws on
 * an unresolved global), InfVer records unresolved globals by name.
 * Then `infver diff` of that package against a modified copy (a parameter
 * made optional, an export added) is timed the same way.
 *
 * The last line is the ratio `infver/api-extractor` (goal ≤ 0.5; diff goal < 2 s).
 * Run: npx tsx bench/infver.ts [runs]
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';
import type { IConfigFile } from '@microsoft/api-extractor';
import { diffPackages, extractManifest } from '../infver/index.ts';

const RUNS = Number(process.argv[2] ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const require = createRequire(import.meta.url);
const rxjsTypes = join(require.resolve('rxjs/package.json'), '..', 'dist', 'types');
const rxjsVersion = (JSON.parse(readFileSync(require.resolve('rxjs/package.json'), 'utf8')) as { version: string }).version;

const work = mkdtempSync(join(tmpdir(), 'infver-bench-'));
const oldDir = join(work, 'old');
const newDir = join(work, 'new');
const reportDir = join(work, 'report');
for (const dir of [oldDir, newDir]) {
  cpSync(rxjsTypes, dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'rxjs', version: rxjsVersion, types: 'index.d.ts' }));
}
// The "new version": one widened call and one new export.
const firstValueFrom = join(newDir, 'internal', 'firstValueFrom.d.ts');
writeFileSync(
  firstValueFrom,
  readFileSync(firstValueFrom, 'utf8').replace('config: FirstValueFromConfig<D>', 'config?: FirstValueFromConfig<D>'),
);
writeFileSync(join(newDir, 'index.d.ts'), `${readFileSync(join(newDir, 'index.d.ts'), 'utf8')}\nexport declare const benchAdded: number;\n`);

function apiExtractor(): void {
  const configObject: IConfigFile = {
    projectFolder: oldDir,
    mainEntryPointFilePath: join(oldDir, 'index.d.ts'),
    compiler: {
      overrideTsconfig: {
        compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, skipLibCheck: true, types: [], lib: ['es2023', 'dom'] },
        files: [join(oldDir, 'index.d.ts')],
      },
    },
    apiReport: { enabled: true, reportFolder: reportDir, reportTempFolder: reportDir, reportFileName: 'rxjs' },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      extractorMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
    },
  };
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: join(oldDir, 'api-extractor.json'),
    packageJsonFullPath: join(oldDir, 'package.json'),
  });
  const result = Extractor.invoke(config, {
    localBuild: true,
    messageCallback: (m) => {
      m.handled = true;
    },
  });
  if (!result.succeeded && result.errorCount > 0) throw new Error(`api-extractor failed with ${result.errorCount} errors`);
}

try {
  // Warm-up: module loading (ts-morph's TypeScript, api-extractor's own) is not what we compare.
  const manifest = await extractManifest(oldDir);
  apiExtractor();
  const infverTimes: number[] = [];
  const aeTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved so that machine noise hits both alike.
    infverTimes.push(await time(() => extractManifest(oldDir)));
    aeTimes.push(await time(apiExtractor));
  }
  const diffTimes: number[] = [];
  let bump = '';
  for (let i = 0; i < RUNS; i++) {
    diffTimes.push(
      await time(async () => {
        bump = (await diffPackages(oldDir, newDir)).bump;
      }),
    );
  }
  const report = readFileSync(join(reportDir, 'rxjs.api.md'), 'utf8');
  const infver = median(infverTimes);
  const ae = median(aeTimes);
  console.log(`input: rxjs ${rxjsVersion} dist/types (${manifest.exports.length} exports; manifest ${JSON.stringify(manifest).length} bytes as JSON; api-extractor report ${report.split('\n').length} lines)`);
  console.log(`runs: ${RUNS} each, medians`);
  console.log(`infver api: ${infver.toFixed(0)} ms`);
  console.log(`api-extractor: ${ae.toFixed(0)} ms`);
  console.log(`infver diff (two versions, bump ${bump}): ${median(diffTimes).toFixed(0)} ms`);
  console.log(`ratio infver/api-extractor: ${(infver / ae).toFixed(2)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
