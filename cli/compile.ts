/**
 * In-memory TypeScript compilation for `gopkgr publish` (see DESIGN.md, "Tarballs").
 *
 * A tarball carries a package's `.ts` sources plus the `.js` and `.d.ts` that tsc
 * emits beside each one (no outDir), so consumers run it with plain `node` and
 * type-check it with `tsc`. This module only compiles: it reads the package
 * directory through the TypeScript compiler host and never writes to it; every
 * output is captured by a custom `writeFile`.
 *
 * Options: the package's own tsconfig.json (if any) supplies the options that
 * change meaning (strictness, jsx, lib, types, paths, decorators, ...). These are
 * forced, each for the reason next to it in `forcedOptions`:
 *   target ES2022, module/moduleResolution NodeNext, declaration, no outFile, no
 *   source or declaration maps, no build info, LF newlines, no BOM,
 *   rewriteRelativeImportExtensions.
 * Where outputs go (BuildLayout): beside each source, unless tsconfig.json sets
 * `outDir`; then where `tsc -p` puts them: `outDir` (declarations in
 * `declarationDir` if set) mirroring `rootDir`, or, without `rootDir`, the
 * common directory of the files the tsconfig includes (tsc's own default).
 * Every one of these must lie inside the package. The compiler host's current
 * directory is the package, so type roots (`node_modules/@types`) and relative
 * paths resolve from the package wherever `gopkgr publish` is run.
 * Output format follows NodeNext: a `.ts` file is ESM when the nearest package.json
 * says `"type": "module"` (CommonJS otherwise, as tsc itself does), `.mts` is ESM,
 * `.cts` is CommonJS.
 */
import path from 'node:path';
import { GopkgrError } from '../ledger/index.ts';
import { shareLibFiles } from '../infver/sourceFileCache.ts';
import { expectedOutputs, isDeclarationFile } from './sourceFiles.ts';
import { typescript } from '../infver/typescript.ts';
import type * as TS from 'typescript';

/** How many diagnostics the PACK_COMPILE_ERROR message lists; the rest are counted. */
const MAX_REPORTED_DIAGNOSTICS = 5;

export interface CompileInput {
  /** Absolute package directory. */
  dir: string;
  /** Package-relative POSIX paths of every TypeScript file the program should see as a root. */
  roots: readonly string[];
  /** Package-relative POSIX paths of the sources to emit (a subset of roots). */
  emit: readonly string[];
  /** where outputs go (readBuildLayout); beside the sources when absent */
  layout?: BuildLayout;
  /**
   * A directory whose node_modules holds the package's tagged dependencies
   * (publish/installDependencies.ts): a bare import of a package installed
   * there resolves there, as if the package were beside it.
   */
  modulesRoot?: string;
}

/** Where tsc puts a package's outputs: package-relative POSIX directories ('' is the package root). */
export interface BuildLayout {
  /** tsconfig's outDir; undefined: outputs beside their sources */
  outDir?: string;
  /** the directory outDir mirrors (tsconfig's rootDir, else the common directory of `projectFiles`) */
  rootDir?: string;
  /** tsconfig's declarationDir, if set (with outDir) */
  declarationDir?: string;
  /** the files tsconfig.json includes (package-relative), the sources tsc -p would build */
  projectFiles: string[];
}

/** An emitted file: package-relative POSIX path, its text, and the source it came from. */
export interface EmittedFile {
  path: string;
  text: string;
  source: string;
}

/**
 * Type-check and emit `input.emit` in memory. Throws PACK_TSCONFIG_INVALID for a
 * broken tsconfig.json and PACK_COMPILE_ERROR (first few diagnostics as
 * `file:line:col: message`) for errors in the emitted sources. Sources not being
 * emitted (already shipped built) are loaded for types but not reported on.
 * Returns the outputs sorted by path.
 */
