/**
 * The source layout (DESIGN.md "Layout"): folders are floors, and a module
 * imports only from its own folder or from a lower floor.
 *
 *   floor 1  ledger/                         pure rules; npm: cborg, semver, @noble/*, node:crypto
 *   floor 2  consensus/ resolver/ infver/    import ledger/ only (not each other)
 *   floor 3  node/
 *   floor 4  tester/ miner/                  may import node/ (the miner mines a FullNode's work
 *                                            and starts its threads with node's startWorker);
 *                                            not each other
 *   floor 5  cli/                            nothing imports cli
 *
 * bin/, test/, bench/ and scripts/ are not floors: they may import any floor (bin
 * starts the CLI, tests and benchmarks drive the CLI's code), and no floor imports
 * them. Type-only imports count too: a type from a higher floor is a dependency
 * on it all the same. Every import cycle between the project's modules fails;
 * ledger/, consensus/ and resolver/ read no clock or timer (time is an argument);
 * node/ must not load ts-morph or TypeScript when it starts (only InfVer's
 * extraction does, through a dynamic import the CLI reaches). Proof of work's
 * own modules (consensus/pow/) are imported only inside consensus/ and by miner/
 * (the proof-of-work producer): node/ reaches any consensus through the
 * Consensus interface (consensus/index.ts), so a second kind has a place to go.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const FLOORS: Readonly<Record<string, number>> = {
  ledger: 1,
  consensus: 2,
  resolver: 2,
  infver: 2,
  node: 3,
  tester: 4,
  miner: 4,
  cli: 5,
};
const TOOLS = ['bin', 'test', 'bench', 'scripts'];
/** Not the project's modules: packages the tests feed to the CLI, and code run inside the sandbox. */
const SKIPPED = ['test/fixtures', 'tester/shims'];
/** What the pure ledger may take from outside itself. */
const LEDGER_PACKAGES = [/^cborg$/, /^semver$/, /^@noble\/(hashes|secp256k1)(\/.*)?$/, /^node:crypto$/];
/** Outside consensus/ itself, the folders that may import proof of work's modules: the miner is its producer. */
const POW_IMPORTERS = ['consensus', 'miner'];
/** Deliberate exceptions to the floor rule, `from -> to` (none today; each needs a reason). */
const ALLOWED_UPWARD: readonly string[] = [];

type Kind = 'value' | 'type' | 'dynamic';
interface Edge {
  from: string;
  /** a project file (relative to the root) or a bare package specifier */
  to: string;
  kind: Kind;
  bare: boolean;
}

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (SKIPPED.includes(rel)) continue;
    if (e.isDirectory()) found.push(...sourceFiles(rel));
    else if (e.isFile() && /\.(ts|mjs|js)$/.test(e.name) && !e.name.endsWith('.d.ts')) found.push(rel);
  }
  return found;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false;
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** Every import, export-from and string-literal import() of one file. */
function importsOf(rel: string): Edge[] {
  const text = readFileSync(path.join(ROOT, rel), 'utf8');
  const file = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, false);
  const edges: Edge[] = [];
  const add = (specifier: string, kind: Kind): void => {
    if (!specifier.startsWith('.')) {
      edges.push({ from: rel, to: specifier, kind, bare: true });
      return;
    }
    const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(rel), specifier)).split(path.sep).join('/');
    edges.push({ from: rel, to: target, kind, bare: false });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, isTypeOnlyImport(node) ? 'type' : 'value');
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly ? 'type' : 'value');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg !== undefined && ts.isStringLiteralLike(arg)) add(arg.text, 'dynamic');
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return edges;
}

const folderOf = (rel: string): string => rel.split('/')[0]!;

