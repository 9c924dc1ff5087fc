/**
 * The top-level import and re-export statements of a file without the
 * TypeScript compiler, which costs a fresh `gopkgr get` 0.65–0.9 s to load on
 * a busy machine, for what is usually a handful of import lines.
 *
 * A tokenizer that knows exactly enough JavaScript to keep track of nesting:
 * strings, template literals (with `${}` inside), comments, regular
 * expressions, and brackets. An `import` or `export` token outside every
 * bracket, at the start of a statement, is read with the grammar of the
 * statement shapes TypeScript's parser accepts (parseImportDeclarationOr-
 * ImportEqualsDeclaration, parseExportDeclaration): the same specifier, the
 * same statement end (past its `;`), the same type-only flag.
 *
 * Where JavaScript is ambiguous to a tokenizer without a parser, it gives up
 * (returns undefined) and the caller parses the file with TypeScript instead,
 * so a result is either TypeScript's or not given:
 * - a `/` after `}`, `++`, `--`, or after `of`, `yield`, `await` (regex or division);
 * - a `<` where an expression starts in a file TypeScript reads as JSX
 *   (.tsx, .js, .mjs: JSX text is not JavaScript);
 * - a backslash outside strings and comments (escaped identifiers), a string
 *   specifier with an escape, an unterminated string, comment, regex or template,
 *   unbalanced brackets, merge-conflict markers (TypeScript skips those as trivia);
 * - an `import`/`export` at top level whose statement start or shape is not one
 *   of the plain ones below (`import defer`, an import after `)` or a keyword…).
 * test/cli/scanImports.test.ts compares the two readers over the tag tests'
 * sources and a corpus of real files.
 */
import type { ImportStatement } from './structTag.ts';

/** The scanner met something it does not read the way TypeScript would: the caller asks TypeScript. */
class Unsure extends Error {}

type Kind = 'word' | 'punct' | 'string' | 'number' | 'template' | 'regex' | 'eof';

interface Token {
  kind: Kind;
  start: number;
  end: number;
  /** the word, the punctuator, or the string's raw text between its quotes */
  text: string;
  /** a word right after `.` or `?.`: a property name, never a keyword */
  property?: boolean;
  /** a `!` right after a value on its line: TypeScript's non-null assertion, after which a `/` divides */
  postfix?: boolean;
  /** a `)` closing `if (…)`, `while (…)`, `for (…)` or `with (…)`: a regex may follow */
  closesCondition?: boolean;
}

/** Words after which a `/` starts a regular expression. */
const BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'extends']);
/** Words that are a keyword or an identifier by context: a `/` after them is ambiguous. */
const AMBIGUOUS_BEFORE_SLASH = new Set(['of', 'yield', 'await']);
/** Words whose `(` holds a condition, after whose `)` a statement (so a regex) may start. */
const CONDITION_KEYWORDS = new Set(['if', 'while', 'for', 'with']);
/** Reserved words: never an imported binding's name, and a statement cannot end with one (`else`, `return`…). */
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends',
  'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this',
  'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with',
]);
/** Reserved words that end an expression (after them a new line starts a statement). */
const VALUE_WORDS = new Set(['this', 'super', 'null', 'true', 'false']);
const MERGE_MARKER = /^(?:<{7}|={7}|>{7}|\|{7})/m;

const isLineBreak = (ch: number): boolean => ch === 10 || ch === 13 || ch === 0x2028 || ch === 0x2029;
const isWideWhiteSpace = (ch: number): boolean =>
  ch === 160 || ch === 133 || ch === 5760 || (ch >= 8192 && ch <= 8203) || ch === 8239 || ch === 8287 || ch === 12288 || ch === 65279 || ch === 0x2028 || ch === 0x2029;