export function compileSources(input: CompileInput): EmittedFile[] {
  const ts = typescript();
  const dir = path.resolve(input.dir);
  if (input.emit.length === 0) return [];
  const options = { ...readConfig(dir).options, ...forcedOptions(), ...layoutOptions(dir, input.layout) };
  const host = ts.createCompilerHost(options);
  // Type roots, `types` and relative options resolve from here: the package, not wherever publish runs.
  host.getCurrentDirectory = () => dir;
  // As tsc does: JSDoc in TypeScript files is not parsed (only @see/@link), since it changes no type, error or output.
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  // The libs are parsed once for this program and the publish checks' (sourceFileCache.ts).
  shareLibFiles(host, options);
  if (input.modulesRoot !== undefined) resolveDependenciesFrom(host, options, dir, input.modulesRoot);
  const outputs = new Map<string, EmittedFile>();
  let currentSource = '';
  host.writeFile = (fileName: string, text: string): void => {
    const rel = toRel(dir, fileName);
    // Anything outside the package would mean an option we failed to neutralise.
    if (rel === null) throw new GopkgrError('PACK_INTERNAL', `the compiler tried to write ${fileName}, outside the package`);
    outputs.set(rel, { path: rel, text, source: currentSource });
  };

  const program = ts.createProgram({
    rootNames: input.roots.map((rel) => path.join(dir, rel)),
    options,
    host,
  });

  const emitFiles = [...input.emit].sort(compareBytes).map((rel) => {
    const sf = program.getSourceFile(path.join(dir, rel));
    if (sf === undefined) throw new GopkgrError('PACK_INTERNAL', `the compiler did not load ${rel}`);
    return { rel, sf };
  });

  // Cheap, program-wide checks first; then per-file syntax, types, declarations.
  const programWide: TS.Diagnostic[] = [
    // TS5055 "would overwrite input file": with allowJs a plain .js file in the
    // program would be re-emitted over itself by a whole-program emit. We emit only
    // the chosen TS sources, into memory, so it never applies.
    ...program.getOptionsDiagnostics().filter((d) => d.code !== 5055),
    ...program.getGlobalDiagnostics(),
  ];
  for (const { sf } of emitFiles) programWide.push(...program.getSyntacticDiagnostics(sf));
  throwOnErrors(dir, programWide);
  // Declaration diagnostics come from the declaration transform the emit runs
  // anyway (emit reports them too): asked for separately only when there is an
  // error to report, so a clean build runs that transform once per file, not twice.
  // The report lists each file's type errors, then its declaration errors, in file order.
  const everyError = (): TS.Diagnostic[] => emitFiles.flatMap(({ sf }) => [...program.getSemanticDiagnostics(sf), ...program.getDeclarationDiagnostics(sf)]);
  if (emitFiles.some(({ sf }) => hasErrors(program.getSemanticDiagnostics(sf)))) throwOnErrors(dir, everyError());

  const transformers: TS.CustomTransformers = { afterDeclarations: [rewriteDeclarationSpecifiers] };
  for (const { rel, sf } of emitFiles) {
    currentSource = rel;
    const result = program.emit(sf, undefined, undefined, false, transformers);
    if (hasErrors(result.diagnostics)) throwOnErrors(dir, everyError());
    throwOnErrors(dir, result.diagnostics);
  }
  return [...outputs.values()].sort((a, b) => compareBytes(a.path, b.path));
}

/**
 * Resolve a bare import of a package installed under `modulesRoot` as if the
 * importing file were there (each in its own mode: import or require
 * conditions); everything else as tsc would from the file itself. The
 * dependencies' own imports resolve from where they are, as usual.
 */
function resolveDependenciesFrom(host: TS.CompilerHost, options: TS.CompilerOptions, dir: string, modulesRoot: string): void {
  const ts = typescript();
  const cache = ts.createModuleResolutionCache(dir, (f) => f, options);
  const importer = path.join(modulesRoot, '__importer__.ts');
  const installed = new Map<string, boolean>();
  const isInstalled = (spec: string): boolean => {
    if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || spec.includes(':')) return false;
    const parts = spec.split('/');
    const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    let known = installed.get(name);
    if (known === undefined) {
      known = ts.sys.fileExists(path.join(modulesRoot, 'node_modules', name, 'package.json'));
      installed.set(name, known);
    }
    return known;
  };
  host.resolveModuleNameLiterals = (literals, containingFile, redirectedReference, opts, containingSourceFile) => literals.map((literal) => {
    const mode = ts.getModeForUsageLocation(containingSourceFile, literal, opts);
    const from = isInstalled(literal.text) && !containingFile.startsWith(modulesRoot) ? importer : containingFile;
    return ts.resolveModuleName(literal.text, from, opts, host, cache, redirectedReference, mode);
  });
}

interface ParsedConfig {
  options: TS.CompilerOptions;
  /** absolute paths of the files the tsconfig includes (none without a tsconfig) */
  fileNames: string[];
}

