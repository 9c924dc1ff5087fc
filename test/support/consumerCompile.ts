/**
 * Compile a consumer file against one unpacked release, the way a user's
 * project would see it: the package sits in node_modules under its own name,
 * and tsc resolves it (exports, conditions, typesVersions, main, implicit
 * index.d.ts) under --strict. By default the consumer is an ES module under
 * node16 resolution (what a Node project sees); `bundler` and `node10` serve
 * releases whose typings only resolve that way (no `types` for the exports a
 * node16 consumer takes, or CJS typings with a default export).
 * Used by the real-release corpus (test/infver/corpusTruth.test.ts).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import ts from 'typescript';

/** How the consumer resolves the package. */
export type Resolution = 'node16' | 'bundler' | 'node10';

const RESOLUTION: Record<Resolution, Pick<ts.CompilerOptions, 'module' | 'moduleResolution'>> = {
  node16: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  bundler: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
  node10: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Node10 },
};

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  ...RESOLUTION.node16,
  skipLibCheck: true,
  types: [],
  // Some packages name DOM globals (AbortSignal, Response) in their declarations.
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
};

// TypeScript's own lib files are parsed once for every program of the process.
const libCache = new Map<string, ts.SourceFile>();
const host = ts.createCompilerHost(options);
const readSource = host.getSourceFile.bind(host);
host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
  if (!fileName.includes('/typescript/lib/')) return readSource(fileName, languageVersion, onError, shouldCreate);
  let sf = libCache.get(fileName);
  if (!sf) {
    sf = readSource(fileName, languageVersion, onError, shouldCreate);
    if (sf) libCache.set(fileName, sf);
  }
  return sf;
};

export interface ConsumerError {
  code: string;
  message: string;
}

/**
 * The errors tsc reports in `consumer` (a .ts file importing `name`) when the
 * package `name` is the release unpacked in `packageDir`. Empty: it compiles.
 */
export function consumerErrors(name: string, packageDir: string, consumer: string, resolution: Resolution = 'node16'): ConsumerError[] {
  const project = mkdtempSync(join(tmpdir(), 'gopkgr-consumer-'));
  try {
    // An ESM consumer: `import` conditions, and `export =` packages arrive as default imports.
    writeFileSync(join(project, 'package.json'), '{"type":"module"}\n');
    const link = join(project, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(resolve(packageDir), link, 'dir');
    // The consumer keeps its extension: a .cts witness is a CommonJS consumer (`import x = require(...)`).
    const file = join(project, `consumer${extname(consumer)}`);
    copyFileSync(consumer, file);
    const program = ts.createProgram([file], { ...options, ...RESOLUTION[resolution] }, host);
    const sf = program.getSourceFile(file)!;
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => ({
      code: `TS${d.code}`,
      message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
    }));
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
