/**
 * The TypeScript compiler, loaded through `require`: it is one 9 MB CommonJS
 * file, and importing it as an ES module costs Node 20 another ~400 ms (format
 * detection and a cjs-module-lexer pass over the whole file) for nothing.
 * Callers load this module only when they need the compiler (the InfVer
 * checker, the CLI's compile and tag scan).
 */
import { createRequire } from 'node:module';

type TypeScript = typeof import('typescript');

let loaded: TypeScript | undefined;

export function typescript(): TypeScript {
  loaded ??= createRequire(import.meta.url)('typescript') as TypeScript;
  return loaded;
}