const CLOCKS = new Set(['Date', 'performance', 'process', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']);

/** `Date.UTC(...)`, `Date.parse(...)` and `new Date(x)` compute from their arguments; `Date.now()` and `new Date()` read the clock. */
function pureDate(id: ts.Identifier): boolean {
  if (id.text !== 'Date') return false;
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.expression === id) return p.name.text === 'UTC' || p.name.text === 'parse';
  return ts.isNewExpression(p) && p.expression === id && (p.arguments?.length ?? 0) > 0;
}

/** Uses of a clock, a timer or the process in one file's code (comments and strings aside). */
function clockUses(rel: string): string[] {
  const text = readFileSync(path.join(ROOT, rel), 'utf8');
  const file = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true);
  const uses: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && CLOCKS.has(node.text) && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) && !pureDate(node)) {
      const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
      uses.push(`${rel}:${line + 1} ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return uses;
}

/** Why an import between project files breaks the floors, or null when it does not. */
function floorViolation(from: string, to: string): string | null {
  const a = folderOf(from);
  const b = folderOf(to);
  if (a === b || TOOLS.includes(a)) return null;
  if (TOOLS.includes(b)) return `${from} imports ${to}: no floor imports ${b}/`;
  const fa = FLOORS[a];
  const fb = FLOORS[b];
  if (fa === undefined) return `${from} is in ${a}/, which is not a floor`;
  if (fb === undefined) return `${from} imports ${to}, which is not in a floor`;
  if (fb < fa) return null;
  return `${from} (${a}/, floor ${fa}) imports ${to} (${b}/, floor ${fb})`;
}

/** Why an import reaches into proof of work past the Consensus interface, or null when it does not. */
function powLeak(from: string, to: string): string | null {
  if (!to.startsWith('consensus/pow/')) return null;
  const a = folderOf(from);
  if (POW_IMPORTERS.includes(a) || TOOLS.includes(a)) return null;
  return `${from} imports ${to}: outside consensus/ and miner/, proof of work is reached through consensus/index.ts`;
}

/** Each import cycle once, as `a -> b -> ... -> a` (one cycle per strongly connected group). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  // Tarjan's strongly connected components, iteratively: deep import chains must not overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const succ = graph.get(top.node) ?? [];
      if (top.next < succ.length) {
        const w = succ[top.next++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const group: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          group.push(w);
        } while (w !== top.node);
        const selfLoop = (graph.get(top.node) ?? []).includes(top.node);
        if (group.length > 1 || selfLoop) groups.push(group);
      }
    }
  }
  return groups.map((group) => cycleWithin(graph, new Set(group)));
}

/** One concrete cycle through a strongly connected group, from its first member in name order. */
function cycleWithin(graph: ReadonlyMap<string, readonly string[]>, group: ReadonlySet<string>): string {
  const start = [...group].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const w of graph.get(node) ?? []) {
      if (!group.has(w)) continue;
      if (w === start) {
        const route = [start];
        for (let at = node; at !== start; at = cameFrom.get(at)!) route.splice(1, 0, at);
        return [...route, start].join(' -> ');
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, node);
        queue.push(w);
      }
    }
  }
  return [...group].sort().join(', ');
}

const files = [...Object.keys(FLOORS), ...TOOLS].flatMap((dir) => sourceFiles(dir));
const known = new Set(files);
const edges = files.flatMap(importsOf);
const projectEdges = edges.filter((e) => !e.bare && known.has(e.to));

describe('the layout checks themselves', () => {
  it('reject an import up the floors, across one floor, and into a tool; accept one down', () => {
    expect(floorViolation('ledger/tx.ts', 'node/chain.ts')).toContain('floor 3');
    expect(floorViolation('resolver/solve.ts', 'infver/index.ts')).toContain('floor 2');
    expect(floorViolation('tester/sandbox.ts', 'miner/pow.ts')).toContain('floor 4');
    expect(floorViolation('node/api/index.ts', 'test/support/prng.ts')).toContain('no floor imports test/');
    expect(floorViolation('node/chain.ts', 'cli/main.ts')).toContain('floor 5');
    expect(floorViolation('cli/main.ts', 'node/index.ts')).toBeNull();
    expect(floorViolation('test/layout.test.ts', 'cli/main.ts')).toBeNull();
  });

  it('reject an import of proof of work past the interface, and accept it from consensus/, miner/ and tools', () => {
    expect(powLeak('node/chain.ts', 'consensus/pow/work.ts')).toContain('consensus/index.ts');
    expect(powLeak('node/network/sync.ts', 'consensus/pow/index.ts')).toContain('node/network/sync.ts');
    expect(powLeak('cli/commands/mine.ts', 'consensus/pow/index.ts')).not.toBeNull();
    expect(powLeak('node/chain.ts', 'consensus/index.ts')).toBeNull();
    expect(powLeak('consensus/index.ts', 'consensus/pow/index.ts')).toBeNull();
    expect(powLeak('miner/template.ts', 'consensus/pow/index.ts')).toBeNull();
    expect(powLeak('test/node/helpers.ts', 'consensus/pow/index.ts')).toBeNull();
  });

  it('find a cycle and name its path, and find none in a tree', () => {
    const cyclic = new Map([['a', ['b']], ['b', ['c', 'd']], ['c', ['a']], ['d', []], ['e', ['e']]]);
    expect(findCycles(cyclic).sort()).toEqual(['a -> b -> c -> a', 'e -> e']);
    expect(findCycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });

  it('see a clock in code and not in a comment or a property name', () => {
    expect(clockUses('node/chain.ts').length).toBeGreaterThan(0);
    expect(clockUses('ledger/rules.ts')).toEqual([]);
    expect(clockUses('ledger/params.ts')).toEqual([]); // Date.UTC(2026, 0, 1) is arithmetic, not a clock
  });

  it('read the real tree: every floor has files and the known imports are seen', () => {
    for (const dir of Object.keys(FLOORS)) expect(files.some((f) => folderOf(f) === dir), dir).toBe(true);
    expect(projectEdges).toContainEqual({ from: 'node/hooks.ts', to: 'infver/index.ts', kind: 'value', bare: false });
    expect(projectEdges).toContainEqual({ from: 'infver/index.ts', to: 'infver/extractApi.ts', kind: 'dynamic', bare: false });
    expect(edges.some((e) => e.from === 'cli/pack.ts' && e.to === 'tar-stream' && e.bare)).toBe(true);
  });
});

describe('layout', () => {
  it('every relative import names a file of the project', () => {
    // bin/gopkgr.js also runs the compiled copy in dist/, which is built, not checked in.
    const dangling = edges.filter((e) => !e.bare && !known.has(e.to) && !e.to.startsWith('dist/')).map((e) => `${e.from} -> ${e.to}`);
    expect(dangling).toEqual([]);
  });

  it('imports only go down the floors (cli is imported by nothing but bin/, test/ and bench/)', () => {
    const violations = projectEdges
      .filter((e) => !ALLOWED_UPWARD.includes(`${e.from} -> ${e.to}`))
      .map((e) => floorViolation(e.from, e.to))
      .filter((v): v is string => v !== null);
    expect(violations).toEqual([]);
  });

  it('proof of work is imported only by consensus/ and miner/ (node/ goes through the Consensus interface)', () => {
    const leaks = projectEdges.map((e) => powLeak(e.from, e.to)).filter((v): v is string => v !== null);
    expect(leaks).toEqual([]);
    // The rule has something to hold: the interface does reach proof of work, and node reaches the interface.
    expect(projectEdges.some((e) => e.from === 'consensus/index.ts' && e.to.startsWith('consensus/pow/'))).toBe(true);
    expect(projectEdges.some((e) => folderOf(e.from) === 'node' && e.to === 'consensus/index.ts')).toBe(true);
  });

  it('no import cycles between the project modules', () => {
    const graph = new Map<string, string[]>(files.map((f) => [f, []]));
    for (const e of projectEdges) graph.get(e.from)!.push(e.to);
    expect(findCycles(graph)).toEqual([]);
  });

  it('the ledger imports nothing but itself and its encoding and hashing packages', () => {
    const outside = edges
      .filter((e) => folderOf(e.from) === 'ledger')
      .filter((e) => (e.bare ? !LEDGER_PACKAGES.some((p) => p.test(e.to)) : folderOf(e.to) !== 'ledger'))
      .map((e) => `${e.from} -> ${e.to}`);
    expect(outside).toEqual([]);
  });

  it('the pure floors (ledger, consensus, resolver) read no clock, timer or process state', () => {
    // Consensus must come out the same on every node: time reaches these rules only as an argument.
    const uses = files.filter((f) => ['ledger', 'consensus', 'resolver'].includes(folderOf(f))).flatMap(clockUses);
    expect(uses).toEqual([]);
  });

  it('node never loads ts-morph or TypeScript when it starts', () => {
    // What a node module loads at start: its value imports, followed through the project.
    const loads = new Map<string, Edge[]>();
    for (const e of edges) if (e.kind === 'value') loads.set(e.from, [...(loads.get(e.from) ?? []), e]);
    const heavy: string[] = [];
    const seen = new Set<string>();
    const walk = (file: string, via: string[]): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const e of loads.get(file) ?? []) {
        if (e.bare && /^(ts-morph|typescript)(\/|$)/.test(e.to)) heavy.push([...via, file, e.to].join(' -> '));
        else if (!e.bare && known.has(e.to)) walk(e.to, [...via, file]);
      }
    };
    for (const f of files.filter((f) => folderOf(f) === 'node')) walk(f, []);
    expect(seen.has('infver/index.ts')).toBe(true);
    expect(heavy).toEqual([]);
  });
});