function readConfig(dir: string): ParsedConfig {
  const ts = typescript();
  const base: TS.CompilerOptions = {
    // No tsconfig.json: the defaults `tsc --init` suggests for a Node package.
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    forceConsistentCasingInFileNames: true,
  };
  const configPath = path.join(dir, 'tsconfig.json');
  if (ts.sys.fileExists(configPath)) {
    const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    if (read.error !== undefined) throw configError(dir, [read.error]);
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, undefined, configPath);
    // 18003 "No inputs were found": we choose the files, not the config's include.
    const errors = parsed.errors.filter((d) => d.code !== 18003 && d.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0) throw configError(dir, errors);
    return { options: parsed.options, fileNames: parsed.fileNames };
  }
  return { options: base, fileNames: [] };
}

/** The package's BuildLayout, from its tsconfig.json (see the header). */
export function readBuildLayout(dir: string): BuildLayout {
  const root = path.resolve(dir);
  const { options, fileNames } = readConfig(root);
  const projectFiles = fileNames.flatMap((f) => toRel(root, f) ?? []).filter((f) => !f.split('/').includes('node_modules'));
  if (options.outDir === undefined) return { projectFiles };
  const inside = (name: string, value: string): string => {
    const rel = toRel(root, value) ?? (path.resolve(value) === root ? '' : null);
    if (rel === null) {
      throw new GopkgrError('PACK_TSCONFIG_INVALID', `tsconfig.json's ${name} ${value} is outside the package`, {
        hint: `a published package carries only its own directory; point ${name} inside it (e.g. "dist")`,
      });
    }
    return rel;
  };
  const outDir = inside('outDir', options.outDir);
  const rootDir = options.rootDir !== undefined
    ? inside('rootDir', options.rootDir)
    : commonDirectory(projectFiles.filter((f) => !isDeclarationFile(f) && /\.(?:[cm]?ts|tsx)$/.test(f)));
  return {
    outDir, rootDir, projectFiles,
    ...(options.declarationDir !== undefined ? { declarationDir: inside('declarationDir', options.declarationDir) } : {}),
  };
}

