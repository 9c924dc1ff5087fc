/**
 * Every test file is in exactly one vitest project (test/support/projects.ts),
 * and no unit test starts a child process, directly or through a helper it
 * imports: `npm run test:unit` stays in-process and quick.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { E2E_FILES, projectOf } from './support/projects.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROCESS_MODULES = new Set(['child_process', 'node:child_process', 'cluster', 'node:cluster']);

function testFiles(dir = 'test'): string[] {
  const found: string[] = [];
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory() && rel !== 'test/fixtures') found.push(...testFiles(rel));
    else if (e.isFile() && e.name.endsWith('.test.ts')) found.push(rel);
  }
  return found;
}

/** The module specifiers a source imports (static, re-exported, import() and require()); strings elsewhere do not count. */
function specifiersOf(source: string, name = 'x.ts'): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const [arg] = node.arguments;
      if (arg !== undefined && ts.isStringLiteralLike(arg)) out.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(name, source, ts.ScriptTarget.Latest, true));
  return out;
}

/** The chain of files by which `file` reaches a process module, following the project's relative imports; undefined if it does not. */
function processPath(file: string, seen = new Set<string>()): string[] | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  for (const spec of specifiersOf(readFileSync(path.join(ROOT, file), 'utf8'), file)) {
    if (PROCESS_MODULES.has(spec)) return [file, spec];
    if (!spec.startsWith('.')) continue;
    const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)).split(path.sep).join('/');
    if (!existsSync(path.join(ROOT, target))) continue;
    const rest = processPath(target, seen);
    if (rest !== undefined) return [file, ...rest];
  }
  return undefined;
}

describe('the project checks themselves', () => {
  it('see imports, re-exports, import() and require(), and not a module name inside a string', () => {
    const source = [
      "import { a } from './a.ts';",
      "export { b } from 'node:child_process';",
      "const c = await import('node:cluster');",
      "const d = require('child_process');",
      "const e = `import { execSync } from 'node:child_process'`;",
    ].join('\n');
    expect(specifiersOf(source)).toEqual(['./a.ts', 'node:child_process', 'node:cluster', 'child_process']);
  });

  it('place files by folder and by the e2e list, and nothing else', () => {
    expect(projectOf('test/layout.test.ts')).toBe('unit');
    expect(projectOf('test/node/rules.test.ts')).toBe('unit');
    expect(projectOf('test/network/partition.test.ts')).toBe('e2e');
    expect(projectOf('test/cli/pack.test.ts')).toBe('e2e');
    expect(projectOf('test/somewhere/new.test.ts')).toBeUndefined();
    expect(projectOf('test/node/helpers.ts')).toBeUndefined();
  });

  it('find the child processes of the real e2e tests, through their helpers', () => {
    expect(processPath('test/network/socketErrorGuard.test.ts')).toEqual(['test/network/socketErrorGuard.test.ts', 'node:child_process']);
    expect(processPath('test/e2e/quickstart.test.ts')).toEqual(['test/e2e/quickstart.test.ts', 'test/support/processes.ts', 'node:child_process']);
  });
});

describe('test projects', () => {
  const files = testFiles();

  it('every test file belongs to the unit or the e2e project', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files.filter((f) => projectOf(f) === undefined)).toEqual([]);
  });

  it('every file the e2e list names exists', () => {
    expect(E2E_FILES.filter((f) => !existsSync(path.join(ROOT, f)))).toEqual([]);
  });

  it('no unit test starts a child process', () => {
    const spawning = files.filter((f) => projectOf(f) === 'unit').map((f) => processPath(f)).filter((p) => p !== undefined);
    expect(spawning.map((p) => p.join(' -> '))).toEqual([]);
  });
});