const isDigit = (ch: number): boolean => ch >= 48 && ch <= 57;
const isWordChar = (ch: number): boolean =>
  (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || isDigit(ch) || ch === 95 || ch === 36 || (ch > 127 && !isWideWhiteSpace(ch));

/** Files TypeScript parses with JSX (ScriptKind TSX and JS, as parseTags.ts chooses). */
function isJsx(file: string): boolean {
  return !(file.endsWith('.ts') || file.endsWith('.mts') || file.endsWith('.cts'));
}

/** Bracket stack entries: `(` (with whether it holds a condition), `[`, `{`, and `${` of a template. */
type Open = '(' | '(?' | '[' | '{' | '${';

class Lexer {
  pos = 0;
  /** the last token read, for the regex-or-division decision */
  prev: Token | undefined;
  readonly stack: Open[] = [];

  constructor(private readonly text: string, private readonly jsx: boolean) {
    if (text.startsWith('#!')) while (this.pos < text.length && !isLineBreak(text.charCodeAt(this.pos))) this.pos++;
  }

  /** Whether a line break lies between offsets (trivia only: whitespace and comments). */
  lineBreakBetween(from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (isLineBreak(this.text.charCodeAt(i))) return true;
    return false;
  }

  private skipTrivia(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const ch = t.charCodeAt(this.pos);
      if (ch === 32 || ch === 9 || ch === 10 || ch === 13 || ch === 11 || ch === 12 || (ch > 127 && isWideWhiteSpace(ch))) {
        this.pos++;
      } else if (ch === 47 && t.charCodeAt(this.pos + 1) === 47) {
        while (this.pos < t.length && !isLineBreak(t.charCodeAt(this.pos))) this.pos++;
      } else if (ch === 47 && t.charCodeAt(this.pos + 1) === 42) {
        const close = t.indexOf('*/', this.pos + 2);
        if (close < 0) throw new Unsure('unterminated comment');
        this.pos = close + 2;
      } else return;
    }
  }

  /** Whether an expression may start here (so a `/` starts a regular expression, a `<` JSX), else an operator follows a value. */
  private expressionMayStart(): boolean {
    const p = this.prev;
    if (p === undefined) return true;
    switch (p.kind) {
      case 'number': case 'string': case 'regex': case 'template': return false;
      case 'word':
        if (p.property === true) return false;
        if (AMBIGUOUS_BEFORE_SLASH.has(p.text)) throw new Unsure(`/ or < after ${p.text}`);
        return BEFORE_EXPRESSION.has(p.text);
      case 'punct':
        if (p.text === ')') return p.closesCondition === true;
        if (p.text === ']') return false;
        // `x!` (TypeScript's non-null assertion) is a value; `!x` is not.
        if (p.text === '}' || p.text === '++' || p.text === '--' || p.postfix === true) throw new Unsure(`/ or < after ${p.text}`);
        return true;
      default: return true;
    }
  }

  /**
   * Whether a `/` here starts a regular expression. A dividing `/` at the start
   * of a line is left to TypeScript: after a statement that ends without a `;`
   * (an import, a type annotation) TypeScript reads a regex there.
   */
  private slashStartsRegex(): boolean {
    if (this.expressionMayStart()) return true;
    if (this.lineBreakBetween(this.prev!.end, this.pos)) throw new Unsure('/ at the start of a line');
    return false;
  }

  private token(kind: Kind, start: number, text: string, extra: Partial<Token> = {}): Token {
    const tok: Token = { kind, start, end: this.pos, text, ...extra };
    this.prev = tok;
    return tok;
  }

  /** Template characters from here to the closing backquote (a template token) or to a `${` (pushed; a punctuator token). */
  private templateRest(start: number): Token {
    const t = this.text;
    while (this.pos < t.length) {
      const ch = t.charCodeAt(this.pos);
      if (ch === 92) this.pos += 2;
      else if (ch === 96) {
        this.pos++;
        return this.token('template', start, '');
      } else if (ch === 36 && t.charCodeAt(this.pos + 1) === 123) {
        this.pos += 2;
        this.stack.push('${');
        return this.token('punct', start, '${');
      } else this.pos++;
    }
    throw new Unsure('unterminated template');
  }

  next(): Token {
    this.skipTrivia();
    const t = this.text;
    const start = this.pos;
    if (start >= t.length) return { kind: 'eof', start, end: start, text: '' };
    const ch = t.charCodeAt(start);
    if (ch === 39 || ch === 34) {
      let i = start + 1;
      for (;;) {
        if (i >= t.length) throw new Unsure('unterminated string');
        const c = t.charCodeAt(i);
        if (c === ch) break;
        if (c === 92) {
          i += t.charCodeAt(i + 1) === 13 && t.charCodeAt(i + 2) === 10 ? 3 : 2;
          continue;
        }
        if (c === 10 || c === 13) throw new Unsure('unterminated string');
        i++;
      }
      this.pos = i + 1;
      return this.token('string', start, t.slice(start + 1, i));
    }
    if (ch === 96) {
      this.pos++;
      return this.templateRest(start);
    }
    if (isDigit(ch) || (ch === 46 && isDigit(t.charCodeAt(start + 1)))) {
      let i = start + 1;
      while (i < t.length) {
        const c = t.charCodeAt(i);
        // Exponent signs belong to the number: 1e+5.
        if (isWordChar(c) || c === 46) i++;
        else if ((c === 43 || c === 45) && (t.charCodeAt(i - 1) | 32) === 101 && !/^0[xX]/.test(t.slice(start, i))) i++;
        else break;
      }
      this.pos = i;
      return this.token('number', start, t.slice(start, i));
    }
    if (isWordChar(ch) || ch === 35) {
      let i = start + 1;
      while (i < t.length && isWordChar(t.charCodeAt(i))) i++;
      this.pos = i;
      const property = this.prev?.kind === 'punct' && (this.prev.text === '.' || this.prev.text === '?.');
      return this.token('word', start, t.slice(start, i), property ? { property } : {});
    }
    if (ch === 92) throw new Unsure('escaped identifier');
    if (ch === 47 && this.slashStartsRegex()) {
      let i = start + 1;
      let inClass = false;
      for (;;) {
        if (i >= t.length || isLineBreak(t.charCodeAt(i))) throw new Unsure('unterminated regex');
        const c = t.charCodeAt(i);
        if (c === 92) i++;
        else if (c === 91) inClass = true;
        else if (c === 93) inClass = false;
        else if (c === 47 && !inClass) break;
        i++;
      }
      i++;
      while (i < t.length && isWordChar(t.charCodeAt(i))) i++;
      this.pos = i;
      return this.token('regex', start, '');
    }
    this.pos = start + 1;
    switch (ch) {
      case 40: {
        const cond = this.prev?.kind === 'word' && this.prev.property !== true && CONDITION_KEYWORDS.has(this.prev.text);
        this.stack.push(cond ? '(?' : '(');
        return this.token('punct', start, '(');
      }
      case 41: {
        const open = this.stack.pop();
        if (open !== '(' && open !== '(?') throw new Unsure('unbalanced )');
        return this.token('punct', start, ')', open === '(?' ? { closesCondition: true } : {});
      }
      case 91:
        this.stack.push('[');
        return this.token('punct', start, '[');
      case 93:
        if (this.stack.pop() !== '[') throw new Unsure('unbalanced ]');
        return this.token('punct', start, ']');
      case 123:
        this.stack.push('{');
        return this.token('punct', start, '{');
      case 125: {
        const open = this.stack.pop();
        if (open === '${') return this.templateRest(start);
        if (open !== '{') throw new Unsure('unbalanced }');
        return this.token('punct', start, '}');
      }
      case 60:
        if (this.jsx && this.expressionMayStart()) throw new Unsure('JSX');
        return this.token('punct', start, '<');
      case 63:
        if (t.charCodeAt(start + 1) === 46 && !isDigit(t.charCodeAt(start + 2))) {
          this.pos++;
          return this.token('punct', start, '?.');
        }
        return this.token('punct', start, '?');
      case 43: case 45:
        if (t.charCodeAt(start + 1) === ch) {
          this.pos++;
          return this.token('punct', start, ch === 43 ? '++' : '--');
        }
        return this.token('punct', start, String.fromCharCode(ch));
      case 33:
        if (t.charCodeAt(start + 1) !== 61 && this.prev !== undefined && !this.expressionMayStart() && !this.lineBreakBetween(this.prev.end, start)) {
          return this.token('punct', start, '!', { postfix: true });
        }
        return this.token('punct', start, '!');
      default:
        // One character at a time: which operator it is does not matter here, only that an expression may follow it.
        return this.token('punct', start, String.fromCharCode(ch));
    }
  }
}