/** tsc's default rootDir: the longest directory all the given files are under. */
function commonDirectory(files: readonly string[]): string {
  if (files.length === 0) return '';
  let common = path.posix.dirname(files[0]!).split('/');
  for (const f of files.slice(1)) {
    const parts = path.posix.dirname(f).split('/');
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.filter((p) => p !== '.').join('/');
}

/** Whether `rel` is a source the layout builds into outDir (always true without outDir). */
export function isUnderRoot(layout: BuildLayout | undefined, rel: string): boolean {
  if (layout?.outDir === undefined || layout.rootDir === undefined || layout.rootDir === '') return true;
  return rel.startsWith(`${layout.rootDir}/`);
}

/** The package-relative .js and .d.ts tsc writes for `rel` under the layout. */
export function outputsOf(layout: BuildLayout | undefined, rel: string): { js: string; dts: string } {
  const beside = expectedOutputs(rel);
  if (layout?.outDir === undefined) return beside;
  const rootDir = layout.rootDir ?? '';
  const move = (out: string, to: string): string => {
    const under = rootDir === '' ? out : out.slice(rootDir.length + 1);
    return to === '' ? under : `${to}/${under}`;
  };
  return { js: move(beside.js, layout.outDir), dts: move(beside.dts, layout.declarationDir ?? layout.outDir) };
}

function layoutOptions(dir: string, layout: BuildLayout | undefined): TS.CompilerOptions {
  if (layout?.outDir === undefined) return {};
  return {
    outDir: path.join(dir, layout.outDir),
    rootDir: path.join(dir, layout.rootDir ?? ''),
    ...(layout.declarationDir !== undefined ? { declarationDir: path.join(dir, layout.declarationDir) } : {}),
  };
}

function forcedOptions(): TS.CompilerOptions {
  const ts = typescript();
  return {
    // What consumers run is plain `node` (>= 20): ES2022 syntax runs there unchanged.
    target: ts.ScriptTarget.ES2022,
    // NodeNext is the only setting whose output node runs as is; it also makes tsc
    // demand explicit extensions on relative imports, as node does.
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    // Outputs go beside the sources unless the layout says otherwise (layoutOptions).
    declaration: true,
    noEmit: false,
    emitDeclarationOnly: false,
    outDir: undefined,
    outFile: undefined,
    rootDir: undefined,
    declarationDir: undefined,
    // Maps embed paths and add files nobody asked for; keep output a function of the sources.
    sourceMap: false,
    inlineSourceMap: false,
    inlineSources: false,
    declarationMap: false,
    composite: false,
    incremental: false,
    tsBuildInfoFile: undefined,
    // ts.sys.newLine is CRLF on Windows; the same sources must give the same bytes.
    newLine: ts.NewLineKind.LineFeed,
    emitBOM: false,
    // `import './x.ts'` (this project's own style) must become './x.js' to run.
    rewriteRelativeImportExtensions: true,
    // We decide on errors ourselves, per emitted file, before emitting.
    noEmitOnError: false,
    noCheck: false,
  };
}

/**
 * tsc rewrites `./x.ts` to `./x.js` in JavaScript output only; declaration output
 * keeps `./x.ts` (checked with 5.9.3). Rewrite it in `.d.ts` too so a declaration
 * file names the same module the `.js` beside it imports.
 */
const rewriteDeclarationSpecifiers: TS.TransformerFactory<TS.SourceFile | TS.Bundle> = (context) => {
  const ts = typescript();
  const { factory } = context;
  const literal = (node: TS.Expression): TS.StringLiteral | undefined => {
    if (!ts.isStringLiteral(node)) return undefined;
    const rewritten = rewriteSpecifier(node.text);
    return rewritten === node.text ? undefined : factory.createStringLiteral(rewritten);
  };
  const visit = (node: TS.Node): TS.Node => {
    if (ts.isImportDeclaration(node)) {
      const spec = literal(node.moduleSpecifier);
      if (spec !== undefined) return factory.updateImportDeclaration(node, node.modifiers, node.importClause, spec, node.attributes);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      const spec = literal(node.moduleSpecifier);
      if (spec !== undefined) return factory.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause, spec, node.attributes);
    } else if (ts.isExternalModuleReference(node)) {
      const spec = literal(node.expression);
      if (spec !== undefined) return factory.updateExternalModuleReference(node, spec);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const spec = literal(node.argument.literal);
      if (spec !== undefined) {
        const argument = factory.updateLiteralTypeNode(node.argument, spec);
        const updated = factory.updateImportTypeNode(node, argument, node.attributes, node.qualifier, node.typeArguments, node.isTypeOf);
        return ts.visitEachChild(updated, visit, context);
      }
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (node) => (ts.isSourceFile(node) ? ts.visitEachChild(node, visit, context) : node);
};

/** The rule tsc applies to JavaScript output: relative, a TS extension, not a declaration file. */
export function rewriteSpecifier(spec: string): string {
  if (!/^\.\.?\//.test(spec) || isDeclarationFile(spec)) return spec;
  const m = /\.([cm]?)tsx?$/.exec(spec);
  return m === null ? spec : `${spec.slice(0, m.index)}.${m[1] ?? ''}js`;
}

function hasErrors(diagnostics: readonly TS.Diagnostic[]): boolean {
  const ts = typescript();
  return diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error);
}

function throwOnErrors(dir: string, diagnostics: readonly TS.Diagnostic[]): void {
  const ts = typescript();
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length === 0) return;
  throw new GopkgrError('PACK_COMPILE_ERROR', formatDiagnostics(dir, errors), {
    hint: 'fix these TypeScript errors (`npx tsc --noEmit -p .` lists them all), or ship a built .js and .d.ts beside each source',
  });
}

function configError(dir: string, diagnostics: readonly TS.Diagnostic[]): GopkgrError {
  return new GopkgrError('PACK_TSCONFIG_INVALID', formatDiagnostics(dir, diagnostics), {
    hint: 'gopkgr reads compiler options from tsconfig.json; fix it or remove it to use the defaults',
  });
}

/** `file:line:col: message (TSnnnn)` per diagnostic, the first few, then a count of the rest. */
export function formatDiagnostics(dir: string, diagnostics: readonly TS.Diagnostic[]): string {
  const ts = typescript();
  const lines = diagnostics.slice(0, MAX_REPORTED_DIAGNOSTICS).map((d) => {
    const message = `${ts.flattenDiagnosticMessageText(d.messageText, '\n')} (TS${d.code})`;
    if (d.file === undefined || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const file = toRel(dir, d.file.fileName) ?? d.file.fileName;
    return `${file}:${line + 1}:${character + 1}: ${message}`;
  });
  const rest = diagnostics.length - lines.length;
  if (rest > 0) lines.push(`(and ${rest} more)`);
  return lines.join('\n');
}

/** Package-relative POSIX path, or null when `file` is outside `dir`. */
function toRel(dir: string, file: string): string | null {
  const rel = path.relative(dir, path.resolve(file));
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

/** Bytewise (UTF-8) order, the same on every machine and locale. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
