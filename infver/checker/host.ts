/**
 * The compiler the checker engine runs: one set of options for every program
 * (old and new declarations side by side, plus generated probe files), and a
 * host that serves the probes from memory and parses each library file
 * (lib.*.d.ts) once per process, which is most of a program's creation time.
 */
import type * as TS from 'typescript';
import { typescript } from '../typescript.ts';

const ts = typescript();

export const CHECKER_OPTIONS: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  // Bundler resolution reads `./x.js` (node16 style) and extensionless specifiers alike, and `.ts` sources.
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  esModuleInterop: true,
  strict: true,
  noEmit: true,
  // Errors inside a package's own declarations are not the consumer's: only probe files are judged.
  skipLibCheck: true,
  types: [],
  // Published declarations name DOM types (Response, URL, AbortSignal) as often as ES ones.
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
};

const libFiles = new Map<string, TS.SourceFile>();

/** Where generated files (probes, witnesses) live: no package file is there. */
export const PROBE_DIR = '/__infver__/';

/** Per file served rewritten: where the names of members whose `protected` was blanked out start (names keep their positions). */
const protectedNames = new WeakMap<TS.SourceFile, Set<number>>();

/** Whether a class member was declared `protected` (before withoutPrivates made it look public). */
export function wasProtected(decl: TS.Declaration): boolean {
  const name = ts.getNameOfDeclaration(decl);
  return name !== undefined && (protectedNames.get(decl.getSourceFile())?.has(name.getStart()) ?? false);
}

/**
 * A package's classes as consumers see them: private members left out and
 * `protected` read as public. The checker compares classes with private or
 * protected members nominally (per declaration), so an old and a new
 * version of one class would never relate; consumers cannot touch private
 * members, and protected ones stay members a subclass uses (their removal is
 * still found, member by member). Constructors keep their visibility.
 */
function withoutPrivates(sf: TS.SourceFile): TS.SourceFile {
  if (!/\b(private|protected)\b|#/.test(sf.text)) return sf;
  const cuts: Array<{ start: number; end: number }> = [];
  const protectedAt = new Set<number>();
  const visit = (node: TS.Node): void => {
    if (ts.isClassLike(node)) {
      for (const member of node.members) {
        if (ts.isConstructorDeclaration(member)) continue;
        const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
        if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword) || (member.name !== undefined && ts.isPrivateIdentifier(member.name))) {
          cuts.push({ start: member.getFullStart(), end: member.getEnd() });
          continue;
        }
        for (const m of modifiers) {
          if (m.kind !== ts.SyntaxKind.ProtectedKeyword) continue;
          cuts.push({ start: m.getStart(sf), end: m.getEnd() });
          if (member.name !== undefined) protectedAt.add(member.name.getStart(sf));
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (cuts.length === 0) return sf;
  let text = sf.text;
  // Blanked, not removed: positions (and so error locations) stay those of the file as read.
  for (const c of cuts.sort((a, b) => b.start - a.start)) text = text.slice(0, c.start) + ' '.repeat(c.end - c.start) + text.slice(c.end);
  const rewritten = ts.createSourceFile(sf.fileName, text, sf.languageVersion, true);
  protectedNames.set(rewritten, protectedAt);
  return rewritten;
}

/**
 * A host over the real file system, with `virtual` files (path → text) added
 * and lib files parsed once. Each file is parsed once per host: a comparison
 * creates its second program (the probes added to `virtual`) with the same
 * host, so the checker reuses the first one's files. `asPublished` serves
 * package files unchanged (to compile witnesses exactly as a consumer's
 * compiler would).
 */
export function checkerHost(virtual: ReadonlyMap<string, string>, opts: { asPublished?: boolean } = {}): TS.CompilerHost {
  const host = ts.createCompilerHost(CHECKER_OPTIONS, true);
  const read = host.getSourceFile.bind(host);
  const parsed = new Map<string, TS.SourceFile>();
  const load = (fileName: string, languageVersion: TS.ScriptTarget | TS.CreateSourceFileOptions, onError?: (message: string) => void, shouldCreate?: boolean): TS.SourceFile | undefined => {
    const text = virtual.get(fileName);
    const sf = text !== undefined ? ts.createSourceFile(fileName, text, languageVersion, true) : read(fileName, languageVersion, onError, shouldCreate);
    // Probes are the engine's own; a package file (as read, or rewritten by share.ts) is seen as consumers see it.
    return sf === undefined || fileName.startsWith(PROBE_DIR) || opts.asPublished === true ? sf : withoutPrivates(sf);
  };
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const isLib = fileName.includes('/typescript/lib/lib.');
    const known = (isLib ? libFiles : parsed).get(fileName);
    if (known !== undefined) return known;
    const sf = isLib ? read(fileName, languageVersion, onError, shouldCreate) : load(fileName, languageVersion, onError, shouldCreate);
    if (sf !== undefined) (isLib ? libFiles : parsed).set(fileName, sf);
    return sf;
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => virtual.has(fileName) || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => virtual.get(fileName) ?? readFile(fileName);
  return host;
}

/**
 * The specifier a probe imports a file by: absolute, without the declaration
 * extension (TypeScript refuses `import("./x.d.ts")`; `.d.mts` → `.mjs`).
 */
export function specifierOf(file: string): string {
  const m = /^(.*)\.d\.([mc]?)ts$/.exec(file);
  if (m !== null) return m[2] === '' ? m[1]! : `${m[1]}.${m[2]}js`;
  return file;
}