/** A word as TypeScript's isIdentifier would take it for an imported binding's name. */
const isBinding = (tok: Token): boolean => tok.kind === 'word' && !RESERVED.has(tok.text) && tok.text[0] !== '#';
const isPunct = (tok: Token, text: string): boolean => tok.kind === 'punct' && tok.text === text;
const isWord = (tok: Token, text: string): boolean => tok.kind === 'word' && tok.text === text;

/** Reads statements from the lexer's tokens; each reader returns the statement or undefined when there is none. */
class StatementReader {
  private readonly lex: Lexer;
  private pending: Token | undefined;
  /** the last token taken (the lexer may have read one more, peeked) */
  private last: Token | undefined;
  /** where the last import or re-export read ended: a statement starts after it */
  private statementEnd = -1;
  readonly found: ImportStatement[] = [];

  constructor(private readonly text: string, file: string) {
    this.lex = new Lexer(text, isJsx(file));
  }

  private peek(): Token {
    return (this.pending ??= this.lex.next());
  }

  private take(): Token {
    const tok = this.peek();
    this.pending = undefined;
    this.last = tok;
    return tok;
  }

  run(): ImportStatement[] {
    for (;;) {
      const before = this.last;
      const tok = this.take();
      if (tok.kind === 'eof') break;
      if (this.lex.stack.length === 0 && tok.kind === 'word' && tok.property !== true && (tok.text === 'import' || tok.text === 'export')) {
        const read = tok.text === 'import' ? this.importStatement(tok, before, false) : this.exportStatement(tok, before);
        if (read !== undefined) {
          this.found.push(read);
          this.statementEnd = read.end;
        }
      }
    }
    if (this.lex.stack.length > 0) throw new Unsure('unclosed bracket');
    return this.found;
  }

