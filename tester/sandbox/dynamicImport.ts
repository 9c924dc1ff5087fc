/**
 * `import('literal')` in the sandbox. isolated-vm gives an isolate no hook for
 * dynamic import (V8 rejects it with "Not supported"), and the isolate cannot
 * call out to load a module anyway. So the host finds each `import()` whose
 * specifier is a string literal (by a parse: text in strings and comments
 * stays), resolves it from the importing module as an `import` would, adds
 * the target to the file's module registry, and rewrites the call to
 * `__gopkgr_import("<key>")` (tester/shims/node.js), which hands back a
 * promise of the target's namespace: an ES module's own (one only import()
 * reaches is evaluated when the call asks for it, between two macrotasks, so
 * the tests it registers nest in the running test as in Node; see
 * modules.ts), or a CommonJS module's exports as `default` and its own keys. The rewrite keeps line numbers.
 * Every other `import()` (a computed specifier, a Node built-in, a literal the
 * host cannot resolve) becomes `__gopkgr_import_dynamic("<importer>", spec)`,
 * which the isolate resolves when it runs: a built-in the sandbox gives, or a
 * package module the host prepared for the file, as a literal would; one it
 * cannot give rejects as `unsupported`, never as a failure for lack of support.
 */
import { GopkgrError } from '../../ledger/index.ts';
import { describeKey, type Resolver } from '../resolve.ts';
import { sandboxPath } from './paths.ts';
import { loadTs } from '../transpile.ts';

const MAY_IMPORT = /\bimport\s*\(/;

export interface Rewritten {
  code: string;
  /** module keys the rewritten calls load */
  targets: string[];
  /** some call is resolved in the isolate (it needs the package's file list to tell a missing file) */
  dynamic: boolean;
}

export async function rewriteDynamicImports(js: string, key: string, resolver: Resolver): Promise<Rewritten> {
  if (!MAY_IMPORT.test(js)) return { code: js, targets: [], dynamic: false };
  const ts = await loadTs();
  const file = ts.createSourceFile(describeKey(key), js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const edits: { start: number; end: number; text: string }[] = [];
  const targets = new Set<string>();
  const importer = sandboxPath(key);
  let dynamic = false;
  const visit = (node: import('typescript').Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments.length >= 1) {
      const arg = node.arguments[0]!;
      let target: string | undefined;
      if (ts.isStringLiteralLike(arg)) {
        try {
          target = resolver.resolve(arg.text, key, 'import');
        } catch (err) {
          if (!(err instanceof GopkgrError)) throw err;
        }
      }
      if (target !== undefined && !target.startsWith('builtin:')) {
        targets.add(target);
        edits.push({ start: node.getStart(file), end: node.end, text: `__gopkgr_import(${JSON.stringify(target)})` });
      } else {
        // resolved in the isolate when it runs: `import(` becomes the call, the arguments stay as they are
        dynamic = true;
        edits.push({ start: node.getStart(file), end: arg.getStart(file), text: `__gopkgr_import_dynamic(${JSON.stringify(importer)}, ` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (edits.length === 0) return { code: js, targets: [], dynamic: false };
  let code = '';
  let at = 0;
  for (const e of edits) {
    // the call's own line breaks stay, so the lines after it keep their numbers
    const breaks = js.slice(e.start, e.end).split('\n').length - 1;
    code += js.slice(at, e.start) + e.text + '\n'.repeat(breaks);
    at = e.end;
  }
  code += js.slice(at);
  return { code, targets: [...targets], dynamic };
}
