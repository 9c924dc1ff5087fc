/**
 * The sources that enter every sandbox context before package code: the runtime
 * (tester/shims/runtime.js), the assert library (tester/shims/assert.js) and the
 * ES modules that expose them as node:test, node:assert and node:assert/strict.
 *
 * The host instantiates a separate copy of a shim module for every package
 * module that imports it, and each copy asks the runtime for fresh, frozen
 * exports (makeTest / makeAssert): a module that tampers with its node:assert
 * or node:test cannot reach another module's, nor the runner's. The copies read
 * `globalThis.__gopkgr_shim` when the host evaluates them, before any package
 * code; the host then deletes that global (runtime `seal()`).
 */
import { readFileSync } from 'node:fs';
import { vendorSource } from './vendor.ts';

const read = (name: string): string => readFileSync(new URL(`./shims/${name}`, import.meta.url), 'utf8');

/** A function expression: call it with the JSON text of a RuntimeConfig. */
export const RUNTIME_SOURCE = `(${read('runtime.js').replace(/^\/\/.*\n/gm, '').trim().replace(/;$/, '')})`;
/** Installs shim.makeAssert, reading the shim object the runtime left on globalThis. */
export const ASSERT_SOURCE = `(${read('assert.js').replace(/^\/\/.*\n/gm, '').trim().replace(/;$/, '')})(globalThis.__gopkgr_shim)`;

/**
 * Node's module systems and built-ins (tester/shims/node.js), run after the
 * assert shim: a function of the config text, closing over the vendored
 * libraries (vendor.ts); it returns its control functions.
 */
export function nodeSource(): string {
  return `(function (vendorFactory) { const f = ${read('node.js').replace(/^\/\/.*\n/gm, '').trim().replace(/;$/, '')}; return (configText) => f(globalThis.__gopkgr_shim, vendorFactory, configText); })(${vendorSource()})`;
}

const TEST_EXPORTS = ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach', 'skip', 'todo', 'only', 'mock'];
const ASSERT_EXPORTS = ['ok', 'equal', 'notEqual', 'strictEqual', 'notStrictEqual', 'deepEqual', 'notDeepEqual', 'deepStrictEqual', 'notDeepStrictEqual', 'throws', 'doesNotThrow', 'rejects', 'doesNotReject', 'match', 'doesNotMatch', 'fail', 'ifError', 'AssertionError', 'strict'];

function reexport(object: string, names: string[]): string {
  return `export default ${object};\n` + names.map((n) => `export const ${n} = ${object}.${n};`).join('\n');
}

/** Module key → ES module source. `builtin:gopkgr:internal` is importable only by the host's entry modules. */
export const SHIM_MODULES: ReadonlyMap<string, string> = new Map([
  ['builtin:node:test', testShim(null)],
  ['builtin:node:assert', `const a = globalThis.__gopkgr_shim.makeAssert();\n${reexport('a', ASSERT_EXPORTS)}`],
  ['builtin:node:assert/strict', `const a = globalThis.__gopkgr_shim.makeAssert().strict;\n${reexport('a', ASSERT_EXPORTS)}`],
  ['builtin:gopkgr:internal', `export const loaded = globalThis.__gopkgr_shim.loaded;`],
  ['builtin:gopkgr:cjs', `export const cjs = globalThis.__gopkgr_shim.cjs;\nexport const setNamespace = globalThis.__gopkgr_shim.setNamespace;`],
]);

export const CJS_KEY = 'builtin:gopkgr:cjs';

export const INTERNAL_KEY = 'builtin:gopkgr:internal';
export const TEST_SHIM_KEY = 'builtin:node:test';

/**
 * node:test for one importer. `refusedFor` names an importer that is not a
 * test file nor test support (library code): its test/describe/hooks register
 * nothing and fail the file instead, so a library cannot add a hook that
 * reaches every test's context. `importer`: the file whose tests it registers
 * (reported under it when it is not the running test file).
 */
export function testShim(refusedFor: string | null, importer?: string): string {
  return `const s = globalThis.__gopkgr_shim.makeTest(${JSON.stringify(refusedFor)}${importer === undefined ? '' : `, ${JSON.stringify(importer)}`});\n${reexport('s.test', TEST_EXPORTS)}\nexport const run = s.run;`;
}

/** What the runtime function is called with (JSON). */
export interface RuntimeConfig {
  file: string;
  seed: string;
  epochMs: number;
  outputBytes: number;
  virtualTimeMs: number;
  /** caps on a record's name and error text, applied inside the isolate (the host applies them again) */
  maxNameChars: number;
  maxErrorChars: number;
  /** the package's runner: under vitest and jest a test file that registers no test fails */
  runner: 'node' | 'vitest' | 'jest';
}
