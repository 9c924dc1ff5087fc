/**
 * Type-check a use of each importable subpath the way consumers' tsc does:
 * `import * as m from "<name>/<subpath>"` in an ES module of the consumer
 * project, once per module resolution mode (node16, nodenext, bundler), with
 * the package installed in node_modules. Only errors at those imports count
 * (TS7016 no declarations, TS2307 not found, ...): the package's own
 * declarations are not ours to lint (skipLibCheck).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as TS from 'typescript';
import { typescript } from '../../../infver/typescript.ts';
import { cacheSourceFiles, shareLibFiles } from '../../../infver/sourceFileCache.ts';
import { isDeclarationFile } from '../../sourceFiles.ts';

export type Resolution = 'node16' | 'nodenext' | 'bundler';
export const RESOLUTIONS: readonly Resolution[] = ['node16', 'nodenext', 'bundler'];

export interface TypeResult {
  resolution: Resolution;
  specifier: string;
  /** `TSnnnn message`, absent when it type-checks */
  error?: string;
  code?: number;
}

export function typecheckImports(consumerDir: string, specifiers: readonly string[]): TypeResult[] {
  if (specifiers.length === 0) return [];
  const ts = typescript();
  const resolutionOptions: Record<Resolution, TS.CompilerOptions> = {
    node16: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
    nodenext: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
    bundler: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
  };
  const base: TS.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [], lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'] };
  // One import per line, so a diagnostic's line names its specifier.
  const text = `${specifiers.map((s, i) => `import * as m${i} from ${JSON.stringify(s)};`).join('\n')}\nexport { ${specifiers.map((_, i) => `m${i}`).join(', ')} };\n`;
  const out: TypeResult[] = [];
  // node16 and nodenext read a declaration file alike (same module format, same
  // module detection): the package's and its dependencies' files are parsed once for both.
  const nodeFiles = new Map<string, TS.SourceFile>();
  for (const resolution of RESOLUTIONS) {
    const options = { ...base, ...resolutionOptions[resolution] };
    const file = path.join(consumerDir, resolution === 'bundler' ? 'check-bundler.ts' : `check-${resolution}.mts`);
    writeFileSync(file, text);
    const host = ts.createCompilerHost(options);
    host.getCurrentDirectory = () => consumerDir;
    // As consumers' tsc does: JSDoc in TypeScript files is left unparsed (it changes no type or error).
    host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
    if (resolution !== 'bundler') cacheSourceFiles(host, nodeFiles, isDeclarationFile);
    // TypeScript's own lib files are parsed once for all three programs, and the compile's (sourceFileCache.ts).
    shareLibFiles(host, options);
    const program = ts.createProgram([file], options, host);
    const sf = program.getSourceFile(file)!;
    const errors = new Map<number, TS.Diagnostic>();
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      if (d.category !== ts.DiagnosticCategory.Error || d.start === undefined) continue;
      const line = sf.getLineAndCharacterOfPosition(d.start).line;
      if (!errors.has(line)) errors.set(line, d);
    }
    specifiers.forEach((specifier, i) => {
      const d = errors.get(i);
      out.push(d === undefined ? { resolution, specifier } : { resolution, specifier, code: d.code, error: `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ').slice(0, 400)}` });
    });
  }
  return out;
}

