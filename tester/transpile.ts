/**
 * TypeScript to JavaScript before a module enters the sandbox. Only type syntax is
 * removed (ts.transpileModule: one file at a time, no type checking, no module
 * rewriting), so the import specifiers stay as written and the sandbox's resolver
 * sees what `node --import tsx` would. `typescript` is loaded on first use: a
 * JavaScript-only package never pays its ~0.3 s load.
 */
import { createRequire } from 'node:module';
import { GopkgrError } from '../ledger/index.ts';

type Ts = typeof import('typescript');
let tsModule: Promise<Ts> | undefined;

/** Through `require`: importing the 9 MB CommonJS file as an ES module costs Node 20 another ~0.4 s. */
export function loadTs(): Promise<Ts> {
  tsModule ??= Promise.resolve(createRequire(import.meta.url)('typescript') as Ts);
  return tsModule;
}

export const TS_EXTENSIONS = ['.ts', '.mts', '.tsx'];

export function isTypeScript(path: string): boolean {
  return TS_EXTENSIONS.some((ext) => path.endsWith(ext)) && !path.endsWith('.d.ts');
}

/** `commonjs`: a CommonJS TypeScript module (.cts, or no ES syntax), emitted as CommonJS as tsx does. */
export async function transpile(path: string, source: string, commonjs = false): Promise<string> {
  const ts = await loadTs();
  try {
    const result = ts.transpileModule(source, {
      fileName: path,
      reportDiagnostics: false,
      compilerOptions: {
        module: commonjs ? ts.ModuleKind.CommonJS : ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        jsx: ts.JsxEmit.ReactJSX,
        isolatedModules: true,
        verbatimModuleSyntax: false,
        useDefineForClassFields: true,
        sourceMap: false,
        inlineSourceMap: false,
      },
    });
    return result.outputText;
  } catch (err) {
    throw new GopkgrError('TEST_TRANSPILE', `${path}: TypeScript could not transpile it: ${(err as Error).message}`);
  }
}

/**
 * jest's hoisting (what babel-jest's plugin does to every module it
 * transforms): the file's top-level `jest.mock(...)` and `jest.unmock(...)`
 * statements move above everything else, so they are registered before the
 * require() calls they are written after. Statement order among them is kept;
 * a "use strict" prologue stays first.
 */
export async function hoistJestMocks(path: string, js: string): Promise<string> {
  const ts = await loadTs();
  const file = ts.createSourceFile(path, js, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const isHoisted = (s: import('typescript').Statement): boolean => {
    if (!ts.isExpressionStatement(s) || !ts.isCallExpression(s.expression)) return false;
    const callee = s.expression.expression;
    return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'jest' && (callee.name.text === 'mock' || callee.name.text === 'unmock');
  };
  const hoisted = file.statements.filter(isHoisted);
  if (hoisted.length === 0) return js;
  let prologueEnd = 0;
  for (const s of file.statements) {
    if (ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression)) prologueEnd = s.end;
    else break;
  }
  let rest = '';
  let at = prologueEnd;
  for (const s of hoisted) {
    rest += js.slice(at, s.getFullStart());
    at = s.end;
  }
  rest += js.slice(at);
  return `${js.slice(0, prologueEnd)}\n${hoisted.map((s) => js.slice(s.getStart(file), s.end)).join('\n')}\n${rest}`;
}

export interface ViMock {
  specifier: string;
  /** the factory's source text */
  factory: string;
  /** the keys of the object it returns (`default` included) */
  names: string[];
}

/**
 * vitest's `vi.mock(path, factory)` at a test file's top level, when the sandbox
 * can give it without vitest's transform: a literal path and a synchronous
 * factory returning an object literal with plain keys (its export names). Those
 * statements are blanked out of the file (line numbers kept) and returned, so
 * the module graph links the factory's module in place of the mocked one,
 * for every importer, before any code runs, as vitest's hoisting does. Any
 * other use (no factory, vi.hoisted, a spread) stays in the file and is
 * reported unsupported when it runs.
 */
export async function extractViMocks(path: string, js: string): Promise<{ code: string; mocks: ViMock[] }> {
  if (!/\bvi\s*\.\s*mock\s*\(/.test(js) || /\bvi\s*\.\s*hoisted\s*\(/.test(js)) return { code: js, mocks: [] };
  const ts = await loadTs();
  const file = ts.createSourceFile(path, js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const mocks: ViMock[] = [];
  let code = js;
  for (const s of file.statements) {
    if (!ts.isExpressionStatement(s) || !ts.isCallExpression(s.expression)) continue;
    const call = s.expression;
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression) || callee.expression.text !== 'vi' || callee.name.text !== 'mock') continue;
    const [spec, factory] = call.arguments;
    if (spec === undefined || !ts.isStringLiteralLike(spec) || factory === undefined || !(ts.isArrowFunction(factory) || ts.isFunctionExpression(factory))) continue;
    if (factory.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || factory.parameters.length > 0) continue;
    let body: import('typescript').Expression | undefined;
    if (ts.isArrowFunction(factory) && !ts.isBlock(factory.body)) body = factory.body;
    else if (ts.isBlock(factory.body) && factory.body.statements.length === 1) {
      const only = factory.body.statements[0]!;
      if (ts.isReturnStatement(only)) body = only.expression;
    }
    while (body !== undefined && ts.isParenthesizedExpression(body)) body = body.expression;
    if (body === undefined || !ts.isObjectLiteralExpression(body)) continue;
    const names: string[] = [];
    let plain = true;
    for (const p of body.properties) {
      if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p)) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) names.push(p.name.text);
      else if (ts.isShorthandPropertyAssignment(p)) names.push(p.name.text);
      else plain = false;
    }
    if (!plain) continue;
    mocks.push({ specifier: spec.text, factory: js.slice(factory.getStart(file), factory.end), names });
    const text = js.slice(s.getStart(file), s.end);
    code = code.slice(0, s.getStart(file)) + text.replace(/[^\n]/g, ' ') + code.slice(s.end);
  }
  return { code, mocks };
}
