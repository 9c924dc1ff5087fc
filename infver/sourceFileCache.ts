/**
 * Parsed files shared between the TypeScript programs gopkgr builds, so each
 * file is parsed and bound once however many programs read it. A publish
 * builds five (the compile, the consumer checks' tsc under node16, nodenext
 * and bundler, InfVer's extraction), and parsing and binding TypeScript's own
 * lib files (lib.es5.d.ts, lib.dom.d.ts, ...; lib.dom.d.ts alone is 1.9 MB)
 * was most of each.
 *
 * A SourceFile is a function of its text, its language version, its module
 * format and how much JSDoc is parsed: those make the cache key. Only
 * declaration files are shared: binding one reads none of the options these
 * programs set differently (strictness applies to implementations); the
 * language service shares lib files across projects in the same way.
 */
import path from 'node:path';
import type * as TS from 'typescript';
import { typescript } from './typescript.ts';

/**
 * Make `host` take the files `shared` selects from `cache`, parsing each the
 * first time (with `jsDocParsingMode` when given, whatever the program asks).
 */
export function cacheSourceFiles(host: TS.CompilerHost, cache: Map<string, TS.SourceFile>, shared: (fileName: string) => boolean, jsDocParsingMode?: TS.JSDocParsingMode): void {
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    if (!shared(fileName)) return read(fileName, languageVersionOrOptions, onError, shouldCreate);
    const asked = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions : { languageVersion: languageVersionOrOptions };
    const o = { ...asked, jsDocParsingMode: jsDocParsingMode ?? asked.jsDocParsingMode ?? host.jsDocParsingMode };
    const key = `${fileName}\u0000${o.languageVersion}\u0000${o.impliedNodeFormat ?? ''}\u0000${o.jsDocParsingMode ?? ''}`;
    let sf = cache.get(key);
    if (sf === undefined) {
      sf = read(fileName, o, onError, shouldCreate);
      if (sf !== undefined) cache.set(key, sf);
    }
    return sf;
  };
}

const libFiles = new Map<string, TS.SourceFile>();

/**
 * Make `host` take TypeScript's lib files from one cache for the whole process
 * (they never change). Their JSDoc is left unparsed whatever the program
 * parses (as tsc does): no program here reads a lib declaration's comments
 * (InfVer reads `@deprecated` on the package's own and its dependencies'
 * declarations only), so every program can share one copy.
 */
export function shareLibFiles(host: TS.CompilerHost, options: TS.CompilerOptions): void {
  const ts = typescript();
  const libDir = path.dirname(ts.getDefaultLibFilePath(options)) + path.sep;
  cacheSourceFiles(host, libFiles, (fileName) => path.resolve(fileName).startsWith(libDir), ts.JSDocParsingMode.ParseForTypeErrors);
}
