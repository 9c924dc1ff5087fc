/**
 * The error-code registry (ledger/errorCodes/) against the source tree: every
 * code a throw site, a verdict or a check names is in the table, every table
 * entry is still named somewhere (no stale codes), and each entry is well
 * formed. The type ErrorCode already refuses an unknown literal at compile
 * time; this test also catches codes that reach the table only as text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ERROR_CODE_AREAS, ERROR_CODES, isErrorCode } from '../../ledger/errorCodes/index.ts';
import { GopkgrError, asGopkgrError, errorFromAnswer, isGopkgrError } from '../../ledger/errors.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE_DIRS = ['ledger', 'consensus', 'resolver', 'infver', 'node', 'tester', 'miner', 'cli', 'bin'];
/** The registry itself, and code that runs inside the sandbox (not the project's errors). */
const NOT_SCANNED = ['ledger/errorCodes', 'tester/shims'];

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (NOT_SCANNED.includes(rel)) continue;
    if (e.isDirectory()) found.push(...sourceFiles(rel));
    else if (e.isFile() && /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')) found.push(rel);
  }
  return found;
}

/** Callees whose argument at the index names an error code. */
const CODE_ARGUMENT: Readonly<Record<string, number>> = {
  GopkgrError: 0, // new GopkgrError(code, …)
  isGopkgrError: 1, // isGopkgrError(err, code)
  asGopkgrError: 1, // asGopkgrError(err, fallback)
  reject: 0, // ledger/rules.ts, resolver/checkLockTree.ts, gossip verdicts
  ignore: 0, // gossip verdicts
  Abort: 0, // sandbox aborts
  fatal: 0,
};

interface Use {
  code: string;
  where: string;
}

/** The string literals of an expression that can be its value (`a ?? 'X'`, `c ? 'X' : 'Y'`). */
function literalsOf(node: ts.Expression): ts.StringLiteral[] {
  if (ts.isStringLiteral(node)) return [node];
  if (ts.isParenthesizedExpression(node)) return literalsOf(node.expression);
  if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || node.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    return [...literalsOf(node.left), ...literalsOf(node.right)];
  }
  if (ts.isConditionalExpression(node)) return [...literalsOf(node.whenTrue), ...literalsOf(node.whenFalse)];
  return [];
}

/** Codes in code positions: arguments of the callees above, `reason:` of a verdict object, a code parameter's default. */
function codeUses(rel: string, src: ts.SourceFile): Use[] {
  const uses: Use[] = [];
  const add = (lit: ts.StringLiteral): void => {
    const { line } = src.getLineAndCharacterOfPosition(lit.getStart(src));
    uses.push({ code: lit.text, where: `${rel}:${line + 1}` });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && ts.isIdentifier(node.expression)) {
      const index = CODE_ARGUMENT[node.expression.text];
      const arg = index === undefined ? undefined : node.arguments?.[index];
      if (arg !== undefined) literalsOf(arg).forEach(add);
    }
    // `reason:` is also a sentence elsewhere (InfVer's lower bound): only code-shaped literals are codes there.
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'reason') literalsOf(node.initializer).filter((l) => /^[A-Z][A-Z0-9_]*$/.test(l.text)).forEach(add);
    // A default code: asGopkgrError(err, fallbackCode = 'INTERNAL').
    if (ts.isParameter(node) && ts.isIdentifier(node.name) && /code$/i.test(node.name.text) && node.initializer !== undefined) literalsOf(node.initializer).forEach(add);
    ts.forEachChild(node, visit);
  };
  visit(src);
  return uses;
}

const files = SOURCE_DIRS.flatMap(sourceFiles).map((rel) => {
  const text = readFileSync(path.join(ROOT, rel), 'utf8');
  return { rel, src: ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true) };
});
const uses = files.flatMap(({ rel, src }) => codeUses(rel, src));

/** Every string literal of the source tree (outside the registry). */
function allLiterals(): Set<string> {
  const seen = new Set<string>();
  for (const { src } of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) seen.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(src);
  }
  return seen;
}

