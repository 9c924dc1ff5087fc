/**
 * The dedicated import scanner (cli/tags/scanImports.ts) against the TypeScript
 * parser it stands in for (cli/tags/parseTags.ts): wherever the scanner gives
 * an answer, it is TypeScript's (statements, specifier offsets, statement ends,
 * type-only flags, and so the tags and their errors); where JavaScript is
 * ambiguous to a tokenizer, it gives none. Compared over hand-written sources
 * (the tricky ones each name what they try) and a corpus of real files: the
 * sources of this repository and JavaScript/TypeScript files of node_modules.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { typescript } from '../../infver/typescript.ts';
import { importStatements, parseTags } from '../../cli/tags/parseTags.ts';
import { scanImports } from '../../cli/tags/scanImports.ts';
import { taggedImports, trailingComments } from '../../cli/tags/structTag.ts';

/** The checkout (test/support/processes.ts has it too, but importing that would make this unit test reach child_process). */
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** What a reader makes of a file: its tagged imports, or the error it throws. */
function outcome(read: () => unknown): unknown {
  try {
    return { ok: read() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** The scanner's answer equals TypeScript's, statements and tags; returns whether it answered. */
function agrees(file: string, text: string): boolean {
  const fast = scanImports(file, text);
  if (fast === undefined) return false;
  expect(fast, file).toEqual(importStatements(file, text));
  expect(outcome(() => taggedImports(file, text, fast)), file).toEqual(outcome(() => parseTags(file, text)));
  return true;
}

const TAG = '// `ver:"^1.0.0"`';

describe('scanImports answers as TypeScript does', () => {
  it.each([
    ['every import shape', [
      `import a from "@a/default"; ${TAG}`, `import * as b from "@a/ns" ${TAG}`, `import { c, d as e, type F, "g-h" as g } from "@a/list"; ${TAG}`,
      `import i, { j } from "@a/both"; ${TAG}`, `import k, * as l from "@a/both-ns"; ${TAG}`, `import "@a/side"; ${TAG}`,
      `import type { M } from "@a/type"; ${TAG}`, `import type N from "@a/type-default"; ${TAG}`, `import type * as O from "@a/type-ns"; ${TAG}`,
      `import type from "@a/default-named-type"; ${TAG}`, `import type, { P } from "@a/type-comma"; ${TAG}`, `import from from "@a/from"; ${TAG}`,
      `import q = require("@a/req"); ${TAG}`, `import type R = require("@a/type-req") ${TAG}`, `import type = require("@a/named-type") ${TAG}`,
      'import S = T.U;', `export import V = require("@a/export-req"); ${TAG}`, `import json from "@a/json" with { type: "json" }; ${TAG}`,
      `import json2 from "@a/json2" assert { type: "json" } ${TAG}`, 'import w from "@a/attr-next-line"\nwith (x) {}',
    ].join('\n')],
    ['every re-export shape', [
      `export * from "@a/all"; ${TAG}`, `export * as all from "@a/all-as" ${TAG}`, `export { a, b as c } from "@a/list"; ${TAG}`,
      `export type { T } from "@a/type"; ${TAG}`, `export type * from "@a/type-all"; ${TAG}`, `export type * as TT from "@a/type-all-as"; ${TAG}`,
      'export { local };', 'export type Alias = { a: string };', 'export default function f() {}', 'export = x;', 'export const y = 1;',
      'export as namespace Z;', `export { d } from "@a/attr" with { type: "json" }; ${TAG}`,
    ].join('\n')],
    ['tags after the statement end, on another line, in block comments', 'import { a } from "@a/x"\n; // `ver:"1"`\nimport { b } from "@a/y" /* note */ /* `ver:"2"` */;\nimport {\n  c,\n} from "@a/z"; // `ver:"3"`\n'],
    ['strings, templates and comments holding import-like text', 'const s = "import x from \'@a/no\'";\nconst t = `import y from "@a/no" ${`nested ${"}"} {`} }`;\n/* import z from "@a/no" */\n// import w from "@a/no"\nimport { ok } from "@a/yes";\n'],
    ['regexes holding brackets and quotes', 'const r = /[{("\'`]/g;\nif (x) /}/.test(y);\nconst q = a.b(/\\/[/]"/, c);\nconst d = (1 + 2) / 3 / 4;\nconst e = x[0] / 2;\nimport { ok } from "@a/after-regex";\n'],
    ['nested imports are not top level', 'declare module "m" {\n  import { a } from "@a/nested";\n}\nnamespace N { export import b = require("@a/nested2"); }\nfunction f() { return import("@a/dynamic"); }\nconst m = import.meta.url;\ntype T = typeof import("@a/type-import");\nimport { ok } from "@a/top";\n'],
    ['statements ended by a new line (ASI)', 'const a = b\nimport { c } from "@a/asi"\nlet d = e\nexport * from "@a/asi2"\nx = {}\nimport "@a/after-object"\n'],
    ['a shebang, a BOM, CRLF and Unicode line ends', '#!/usr/bin/env node\r\nimport { a } from "@a/crlf"; // `ver:"1"`\r\n\u2028import { b } from "@a/ls"; // `ver:"2"`\n'],
    ['private names, numbers and optional chaining', 'class C { #p = 1e+5; m() { return this.#p?.x ?? .5; } }\nconst h = 0x1e+1;\nimport { a } from "@a/after-class";\n'],
    ['TypeScript types', 'let x: Array<string> = [];\nconst y = <T,>(v: T): T => v;\ntype K = `a${string}b`;\nconst z = w! + 1;\nimport { a } from "@a/types";\n'],
    ['malformed tags, as TypeScript reports them', 'import { a } from "@a/x"; // `ver:"^^1"`\n'],
    ['a tag on a non-gopkgr import', 'const a = 1;\nimport fs from "node:fs"; // `ver:"1"`\n'],
    ['npm tags', 'import { z } from "zod"; // `npm:"^3.23.0"`\nimport type { S } from "@types/node/fs"; // `npm:"20.x"`\n'],
  ])('%s', (_, text) => {
    expect(agrees('src/app.ts', text)).toBe(true);
  });

  it.each([
    ['a regex or division after }', 'function f() {}\n/x/.test(s);\nimport { a } from "@a/x";\n'],
    ['a / at the start of a line after a type annotation', 'let a: Foo\n/[{]/.test(s);\nimport { a } from "@a/x";\n'],
    ['a / after a non-null assertion', 'const q = x! / 2;\nimport { a } from "@a/x";\n'],
    ['JSX in a .tsx file', 'const el = <div>Don\'t {"}"}</div>;\nimport { a } from "@a/x";\n'],
    ['an escaped identifier', 'const \\u0061 = 1;\nimport { a } from "@a/x";\n'],
    ['an escape in the specifier', 'import { a } from "\\u0040a/x";\n'],
    ['an unterminated template', 'const t = `abc ${x}\nimport { a } from "@a/x";\n'],
    ['unbalanced brackets', 'if (x) {\nimport { a } from "@a/x";\n'],
    ['an import after a condition', 'if (x) import { a } from "@a/x";\n'],
    ['import defer', 'import defer * as d from "@a/x";\n'],
    ['a merge-conflict marker', '<<<<<<< HEAD\nimport { a } from "@a/x";\n=======\nimport { a } from "@a/y";\n>>>>>>> other\n'],
  ])('gives no answer where it cannot be sure: %s', (_, text) => {
    const file = text.includes('<div>') ? 'src/app.tsx' : 'src/app.ts';
    expect(scanImports(file, text)).toBeUndefined();
    // TypeScript still reads it (the caller's fallback).
    expect(() => outcome(() => parseTags(file, text))).not.toThrow();
  });

  it('trailingComments finds the comments TypeScript does', () => {
    const ts = typescript();
    const text = 'a /* x */ // y\nb  /* multi\nline */ c\u00a0// z\u2028d // `t`\r\ne/**/f';
    for (let pos = 1; pos <= text.length; pos++) {
      const theirs = (ts.getTrailingCommentRanges(text, pos) ?? []).map((c) => ({ pos: c.pos, end: c.end, multiLine: c.kind === ts.SyntaxKind.MultiLineCommentTrivia }));
      expect(trailingComments(text, pos), `at ${pos}`).toEqual(theirs);
    }
  });
});

/** Up to `limit` files under `dir` with one of `exts` (not declarations), in path order, at most 256 KiB each. */
function corpus(dir: string, exts: readonly string[], limit: number, skip: (name: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (out.length >= limit) return;
      const p = path.join(d, e.name);
      if (e.isDirectory() && !skip(e.name)) walk(p);
      else if (e.isFile() && exts.some((x) => e.name.endsWith(x)) && !/\.d\.[mc]?ts$/.test(e.name) && statSync(p).size <= 256 * 1024) out.push(p);
    }
  };
  walk(dir);
  return out;
}

describe('scanImports over real files', () => {
  it('this repository\'s sources: the same statements as TypeScript, and an answer for nearly every file', () => {
    const files = ['cli', 'ledger', 'resolver', 'node', 'test', 'bench'].flatMap((d) => corpus(path.join(REPO, d), ['.ts'], 2000));
    let answered = 0;
    for (const f of files) if (agrees(path.relative(REPO, f), readFileSync(f, 'utf8'))) answered++;
    expect(files.length).toBeGreaterThan(300);
    expect(answered / files.length).toBeGreaterThan(0.9);
  });

  it('JavaScript and TypeScript of node_modules: the same statements wherever it answers', () => {
    const files = corpus(path.join(REPO, 'node_modules'), ['.ts', '.mts', '.js', '.mjs'], 1500, (name) => name === 'typescript' || name.startsWith('.'));
    let answered = 0;
    for (const f of files) if (agrees(path.relative(REPO, f), readFileSync(f, 'utf8'))) answered++;
    expect(files.length).toBeGreaterThan(1000);
    expect(answered / files.length).toBeGreaterThan(0.5);
  });
});
