/**
 * One version's runs: fetch its tarball and every locked dependency (each
 * checked against its hash), run its tests in the sandbox and, InfVer 2.0, run
 * the previous version's tests against its sources with its locked deps
 * (tester/predecessor.ts says which files).
 */
import { predecessorOf } from '../../ledger/index.ts';
import { extractTarball } from '../extract.ts';
import type { Outcome } from '../outcome.ts';
import { predecessorRunFiles } from '../predecessor.ts';
import { runTests } from '../runTests.ts';
import { findTestFiles } from '../testFiles.ts';
import type { AttestNode, VersionView } from './node.ts';

export interface PrevRun {
  version: string;
  outcome: Outcome;
}

export interface VersionRun {
  version: VersionView;
  outcome: Outcome;
  runtimeMs: number;
  prev?: PrevRun;
}

async function fetchFiles(node: AttestNode, hash: string): Promise<Map<string, string>> {
  return extractTarball(await node.blob(hash), hash);
}

/** The runs for `name@version`, or undefined when `tester` has attested it already. */
export async function testVersion(node: AttestNode, tester: string, name: string, version: string): Promise<VersionRun | undefined> {
  const v = await node.version(name, version);
  if (v.attestations.some((a) => a.tester === tester)) return undefined;
  const files = await fetchFiles(node, v.contentHash);
  const deps = new Map<string, Map<string, string>>();
  for (const [spec, hash] of Object.entries(v.lock)) deps.set(spec.slice(0, spec.lastIndexOf('@')), await fetchFiles(node, hash));
  const start = Date.now();
  const outcome = await runTests({ files, deps });
  const runtimeMs = Date.now() - start;
  const prev = await predecessorRun(node, name, v, files, deps);
  return { version: v, outcome, runtimeMs, ...(prev === undefined ? {} : { prev }) };
}

/** The version `v` stepped from (its major line's newest before it), when it has tests: those tests against `v`'s sources. */
async function predecessorRun(node: AttestNode, name: string, v: VersionView, files: Map<string, string>, deps: Map<string, Map<string, string>>): Promise<PrevRun | undefined> {
  const history = await node.versions(name);
  const prevVersion = predecessorOf(history.map((x) => x.version), v.version);
  const before = history.find((x) => x.version === prevVersion);
  if (before === undefined) return undefined;
  const prevFiles = await fetchFiles(node, before.contentHash);
  if (findTestFiles(prevFiles).length === 0) return undefined;
  const run = predecessorRunFiles(prevFiles, files);
  return { version: before.version, outcome: await runTests({ files: run.files, deps, testFiles: run.testFiles }) };
}
