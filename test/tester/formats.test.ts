// Which module system a file is in (Node 20.19's rules, syntax detection
// included), the require() calls CommonJS makes, and the named exports an ES
// importer sees (what Node's cjs-module-lexer finds).
import { describe, expect, it } from 'vitest';
import { Resolver } from '../../tester/index.ts';
import { cjsExportNames, formatOf, hasEsSyntax, requiredSpecifiers } from '../../tester/sandbox/formats.ts';

describe('module formats', () => {
  it('follows extensions, the nearest package.json type, and ES syntax when there is no type', () => {
    const files = new Map([
      ['package.json', '{"name":"x"}'],
      ['a.js', 'module.exports = 1;'],
      ['b.js', "import x from './a.js';\nexport default x;"],
      ['c.mjs', ''],
      ['d.cjs', 'export default 1; // a syntax error under CommonJS, as in Node'],
      ['esm/package.json', '{"type":"module"}'],
      ['esm/e.js', 'const x = 1;'],
      ['cjs/package.json', '{"type":"commonjs"}'],
      ['cjs/f.js', "import x from 'y';"],
      ['data.json', '{}'],
    ]);
    const r = new Resolver(files, new Map());
    const of = (p: string): string => formatOf(r, `pkg:${p}`);
    expect([of('a.js'), of('b.js'), of('c.mjs'), of('d.cjs'), of('esm/e.js'), of('cjs/f.js'), of('data.json')]).toEqual(['cjs', 'esm', 'esm', 'cjs', 'esm', 'cjs', 'json']);
  });

  it('ES syntax is statements, not words in strings, comments or dynamic import()', () => {
    expect(hasEsSyntax("const m = await import('./x.js');")).toBe(false);
    expect(hasEsSyntax("// import x from 'y'\nconst s = 'export default 1';")).toBe(false);
    expect(hasEsSyntax("import './side-effect.js';")).toBe(true);
    expect(hasEsSyntax('export { a as b };')).toBe(true);
  });

  it('finds literal require() specifiers only', () => {
    expect(requiredSpecifiers("const a = require('a');\nconst b = require(\"./b\");\nx.require('no');\nrequire(name);\n// require('commented')")).toEqual(['a', './b']);
  });

  it('finds the named exports cjs-module-lexer would', () => {
    const { names, reexports } = cjsExportNames(`
      exports.a = 1;
      module.exports.b = function () {};
      Object.defineProperty(exports, 'c', { enumerable: true, get: () => 3 });
      exports['d-e'] = 4;
      exports.default = 5;
      module.exports = require('./other');
      __exportStar(require("./star"), exports);`);
    expect([...names].sort()).toEqual(['a', 'b', 'c', 'd-e']);
    expect(reexports).toEqual(['./other', './star']);
    expect([...cjsExportNames("module.exports = { parse, 'safe-parse': x, stringify: (o) => JSON.stringify(o, null, { a: 1 }), get v() { return 1; }, ...rest };").names]).toEqual(['parse', 'safe-parse', 'stringify', 'v']);
  });
});