  /** `import`/`export` at top level starts a statement where TypeScript's statement list would start one. */
  private checkStatementStart(keyword: Token, before: Token | undefined): void {
    if (before === undefined) return;
    if ((before.kind === 'punct' && (before.text === ';' || before.text === '}')) || before.end === this.statementEnd) return;
    // Otherwise only after a line break that ends the statement before (ASI), and after a token that can end one.
    const endsValue = before.kind === 'string' || before.kind === 'number' || before.kind === 'template' || before.kind === 'regex'
      || isPunct(before, ']') || (before.kind === 'word' && (before.property === true || !RESERVED.has(before.text) || VALUE_WORDS.has(before.text)));
    if (!endsValue || !this.lex.lineBreakBetween(before.end, keyword.start)) throw new Unsure('import or export after a token that may continue the statement');
  }

  /** The specifier string of an import or re-export (no escapes: `"\x40a/b"` is left to TypeScript). */
  private specifier(): Token {
    const tok = this.take();
    if (tok.kind !== 'string') throw new Unsure('module specifier is not a string');
    if (tok.text.includes('\\')) throw new Unsure('escape in a module specifier');
    return tok;
  }

  /** After the specifier: `with {…}`/`assert {…}` on the same line, then an optional `;`. */
  private finish(spec: Token, typeOnly: boolean): ImportStatement {
    let end = spec.end;
    const next = this.peek();
    if ((isWord(next, 'with') || isWord(next, 'assert')) && !this.lex.lineBreakBetween(spec.end, next.start)) {
      this.take();
      if (!isPunct(this.take(), '{')) throw new Unsure('import attributes');
      end = this.skipList();
    }
    if (isPunct(this.peek(), ';')) end = this.take().end;
    return { specifier: spec.text, specStart: spec.start, specEnd: spec.end, end, typeOnly };
  }

  /** The rest of a `{ a, b as c, "d" as e }` list (or of import attributes `{ type: "json" }`) after its `{`; returns the end of `}`. */
  private skipList(): number {
    for (;;) {
      const tok = this.take();
      if (isPunct(tok, '}')) return tok.end;
      if (!(tok.kind === 'word' || tok.kind === 'string' || isPunct(tok, ',') || isPunct(tok, ':'))) throw new Unsure('unexpected token in a braced list');
    }
  }

  /** `from "x"` and what follows it. */
  private from(typeOnly: boolean): ImportStatement {
    if (!isWord(this.take(), 'from')) throw new Unsure('expected from');
    return this.finish(this.specifier(), typeOnly);
  }

  /** `= require("x")` after an import-equals' name; undefined for `= A.B` (no module). */
  private importEquals(typeOnly: boolean): ImportStatement | undefined {
    if (!isWord(this.peek(), 'require')) return undefined;
    this.take();
    if (!isPunct(this.peek(), '(')) throw new Unsure('require without (');
    this.take();
    const spec = this.specifier();
    const close = this.take();
    if (!isPunct(close, ')')) throw new Unsure('require( without )');
    const end = isPunct(this.peek(), ';') ? this.take().end : close.end;
    return { specifier: spec.text, specStart: spec.start, specEnd: spec.end, end, typeOnly };
  }

