/**
 * Publish checks: would a consumer be able to load this release? Run on the
 * packed tarball installed into a throwaway consumer project (consumer.ts), in
 * the spirit of publint and arethetypeswrong:
 * 1. every entry point (main, types, bin, each exports subpath and condition)
 *    names a file the install writes, exactly (no extension or index fallback,
 *    which node deprecates: DEP0151), and no runtime entry is a .ts source;
 * 2. node `import()`s each importable subpath, and `require()`s it where a
 *    `require` condition says CommonJS consumers may (one child process,
 *    which runs while this process does 3);
 * 3. tsc type-checks `import * as m from "<name>/<subpath>"` under node16,
 *    nodenext and bundler resolution.
 * Each failure carries a code, the entry it is about, and the fix.
 */
import { GopkgrError, type ErrorCode } from '../../../ledger/index.ts';
import { isTsSource } from '../../sourceFiles.ts';
import { installIntoConsumer } from './consumer.ts';
import { entryPoints, importableSubpaths, reachableBy, type EntryPoint } from './entryPoints.ts';
import { startLoadingEntries, type LoadRequest } from './runtime.ts';
import { typecheckImports, type TypeResult } from './typecheck.ts';

export interface PublishCheck {
  name: string;
  ok: boolean;
  detail: string;
  code?: ErrorCode;
  hint?: string;
}

export interface CheckInput {
  /** '@ns/name' */
  fullName: string;
  tarball: Uint8Array;
  /** the package.json that went into the tarball */
  packageJson: Record<string, unknown>;
  /** the package directory (its node_modules supply the package's own dependencies) */
  dir: string;
  /** another directory whose node_modules holds the package's tagged dependencies (publish/installDependencies.ts), looked in first */
  dependencies?: string;
}

export async function runPublishChecks(input: CheckInput): Promise<PublishCheck[]> {
  const consumer = await installIntoConsumer(input.fullName, input.tarball, [...(input.dependencies === undefined ? [] : [input.dependencies]), input.dir]);
  try {
    const entries = entryPoints(input.packageJson, consumer.files);
    const checks = entries.map((e) => resolveCheck(e, consumer.files));
    const subpaths = importableSubpaths(entries);
    const specifier = (sub: string): string => (sub === '.' ? input.fullName : `${input.fullName}/${sub.slice(2)}`);

    const loads: LoadRequest[] = [];
    for (const sub of subpaths) {
      const runtime = entries.filter((e) => e.subpath === sub && e.kind === 'runtime');
      if (runtime.some((e) => reachableBy(e, 'import'))) loads.push({ specifier: specifier(sub), mode: 'import' });
      if (runtime.some((e) => e.conditions.includes('require') && reachableBy(e, 'require'))) loads.push({ specifier: specifier(sub), mode: 'require' });
    }
    // node loads the entries in its own process while this one type-checks them.
    const loading = startLoadingEntries(consumer.dir, loads);
    let typed: TypeResult[];
    try {
      typed = typecheckImports(consumer.dir, subpaths.map(specifier));
    } catch (err) {
      loading.cancel();
      throw err;
    }
    const loaded = await loading.collect();
    for (const r of loaded.results) {
      // Name files as a consumer sees them, not by the temporary directory.
      if (r.error !== undefined) r.error = r.error.split(`${consumer.dir}/`).join('');
      const name = `node ${r.mode}(${JSON.stringify(r.specifier)})`;
      checks.push(r.error === undefined
        ? { name, ok: true, detail: 'loads' }
        : { name, ok: false, detail: r.error, code: 'PUBLISH_ENTRY_LOAD_FAILED', hint: 'node cannot load this entry from an installed copy: point it at a packed .js that runs, and pack the files it imports' });
    }
    const deprecated = loaded.warnings.filter((w) => w.startsWith('DEP0151'));
    if (deprecated.length > 0) {
      checks.push({ name: 'node warnings', ok: false, detail: deprecated.join('; '), code: 'PUBLISH_ENTRY_FALLBACK', hint: 'write main as the exact file (e.g. "./dist/index.js"), or use exports' });
    }

    for (const t of typed) {
      const name = `tsc ${t.resolution} import ${JSON.stringify(t.specifier)}`;
      if (t.error === undefined) checks.push({ name, ok: true, detail: 'type-checks' });
      else if (t.code === 7016) checks.push({ name, ok: false, detail: t.error, code: 'PUBLISH_TYPES_MISSING', hint: 'ship declarations: a "types" condition (first in its object) or a .d.ts beside the .js' });
      else if (t.code === 2307) checks.push({ name, ok: false, detail: t.error, code: 'PUBLISH_TYPES_UNRESOLVED', hint: 'the entry or its "types" names a file that is not in the package; fix the path or pack the file' });
      else checks.push({ name, ok: false, detail: t.error, code: 'PUBLISH_TYPES_ERROR', hint: 'consumers\' tsc reports this at the import; fix the entry\'s declarations or conditions' });
    }
    return checks;
  } finally {
    await consumer.cleanup();
  }
}

