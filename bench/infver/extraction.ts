/**
 * InfVer's API extraction against @microsoft/api-extractor on the same input.
 *
 * Input: rxjs's declaration tree (`dist/types`, ~190 .d.ts files, ~230
 * exports), copied into a temp package whose `types` points at its index.
 * Both tools run in this process, warmed up once (module loading, the project's
 * TypeScript and api-extractor's own, is not what is compared), then `runs`
 * times each, interleaved so that machine noise hits both alike.
 * api-extractor produces its API report (its closest equivalent to a
 * manifest); doc model, rollup and tsdoc metadata are off. It needs lib `dom`
 * (rxjs refers to `setTimeout`; it throws on an unresolved global), InfVer
 * records unresolved globals by name.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';
import type { IConfigFile } from '@microsoft/api-extractor';
import { extractManifest } from '../../infver/index.ts';
import { median, time } from './stats.ts';

export interface ExtractionFigures {
  rxjsVersion: string;
  exports: number;
  manifestBytes: number;
  reportLines: number;
  runs: number;
  /** medians, ms */
  infverMs: number;
  apiExtractorMs: number;
}

function runApiExtractor(dir: string, reportDir: string): void {
  const configObject: IConfigFile = {
    projectFolder: dir,
    mainEntryPointFilePath: join(dir, 'index.d.ts'),
    compiler: {
      overrideTsconfig: {
        compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, skipLibCheck: true, types: [], lib: ['es2023', 'dom'] },
        files: [join(dir, 'index.d.ts')],
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
    configObjectFullPath: join(dir, 'api-extractor.json'),
    packageJsonFullPath: join(dir, 'package.json'),
  });
  const result = Extractor.invoke(config, {
    localBuild: true,
    messageCallback: (m) => {
      m.handled = true;
    },
  });
  if (!result.succeeded && result.errorCount > 0) throw new Error(`api-extractor failed with ${result.errorCount} errors`);
}

/** Extract rxjs's API with InfVer and with api-extractor, `runs` times each after one warm-up. */
export async function measureExtraction(runs: number): Promise<ExtractionFigures> {
  const require = createRequire(import.meta.url);
  const rxjsPackage = require.resolve('rxjs/package.json');
  const rxjsVersion = (JSON.parse(readFileSync(rxjsPackage, 'utf8')) as { version: string }).version;
  const work = mkdtempSync(join(tmpdir(), 'infver-bench-'));
  try {
    const dir = join(work, 'rxjs');
    const reportDir = join(work, 'report');
    cpSync(join(rxjsPackage, '..', 'dist', 'types'), dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'rxjs', version: rxjsVersion, types: 'index.d.ts' }));
    const manifest = await extractManifest(dir);
    runApiExtractor(dir, reportDir);
    const infverTimes: number[] = [];
    const aeTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      infverTimes.push(await time(() => extractManifest(dir)));
      aeTimes.push(await time(() => runApiExtractor(dir, reportDir)));
    }
    return {
      rxjsVersion,
      exports: manifest.exports.length,
      manifestBytes: JSON.stringify(manifest).length,
      reportLines: readFileSync(join(reportDir, 'rxjs.api.md'), 'utf8').split('\n').length,
      runs,
      infverMs: median(infverTimes),
      apiExtractorMs: median(aeTimes),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