  /** After a default import's name: `from`, `, * as x from`, `, { … } from`. */
  private afterDefault(typeOnly: boolean): ImportStatement {
    if (isPunct(this.peek(), ',')) {
      this.take();
      this.bindings();
    }
    return this.from(typeOnly);
  }

  /** `* as x` or `{ … }`. */
  private bindings(): void {
    const tok = this.take();
    if (isPunct(tok, '*')) {
      if (!isWord(this.take(), 'as') || !isBinding(this.take())) throw new Unsure('namespace import');
    } else if (isPunct(tok, '{')) this.skipList();
    else throw new Unsure('import clause');
  }

  /** After `import` (or `export import`, `equalsOnly`): the statement, or undefined for `import(…)`, `import.meta`, `import x = A.B`. */
  private importStatement(keyword: Token, before: Token | undefined, equalsOnly: boolean): ImportStatement | undefined {
    const first = this.peek();
    if (isPunct(first, '(') || isPunct(first, '.')) return undefined;
    if (!equalsOnly) this.checkStatementStart(keyword, before);
    if (first.kind === 'string' && !equalsOnly) return this.finish(this.specifier(), false);
    if (isPunct(first, '*') || isPunct(first, '{')) {
      if (equalsOnly) throw new Unsure('export import without =');
      this.bindings();
      return this.from(false);
    }
    if (!isBinding(first) || first.text === 'defer') throw new Unsure('import clause');
    this.take();
    let typeOnly = false;
    if (first.text === 'type') {
      const second = this.peek();
      if (isWord(second, 'from')) {
        // `import type from "x"`: a default import named type; `import type from from "x"` is left to TypeScript.
        this.take();
        if (equalsOnly || this.peek().kind !== 'string') throw new Unsure('import type from');
        return this.finish(this.specifier(), false);
      }
      if (isPunct(second, '*') || isPunct(second, '{')) {
        if (equalsOnly) throw new Unsure('export import type');
        this.bindings();
        return this.from(true);
      }
      if (isBinding(second)) {
        this.take();
        typeOnly = true;
      } else if (!isPunct(second, '=') && !isPunct(second, ',')) throw new Unsure('import type');
    }
    const after = this.peek();
    if (isPunct(after, '=')) {
      this.take();
      return this.importEquals(typeOnly);
    }
    if (equalsOnly) throw new Unsure('export import without =');
    if (typeOnly && isPunct(after, ',')) throw new Unsure('import type with two clauses');
    return this.afterDefault(typeOnly);
  }

  /** After `export`: a re-export (`* from`, `* as x from`, `{…} from`, their `type` forms, `import x = require()`), or undefined for any other export. */
  private exportStatement(keyword: Token, before: Token | undefined): ImportStatement | undefined {
    let first = this.peek();
    if (isWord(first, 'import')) {
      this.checkStatementStart(keyword, before);
      this.take();
      return this.importStatement(first, before, true);
    }
    let typeOnly = false;
    if (isWord(first, 'type')) {
      this.take();
      first = this.peek();
      // `export type X = …`: a type alias, read on as ordinary tokens.
      if (!isPunct(first, '{') && !isPunct(first, '*')) return undefined;
      typeOnly = true;
    }
    if (isPunct(first, '*')) {
      this.checkStatementStart(keyword, before);
      this.take();
      if (isWord(this.peek(), 'as')) {
        this.take();
        const name = this.take();
        if (!(name.kind === 'word' || name.kind === 'string')) throw new Unsure('export * as');
      }
      return this.from(typeOnly);
    }
    if (isPunct(first, '{')) {
      this.checkStatementStart(keyword, before);
      this.take();
      const close = this.skipList();
      const next = this.peek();
      if (isWord(next, 'from')) return this.from(typeOnly);
      // TypeScript reads a string right after the list as a specifier without `from` (and reports it).
      if (next.kind === 'string' && !this.lex.lineBreakBetween(close, next.start)) throw new Unsure('export list then a string');
      return undefined;
    }
    return undefined;
  }
}

/**
 * The top-level import and re-export statements of `text` with a string
 * specifier, as TypeScript's parser finds them, or undefined when this scanner
 * cannot be sure (parse the file with TypeScript then).
 */
export function scanImports(file: string, text: string): ImportStatement[] | undefined {
  if (MERGE_MARKER.test(text)) return undefined;
  try {
    return new StatementReader(text, file).run();
  } catch (err) {
    if (err instanceof Unsure) return undefined;
    throw err;
  }
}