function resolveCheck(e: EntryPoint, files: ReadonlySet<string>): PublishCheck {
  const name = `resolve ${e.field}`;
  if (e.target.includes('*')) {
    const [head, tail] = [e.target.slice(0, e.target.indexOf('*')), e.target.slice(e.target.indexOf('*') + 1)];
    const match = [...files].find((f) => f.length >= head.length + tail.length && f.startsWith(head) && f.endsWith(tail));
    return match !== undefined
      ? { name, ok: true, detail: `${e.target} matches ${match} (and any others)` }
      : { name, ok: false, detail: `${e.target} matches no file of the installed package`, code: 'PUBLISH_ENTRY_MISSING', hint: 'fix the pattern, or build and pack the files it names' };
  }
  if (files.has(e.target)) {
    if (e.kind === 'runtime' && isTsSource(e.target)) return tsEntry(name, e);
    return { name, ok: true, detail: `resolves to ${e.target}` };
  }
  if (e.kind === 'runtime' && isTsSource(e.target)) return tsEntry(name, e);
  if (e.field === 'main' && ['.js', '.json', '.node', '/index.js'].some((x) => files.has(`${e.target.replace(/\/$/, '')}${x}`))) {
    return { name, ok: false, detail: `main "${e.target}" is no file; node finds one only through a deprecated fallback (DEP0151) and ES module resolution not at all`, code: 'PUBLISH_ENTRY_FALLBACK', hint: 'write main as the exact file, extension included' };
  }
  return {
    name, ok: false, detail: `${e.target} is not in the installed package`, code: 'PUBLISH_ENTRY_MISSING',
    hint: 'build it before publishing (or set outDir in tsconfig.json and let gopkgr build it), check the path, and make sure the files field of package.json does not leave it out',
  };
}

function tsEntry(name: string, e: EntryPoint): PublishCheck {
  return {
    name, ok: false, detail: `${e.target} is a TypeScript source: node does not load .ts from node_modules, and the install leaves sources with declarations out`,
    code: 'PUBLISH_ENTRY_TYPESCRIPT', hint: 'point it at the compiled .js (gopkgr rewrites a .ts entry it builds; this one it did not: is the file packed, and not a test file?)',
  };
}

/** The refusal for a release whose checks failed: one line, the first failure with its code and fix, and how many more. */
export function checksError(checks: readonly PublishCheck[]): GopkgrError | undefined {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) return undefined;
  const first = failed[0]!;
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more failed check${failed.length === 2 ? '' : 's'})` : '';
  return new GopkgrError(first.code ?? 'PUBLISH_ENTRY_MISSING', `consumers could not load this release: ${first.name}: ${first.detail}${more}`, {
    hint: `${first.hint ?? ''}; \`gopkgr publish --dry-run\` lists every check`,
  });
}