describe('error code registry', () => {
  const codes = Object.keys(ERROR_CODES);

  it('finds the throw sites it checks (the scan is not blind)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(uses.length).toBeGreaterThan(200);
    expect(uses.map((u) => u.code)).toEqual(expect.arrayContaining(['BLOCK_BAD_POW', 'TX_BAD_NONCE', 'NET_DUPLICATE', 'SANDBOX_TIMEOUT', 'RESOLVE_CONFLICT', 'INTERNAL', 'HTTP_ERROR', 'NET_INTERNAL']));
  });

  it('holds every code the source tree throws, checks or reports', () => {
    const missing = uses.filter((u) => !isErrorCode(u.code)).map((u) => `${u.code} (${u.where})`);
    expect(missing).toEqual([]);
  });

  it('holds no code that nothing in the source tree names any more', () => {
    const literals = allLiterals();
    expect(codes.filter((c) => !literals.has(c))).toEqual([]);
  });

  it('spells every code in UPPER_SNAKE case', () => {
    expect(codes.filter((c) => !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(c))).toEqual([]);
  });

  it('gives every code an HTTP error status, a blame and a summary', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect({ code, known: STATUS_CODES[info.status] !== undefined, error: info.status >= 400 && info.status <= 599 }).toEqual({ code, known: true, error: true });
      expect({ code, blame: ['sender', 'none'].includes(info.blame) }).toEqual({ code, blame: true });
      expect({ code, summary: info.summary.trim().length > 0 && !info.summary.includes('\n') }).toEqual({ code, summary: true });
    }
  });

  it('puts each code in exactly one area', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [area, table] of Object.entries(ERROR_CODE_AREAS)) {
      for (const code of Object.keys(table)) {
        if (seen.has(code)) twice.push(`${code} in ${seen.get(code)} and ${area}`);
        seen.set(code, area);
      }
    }
    expect(twice).toEqual([]);
    expect(seen.size).toBe(codes.length);
  });
});

describe('GopkgrError and the registry', () => {
  it('takes its HTTP status from the code, unless the throw site gives one', () => {
    expect(new GopkgrError('NOT_FOUND', 'x').status).toBe(404);
    expect(new GopkgrError('MEMPOOL_FULL', 'x').status).toBe(503);
    expect(new GopkgrError('TX_BAD_NONCE', 'x').status).toBe(400);
    expect(new GopkgrError('NOT_FOUND', 'x', { status: 410 }).status).toBe(410);
  });

  it('takes its blame from the code, whatever the status', () => {
    expect(new GopkgrError('BLOCK_BAD_POW', 'x', { status: 500 }).blame).toBe('sender');
    expect(new GopkgrError('NET_TIMEOUT', 'x').blame).toBe('none');
    expect(asGopkgrError(new Error('disk on fire')).blame).toBe('none');
  });

  it('narrows only known codes, never inherited property names', () => {
    expect(isErrorCode('TX_BAD_NONCE')).toBe(true);
    for (const text of ['tx_bad_nonce', 'NOT_A_CODE', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) expect(isErrorCode(text)).toBe(false);
    for (const value of [undefined, null, 7, {}, ['TX_BAD_NONCE']]) expect(isErrorCode(value)).toBe(false);
  });

  it('keeps a known code a node answered, and turns an unknown one into HTTP_ERROR that still names it', () => {
    const known = errorFromAnswer({ code: 'RESOLVE_CONFLICT', message: 'no solution', hint: 'relax a range' }, 409);
    expect(isGopkgrError(known, 'RESOLVE_CONFLICT')).toBe(true);
    expect({ message: known.message, hint: known.hint, status: known.status }).toEqual({ message: 'no solution', hint: 'relax a range', status: 409 });
    const unknown = errorFromAnswer({ code: 'FUTURE_CODE', message: 'from a newer node' }, 418);
    expect({ code: unknown.code, message: unknown.message, status: unknown.status }).toEqual({ code: 'HTTP_ERROR', message: 'FUTURE_CODE: from a newer node', status: 418 });
    const junk = errorFromAnswer({ code: { toString: 1 }, message: 42 }, 500);
    expect({ code: junk.code, message: junk.message, hint: junk.hint }).toEqual({ code: 'HTTP_ERROR', message: 'HTTP 500', hint: undefined });
    expect(errorFromAnswer(undefined, 502).message).toBe('HTTP 502');
  });
});
