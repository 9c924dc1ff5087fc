/**
 * `import.meta` for an ES module in the sandbox. isolated-vm fills
 * import.meta only through a callback given when a module is compiled inside
 * the isolate; the host compiles every module, so import.meta would be an
 * empty object there, and `new URL('./x.json', import.meta.url)`,
 * `fileURLToPath(import.meta.url)` and `import.meta.dirname` would all break.
 *
 * Instead the host rewrites each `import.meta` of a module's text (found by a
 * parse, so text in strings and comments stays as it is) to one module-local
 * object, declared at the start of the module's first line (line numbers do not
 * move), holding what Node gives: `url` (a file: URL of the file's path inside
 * the sandbox, /pkg/..., the same on every tester), `filename`, `dirname`, and
 * `resolve`. `resolve` answers a specifier some `import.meta.resolve('...')`
 * call of the module names literally (resolved here, ahead, as the isolate
 * cannot call out) and a relative one by URL arithmetic, as Node does for a
 * file it does not find; any other throws. Under vitest, `env` holds the
 * values vitest sets for a test run.
 */
import { GopkgrError } from '../../ledger/index.ts';
import { describeKey, type Resolver } from '../resolve.ts';
import { loadTs } from '../transpile.ts';
import { sandboxPath } from './paths.ts';

/** The local that stands for import.meta: a name no package writes by chance. */
const META = '__gopkgr_import_meta';
const USES_IMPORT_META = /\bimport\s*\.\s*meta\b/;

/** vitest's import.meta.env in a test run (process.env's entries aside: the sandbox's are fixed). */
const VITEST_ENV = { TEST: 'true', VITEST: 'true', NODE_ENV: 'test', PROD: false, DEV: true, BASE_URL: '/', MODE: 'test', SSR: true };

/** A file: URL of a sandbox path, encoded as Node's pathToFileURL does, whatever the host's platform. */
export function sandboxFileUrl(path: string): string {
  return new URL(`file://${path.replace(/%/g, '%25').replace(/\\/g, '%5C').replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/\t/g, '%09').replace(/#/g, '%23').replace(/\?/g, '%3F')}`).href;
}

/** What `import.meta.resolve(specifier)` gives for a specifier the host resolved. */
function resolvedUrl(resolver: Resolver, specifier: string, key: string): string | undefined {
  try {
    const target = resolver.resolve(specifier, key);
    if (target.startsWith('builtin:node:')) return `node:${target.slice('builtin:node:'.length)}`;
    if (target.startsWith('builtin:')) return target.slice('builtin:'.length);
    return sandboxFileUrl(sandboxPath(target));
  } catch (err) {
    if (err instanceof GopkgrError) return undefined;
    throw err;
  }
}

/** The module's text with every `import.meta` made the module's own object (unchanged when it has none). */
export async function withImportMeta(js: string, key: string, resolver: Resolver, runner: 'node' | 'vitest' | 'jest'): Promise<string> {
  if (!USES_IMPORT_META.test(js)) return js;
  const ts = await loadTs();
  const file = ts.createSourceFile(describeKey(key), js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const spans: [number, number][] = [];
  const resolved: Record<string, string> = {};
  const visit = (node: import('typescript').Node): void => {
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword && node.name.text === 'meta') {
      spans.push([node.getStart(file), node.end]);
      // import.meta.resolve('literal'): resolved here
      const access = node.parent;
      const call = access?.parent;
      if (ts.isPropertyAccessExpression(access) && access.name.text === 'resolve' && call !== undefined && ts.isCallExpression(call) && call.expression === access) {
        const arg = call.arguments[0];
        if (arg !== undefined && ts.isStringLiteralLike(arg)) {
          const url = resolvedUrl(resolver, arg.text, key);
          if (url !== undefined) resolved[arg.text] = url;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (spans.length === 0) return js;
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += js.slice(at, start) + META;
    at = end;
  }
  out += js.slice(at);
  return declaration(key, resolved, runner) + prependable(out);
}

/** The object's declaration, on one line with no line break. */
function declaration(key: string, resolved: Record<string, string>, runner: 'node' | 'vitest' | 'jest'): string {
  const filename = sandboxPath(key);
  const dirname = filename.slice(0, filename.lastIndexOf('/'));
  const url = sandboxFileUrl(filename);
  const resolve =
    `resolve(specifier) { specifier = String(specifier); const known = ${JSON.stringify(resolved)}; ` +
    `if (Object.prototype.hasOwnProperty.call(known, specifier)) return known[specifier]; ` +
    `if (/^\\.{0,2}\\//.test(specifier)) return new URL(specifier, ${JSON.stringify(url)}).href; ` +
    `if (/^node:/.test(specifier)) return specifier; ` +
    `const e = new Error("Cannot find package '" + specifier + "' imported from " + ${JSON.stringify(filename)} + ": only a literal import.meta.resolve() specifier is resolved in the gopkgr sandbox"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; }`;
  const env = runner === 'vitest' ? `, env: ${JSON.stringify(VITEST_ENV)}` : '';
  return `const ${META} = { __proto__: null, dirname: ${JSON.stringify(dirname)}, filename: ${JSON.stringify(filename)}, ${resolve}, url: ${JSON.stringify(url)}${env} };`;
}

/** A module text the declaration can go in front of: a `#!` first line stays first (Node ignores it; it is a comment here). */
function prependable(js: string): string {
  return js.startsWith('#!') ? '//' + js.slice(2) : js;
}
