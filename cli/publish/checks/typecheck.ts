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
  const cache = new Map<string, TS.SourceFile>();
  const out: TypeResult[] = [];
  for (const resolution of RESOLUTIONS) {
    const options = { ...base, ...resolutionOptions[resolution] };
    const file = path.join(consumerDir, resolution === 'bundler' ? 'check-bundler.ts' : `check-${resolution}.mts`);
    writeFileSync(file, text);
    const host = ts.createCompilerHost(options);
    host.getCurrentDirectory = () => consumerDir;
    const read = host.getSourceFile.bind(host);
    // TypeScript's own lib files are parsed once for all three programs.
    host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
      if (!name.includes('/typescript/lib/')) return read(name, languageVersion, onError, shouldCreate);
      let sf = cache.get(name);
      if (sf === undefined) {
        sf = read(name, languageVersion, onError, shouldCreate);
        if (sf !== undefined) cache.set(name, sf);
      }
      return sf;
    };
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
