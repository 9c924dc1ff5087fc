/**
 * Extract a package's public API surface into an `infver/1` manifest.
 *
 * A TypeScript program loads the entry and everything it reaches (one per
 * call), on the compiler the rest of the CLI uses (its lib files shared with
 * the publish's compile: sourceFileCache.ts); the walk reads the raw compiler
 * nodes of that program. The checker resolves re-exports, `export *`, aliases and inferred
 * types; everything else is read from declarations as written.
 *
 * Normalisation rules (what never reaches a shape):
 *  - comments other than `@deprecated`, formatting, declaration order,
 *    function and method bodies, initialisers, parameter defaults (only their
 *    optionality), `declare`/`export` keywords;
 *  - private members (`private` or `#name`) and private constructors' signatures;
 *  - implementation signatures of overloaded functions, methods and constructors;
 *  - a `this` parameter;
 *  - the local name a type is imported under: references resolve to the
 *    symbol and print its public path (`ns.Foo`), its library name, the other
 *    package's name, or `~Name` for a non-exported type (recorded once in
 *    `internal`).
 * Missing annotations (`.ts` sources) are filled in from the checker's
 * inferred type, as declaration emit would.
 */
import { relative } from 'node:path';
import type * as TS from 'typescript';
import { GopkgrError } from '../ledger/index.ts';
import { compareText, exportKind, normaliseSet, sortDecls, sortMembers } from './canonicalShape.ts';
import { hashExport } from './hashApi.ts';
import { MANIFEST_FORMAT } from './manifest.ts';
import type { Decl, EnumMember, Manifest, ManifestExport, Member, NamedDecls, Param, Signature, TupleElement, TypeNode, TypeParam } from './manifest.ts';
import { resolveEntry } from './resolveEntry.ts';
import { shareLibFiles } from './sourceFileCache.ts';
import { typescript } from './typescript.ts';

const ts = typescript();

const COMPILER_OPTIONS: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  // Bundler resolution accepts both `./x.js` (NodeNext style) and extensionless
  // specifiers (most published .d.ts files), and `.ts` extensions.
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  // Ambient @types packages would only add unrelated globals to load.
  types: [],
  lib: ['lib.es2023.d.ts'],
};

const BUILDER_FLAGS =
  ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.IgnoreErrors | ts.NodeBuilderFlags.UseStructuralFallback;

interface SymbolWithParent extends TS.Symbol {
  parent?: TS.Symbol;
}

function location(node: TS.Node): string {
  const sf = node.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${sf.fileName}:${line + 1}:${character + 1}`;
}

function hasModifier(node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []).some((m) => m.kind === kind) : false;
}

function isDeprecated(node: TS.Node): boolean {
  const target = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  return ts.getJSDocDeprecatedTag(target) !== undefined || (target !== node && ts.getJSDocDeprecatedTag(node) !== undefined);
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** The package a file belongs to, from its node_modules path. */
function packageOfFile(fileName: string): string {
  const parts = fileName.split('/');
  const i = parts.lastIndexOf('node_modules');
  if (i < 0 || i + 1 >= parts.length) return fileName;
  const first = parts[i + 1]!;
  if (first.startsWith('@') && i + 2 < parts.length) {
    const scoped = `${first}/${parts[i + 2]}`;
    return scoped.startsWith('@types/') ? scoped.slice('@types/'.length) : scoped;
  }
  return first;
}

class Extractor {
  private readonly printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
  private readonly publicNames = new Map<TS.Symbol, string>();
  private readonly internalNames = new Map<TS.Symbol, string>();
  private readonly internalTaken = new Set<string>();
  private readonly internalQueue: TS.Symbol[] = [];

  constructor(
    private readonly program: TS.Program,
    private readonly checker: TS.TypeChecker,
    private readonly dir: string,
  ) {}

  isLocalFile(sf: TS.SourceFile): boolean {
    return sf.fileName.startsWith(this.dir + '/') && !sf.fileName.slice(this.dir.length).includes('/node_modules/');
  }

  /** Syntax errors and unresolvable relative imports/re-exports, named by file:line:col. */
  checkSources(): void {
    for (const sf of this.program.getSourceFiles()) {
      if (!this.isLocalFile(sf)) continue;
      const diags = this.program.getSyntacticDiagnostics(sf);
      if (diags.length > 0) {
        const d = diags[0]!;
        const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
        const rel = relative(this.dir, sf.fileName);
        throw new GopkgrError(
          'INFVER_PARSE_ERROR',
          `${rel}:${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
          { hint: 'fix the syntax error; InfVer reads the same TypeScript that tsc would' },
        );
      }
      for (const st of sf.statements) {
        const spec =
          (ts.isExportDeclaration(st) || ts.isImportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)
            ? st.moduleSpecifier
            : undefined;
        if (!spec || !spec.text.startsWith('.')) continue;
        if (this.checker.getSymbolAtLocation(spec) === undefined) {
          throw new GopkgrError(
            'INFVER_UNRESOLVED_EXPORT',
            `${this.rel(spec)}: cannot resolve module '${spec.text}'`,
            { hint: 'the file it names does not exist (or has no .ts/.d.ts next to it)' },
          );
        }
      }
    }
  }

  rel(node: TS.Node): string {
    const loc = location(node);
    return loc.startsWith(this.dir + '/') ? loc.slice(this.dir.length + 1) : loc;
  }

  resolveAlias(sym: TS.Symbol): TS.Symbol {
    return sym.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(sym) : sym;
  }

  sortedExports(moduleSym: TS.Symbol): TS.Symbol[] {
    return this.checker
      .getExportsOfModule(moduleSym)
      .filter((s) => !(s.flags & ts.SymbolFlags.Prototype))
      .sort((a, b) => compareText(a.name, b.name));
  }

  /** Public paths of every exported symbol, top level first so `Foo` wins over `ns.Foo`. */
  registerPublicNames(top: TS.Symbol[]): void {
    let level: Array<[TS.Symbol, string]> = top.map((s) => [this.resolveAlias(s), s.name]);
    const seenNs = new Set<TS.Symbol>();
    while (level.length > 0) {
      const next: Array<[TS.Symbol, string]> = [];
      for (const [sym, path] of level) {
        if (!this.publicNames.has(sym)) this.publicNames.set(sym, path);
        if (sym.flags & (ts.SymbolFlags.Module | ts.SymbolFlags.Enum) && !seenNs.has(sym) && sym.declarations?.some((d) => this.isLocalFile(d.getSourceFile()))) {
          seenNs.add(sym);
          if (sym.flags & ts.SymbolFlags.Module) {
            for (const m of this.sortedExports(sym)) next.push([this.resolveAlias(m), `${path}.${m.name}`]);
          }
        }
      }
      level = next;
    }
  }

  run(entryFile: TS.SourceFile, name: string): Manifest {
    const moduleSym = this.checker.getSymbolAtLocation(entryFile);
    const top = moduleSym ? this.sortedExports(moduleSym) : [];
    this.registerPublicNames(top);
    const exports: ManifestExport[] = [];
    for (const sym of top) {
      const decls = this.declsOf(sym);
      if (decls.length === 0) continue;
      exports.push({ name: sym.name, kind: exportKind(decls), hash: hashExport(sym.name, decls), decls });
    }
    const internal: NamedDecls[] = [];
    for (let i = 0; i < this.internalQueue.length; i++) {
      const sym = this.internalQueue[i]!;
      internal.push({ name: this.internalNames.get(sym)!, decls: this.declsOf(sym) });
    }
    internal.sort((a, b) => compareText(a.name, b.name));
    return { format: MANIFEST_FORMAT, name, exports, internal };
  }

  declsOf(exportSym: TS.Symbol): Decl[] {
    const sym = this.resolveAlias(exportSym);
    const declarations = sym.declarations ?? [];
    if (declarations.length === 0) {
      const where = exportSym.declarations?.[0];
      throw new GopkgrError(
        'INFVER_UNRESOLVED_EXPORT',
        `${where ? `${this.rel(where)}: ` : ''}export '${exportSym.name}' does not resolve to a declaration`,
        { hint: 'check the name and the module it is re-exported from' },
      );
    }
    const first = declarations[0]!;
    if (!this.isLocalFile(first.getSourceFile()) && !this.program.isSourceFileDefaultLibrary(first.getSourceFile())) {
      return [{ kind: 'external', from: packageOfFile(first.getSourceFile().fileName), n: sym.name }];
    }

    const out: Decl[] = [];
    const fns = declarations.filter(ts.isFunctionDeclaration);
    if (fns.length > 0) {
      const overloads = fns.filter((f) => f.body === undefined);
      const used = overloads.length > 0 ? overloads : fns;
      out.push({ kind: 'function', s: used.map((f) => this.signature(f)) });
    }
    const cls = declarations.find((d): d is TS.ClassDeclaration | TS.ClassExpression => ts.isClassDeclaration(d) || ts.isClassExpression(d));
    if (cls) out.push(this.classDecl(cls));
    const ifaces = declarations.filter(ts.isInterfaceDeclaration);
    if (ifaces.length > 0) out.push(this.interfaceDecl(ifaces));
    const alias = declarations.find(ts.isTypeAliasDeclaration);
    if (alias) {
      const d: Decl = { kind: 'type', t: this.type(alias.type) };
      const tp = this.typeParams(alias.typeParameters);
      if (tp) d.tp = tp;
      if (isDeprecated(alias)) d.dep = true;
      out.push(d);
    }
    const enums = declarations.filter(ts.isEnumDeclaration);
    if (enums.length > 0) out.push(this.enumDecl(enums));
    const variable = declarations.find(
      (d): d is TS.VariableDeclaration | TS.BindingElement | TS.ExportAssignment =>
        ts.isVariableDeclaration(d) || ts.isBindingElement(d) || ts.isExportAssignment(d),
    );
    if (variable) out.push(this.variableDecl(sym, variable));
    const nsDecls = declarations.filter((d) => ts.isModuleDeclaration(d) || ts.isSourceFile(d));
    if (nsDecls.length > 0 && !(sym.flags & ts.SymbolFlags.Enum)) {
      const x: NamedDecls[] = [];
      for (const m of this.sortedExports(sym)) {
        const decls = this.declsOf(m);
        if (decls.length > 0) x.push({ name: m.name, decls });
      }
      const d: Decl = { kind: 'namespace', x };
      if (nsDecls.some((n) => ts.isModuleDeclaration(n) && isDeprecated(n))) d.dep = true;
      out.push(d);
    }
    if (out.length === 0) {
      // Any other value (a property of an `export =` object, say): its type is its API.
      const t = this.checker.getTypeOfSymbolAtLocation(sym, first);
      out.push({ kind: 'variable', t: this.inferred(t, first) });
    }
    return sortDecls(out);
  }

  // ---- declarations -------------------------------------------------------

  classDecl(node: TS.ClassDeclaration | TS.ClassExpression): Decl {
    const members: Member[] = [];
    const ctors: TS.ConstructorDeclaration[] = [];
    const methods = new Map<string, { nodes: TS.MethodDeclaration[]; st: boolean; name: string }>();
    const accessors = new Map<string, { get?: TS.GetAccessorDeclaration; set?: TS.SetAccessorDeclaration; st: boolean; name: string }>();
    for (const m of node.members) {
      if (m.name && ts.isPrivateIdentifier(m.name)) continue;
      if (hasModifier(m, ts.SyntaxKind.PrivateKeyword)) continue;
      const st = hasModifier(m, ts.SyntaxKind.StaticKeyword);
      if (ts.isConstructorDeclaration(m)) {
        ctors.push(m);
      } else if (ts.isPropertyDeclaration(m)) {
        const name = this.memberName(m.name);
        if (name === undefined) continue;
        const t = m.type ? this.type(m.type) : this.inferredAt(m);
        const p: Member = { k: 'prop', n: name, t };
        if (m.questionToken) p.opt = true;
        if (hasModifier(m, ts.SyntaxKind.ReadonlyKeyword)) p.ro = true;
        if (hasModifier(m, ts.SyntaxKind.AccessorKeyword)) p.acc = true;
        this.flags(p, m, st);
        members.push(p);
      } else if (ts.isMethodDeclaration(m)) {
        const name = this.memberName(m.name);
        if (name === undefined) continue;
        const key = `${st ? 1 : 0}:${name}`;
        const entry = methods.get(key) ?? { nodes: [], st, name };
        entry.nodes.push(m);
        methods.set(key, entry);
      } else if (ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) {
        const name = this.memberName(m.name);
        if (name === undefined) continue;
        const key = `${st ? 1 : 0}:${name}`;
        const entry = accessors.get(key) ?? { st, name };
        if (ts.isGetAccessorDeclaration(m)) entry.get = m;
        else entry.set = m;
        accessors.set(key, entry);
      } else if (ts.isIndexSignatureDeclaration(m)) {
        members.push(this.indexMember(m, st));
      }
    }
    for (const { nodes, st, name } of methods.values()) {
      const overloads = nodes.filter((n) => n.body === undefined);
      const used = overloads.length > 0 && overloads.length < nodes.length ? overloads : nodes;
      const mm: Member = { k: 'method', n: name, s: used.map((n) => this.signature(n)) };
      if (nodes.some((n) => n.questionToken)) mm.opt = true;
      this.flags(mm, nodes[0]!, st);
      // A method is deprecated as a whole when every overload is; otherwise per overload.
      if (nodes.every(isDeprecated)) mm.dep = true;
      else delete mm.dep;
      members.push(mm);
    }
    for (const a of accessors.values()) members.push(this.accessorMember(a.name, a.get, a.set, a.st));

    const declared = ctors.filter((c) => c.body === undefined);
    const ctorNodes = declared.length > 0 && declared.length < ctors.length ? declared : ctors;
    // Parameter properties (`constructor(public x: T)`) are members too.
    for (const c of ctors) {
      for (const p of c.parameters) {
        if (!ts.isIdentifier(p.name)) continue;
        const isProp =
          hasModifier(p, ts.SyntaxKind.PublicKeyword) ||
          hasModifier(p, ts.SyntaxKind.ProtectedKeyword) ||
          hasModifier(p, ts.SyntaxKind.ReadonlyKeyword);
        if (!isProp || hasModifier(p, ts.SyntaxKind.PrivateKeyword)) continue;
        const prop: Member = { k: 'prop', n: p.name.text, t: p.type ? this.type(p.type) : this.inferredAt(p) };
        if (p.questionToken) prop.opt = true;
        if (hasModifier(p, ts.SyntaxKind.ReadonlyKeyword)) prop.ro = true;
        if (hasModifier(p, ts.SyntaxKind.ProtectedKeyword)) prop.prot = true;
        members.push(prop);
      }
    }

    const d: Decl & { kind: 'class' } = { kind: 'class', ctor: [], m: sortMembers(members) };
    const tp = this.typeParams(node.typeParameters);
    if (tp) d.tp = tp;
    for (const h of node.heritageClauses ?? []) {
      if (h.token === ts.SyntaxKind.ExtendsKeyword && h.types[0]) d.ext = this.heritage(h.types[0]);
      else if (h.token === ts.SyntaxKind.ImplementsKeyword) {
        d.impl = h.types.map((t) => this.heritage(t)).sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)));
      }
    }
    if (hasModifier(node, ts.SyntaxKind.AbstractKeyword)) d.abs = true;
    const vis = ctorNodes.find((c) => hasModifier(c, ts.SyntaxKind.PrivateKeyword))
      ? 'private'
      : ctorNodes.find((c) => hasModifier(c, ts.SyntaxKind.ProtectedKeyword))
        ? 'protected'
        : undefined;
    if (vis) d.cvis = vis;
    if (vis !== 'private') {
      if (ctorNodes.length > 0) d.ctor = ctorNodes.map((c) => this.signature(c));
      // No constructor and no base class: the implicit one takes nothing.
      else if (!d.ext) d.ctor = [{ p: [], r: { k: 'kw', n: 'void' } }];
    }
    if (isDeprecated(node)) d.dep = true;
    return d;
  }

  interfaceDecl(nodes: TS.InterfaceDeclaration[]): Decl {
    const members = this.typeElements(nodes.flatMap((n) => [...n.members]));
    const d: Decl & { kind: 'interface' } = { kind: 'interface', m: members };
    const tp = this.typeParams(nodes[0]!.typeParameters);
    if (tp) d.tp = tp;
    const ext = new Map<string, TypeNode>();
    for (const n of nodes) {
      for (const h of n.heritageClauses ?? []) for (const t of h.types) {
        const tn = this.heritage(t);
        ext.set(JSON.stringify(tn), tn);
      }
    }
    if (ext.size > 0) d.ext = [...ext.entries()].sort((a, b) => compareText(a[0], b[0])).map(([, t]) => t);
    if (nodes.some(isDeprecated)) d.dep = true;
    return d;
  }

  enumDecl(nodes: TS.EnumDeclaration[]): Decl {
    const m: EnumMember[] = [];
    let index = 0;
    for (const n of nodes) {
      for (const mem of n.members) {
        const name = this.memberName(mem.name) ?? `#${index}`;
        const value = this.checker.getConstantValue(mem);
        const v =
          typeof value === 'string'
            ? JSON.stringify(value)
            : typeof value === 'number'
              ? String(value)
              : mem.initializer
                ? this.print(mem.initializer, n.getSourceFile())
                : `#${index}`;
        const em: EnumMember = { n: name, v };
        if (isDeprecated(mem)) em.dep = true;
        m.push(em);
        index++;
      }
    }
    m.sort((a, b) => compareText(a.n, b.n));
    const d: Decl & { kind: 'enum' } = { kind: 'enum', m };
    if (nodes.some((n) => hasModifier(n, ts.SyntaxKind.ConstKeyword))) d.const = true;
    if (nodes.some(isDeprecated)) d.dep = true;
    return d;
  }

  variableDecl(sym: TS.Symbol, node: TS.VariableDeclaration | TS.BindingElement | TS.ExportAssignment): Decl {
    let t: TypeNode;
    let isConst = true;
    if (ts.isVariableDeclaration(node)) {
      t = node.type ? this.type(node.type) : this.inferredAt(node);
      isConst = (node.parent.flags & ts.NodeFlags.Const) !== 0;
    } else if (ts.isExportAssignment(node)) {
      t = this.inferred(this.checker.getTypeAtLocation(node.expression), node);
    } else {
      t = this.inferred(this.checker.getTypeOfSymbolAtLocation(sym, node), node);
    }
    const d: Decl & { kind: 'variable' } = { kind: 'variable', t };
    if (isConst) d.const = true;
    if (isDeprecated(node)) d.dep = true;
    return d;
  }

  // ---- members ------------------------------------------------------------

  flags(m: Member & { k: 'prop' | 'method' }, node: TS.Node, st: boolean): void {
    if (st) m.st = true;
    if (hasModifier(node, ts.SyntaxKind.ProtectedKeyword)) m.prot = true;
    if (hasModifier(node, ts.SyntaxKind.AbstractKeyword)) m.abs = true;
    if (isDeprecated(node)) m.dep = true;
  }

  accessorMember(name: string, get: TS.GetAccessorDeclaration | undefined, set: TS.SetAccessorDeclaration | undefined, st: boolean): Member {
    let t: TypeNode;
    if (get) t = get.type ? this.type(get.type) : this.inferredReturn(get);
    else {
      const p = set!.parameters[0];
      t = p?.type ? this.type(p.type) : p ? this.inferredAt(p) : { k: 'kw', n: 'any' };
    }
    const m: Member = { k: 'prop', n: name, t, acc: true };
    if (!set) m.ro = true;
    const node = (get ?? set)!;
    this.flags(m, node, st);
    if ((get && isDeprecated(get)) || (set && isDeprecated(set))) m.dep = true;
    return m;
  }

  indexMember(m: TS.IndexSignatureDeclaration, st = false): Member {
    const keyNode = m.parameters[0]?.type;
    const im: Member = { k: 'index', key: keyNode ? this.type(keyNode) : { k: 'kw', n: 'string' }, t: this.type(m.type) };
    if (hasModifier(m, ts.SyntaxKind.ReadonlyKeyword)) im.ro = true;
    if (st) im.st = true;
    return im;
  }

  typeElements(elements: readonly TS.TypeElement[]): Member[] {
    const members: Member[] = [];
    const methods = new Map<string, TS.MethodSignature[]>();
    const accessors = new Map<string, { get?: TS.GetAccessorDeclaration; set?: TS.SetAccessorDeclaration }>();
    const calls: Signature[] = [];
    const constructs: Signature[] = [];
    for (const e of elements) {
      if (ts.isPropertySignature(e)) {
        const name = this.memberName(e.name);
        if (name === undefined) continue;
        const p: Member = { k: 'prop', n: name, t: e.type ? this.type(e.type) : { k: 'kw', n: 'any' } };
        if (e.questionToken) p.opt = true;
        if (hasModifier(e, ts.SyntaxKind.ReadonlyKeyword)) p.ro = true;
        if (isDeprecated(e)) p.dep = true;
        members.push(p);
      } else if (ts.isMethodSignature(e)) {
        const name = this.memberName(e.name);
        if (name === undefined) continue;
        const list = methods.get(name) ?? [];
        list.push(e);
        methods.set(name, list);
      } else if (ts.isCallSignatureDeclaration(e)) {
        calls.push(this.signature(e));
      } else if (ts.isConstructSignatureDeclaration(e)) {
        constructs.push(this.signature(e));
      } else if (ts.isIndexSignatureDeclaration(e)) {
        members.push(this.indexMember(e));
      } else if (ts.isGetAccessorDeclaration(e) || ts.isSetAccessorDeclaration(e)) {
        const name = this.memberName(e.name);
        if (name === undefined) continue;
        const entry = accessors.get(name) ?? {};
        if (ts.isGetAccessorDeclaration(e)) entry.get = e;
        else entry.set = e;
        accessors.set(name, entry);
      }
    }
    for (const [name, nodes] of methods) {
      const m: Member = { k: 'method', n: name, s: nodes.map((n) => this.signature(n)) };
      if (nodes.some((n) => n.questionToken)) m.opt = true;
      if (nodes.every(isDeprecated)) m.dep = true;
      members.push(m);
    }
    for (const [name, a] of accessors) members.push(this.accessorMember(name, a.get, a.set, false));
    if (calls.length > 0) members.push({ k: 'call', s: calls });
    if (constructs.length > 0) members.push({ k: 'construct', s: constructs });
    return sortMembers(members);
  }

  memberName(name: TS.PropertyName | TS.BindingName | undefined): string | undefined {
    if (!name) return undefined;
    if (ts.isIdentifier(name)) return name.text;
    if (ts.isPrivateIdentifier(name)) return undefined;
    if (ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) {
      return IDENT.test(name.text) ? name.text : JSON.stringify(name.text);
    }
    if (ts.isNumericLiteral(name)) return String(Number(name.text));
    if (ts.isComputedPropertyName(name)) return `[${this.print(name.expression)}]`;
    return this.print(name);
  }

  // ---- signatures ---------------------------------------------------------

  signature(decl: TS.SignatureDeclaration): Signature {
    const params: Param[] = [];
    decl.parameters.forEach((p, i) => {
      if (ts.isIdentifier(p.name) && p.name.text === 'this') return;
      const name = ts.isIdentifier(p.name) ? p.name.text : `arg${i}`;
      const t = p.type ? this.type(p.type) : p.pos >= 0 ? this.inferredAt(p) : { k: 'kw' as const, n: 'any' };
      const param: Param = { n: name, t };
      if (p.questionToken || p.initializer) param.opt = true;
      if (p.dotDotDotToken) param.rest = true;
      params.push(param);
    });
    let r: TypeNode;
    if (ts.isConstructorDeclaration(decl) || ts.isConstructSignatureDeclaration(decl) && !decl.type) r = { k: 'kw', n: 'void' };
    else if (decl.type) r = this.type(decl.type);
    else if (ts.isSetAccessorDeclaration(decl)) r = { k: 'kw', n: 'void' };
    else r = decl.pos >= 0 ? this.inferredReturn(decl) : { k: 'kw', n: 'any' };
    const s: Signature = { p: params, r };
    const tp = this.typeParams(decl.typeParameters);
    if (tp) s.tp = tp;
    if (decl.pos >= 0 && isDeprecated(decl)) s.dep = true;
    return s;
  }

  typeParams(tps: TS.NodeArray<TS.TypeParameterDeclaration> | undefined): TypeParam[] | undefined {
    if (!tps || tps.length === 0) return undefined;
    return tps.map((tp) => {
      const out: TypeParam = { n: tp.name.text };
      if (tp.constraint) out.c = this.type(tp.constraint);
      if (tp.default) out.d = this.type(tp.default);
      const mods = tp.modifiers ?? [];
      if (mods.some((m) => m.kind === ts.SyntaxKind.ConstKeyword)) out.const = true;
      const isIn = mods.some((m) => m.kind === ts.SyntaxKind.InKeyword);
      const isOut = mods.some((m) => m.kind === ts.SyntaxKind.OutKeyword);
      if (isIn || isOut) out.v = isIn && isOut ? 'in out' : isIn ? 'in' : 'out';
      return out;
    });
  }

  // ---- inferred types -----------------------------------------------------

  inferredAt(node: TS.Node): TypeNode {
    return this.inferred(this.checker.getTypeAtLocation(node), node);
  }

  inferredReturn(decl: TS.SignatureDeclaration): TypeNode {
    const sig = this.checker.getSignatureFromDeclaration(decl);
    if (!sig) return { k: 'kw', n: 'any' };
    return this.inferred(this.checker.getReturnTypeOfSignature(sig), decl);
  }

  inferred(type: TS.Type, enclosing: TS.Node): TypeNode {
    const node = this.checker.typeToTypeNode(type, enclosing, BUILDER_FLAGS);
    if (!node) return { k: 'x', s: this.checker.typeToString(type, enclosing, ts.TypeFormatFlags.NoTruncation) };
    return this.type(node);
  }

  // ---- types --------------------------------------------------------------

  print(node: TS.Node, sf?: TS.SourceFile): string {
    const file = sf ?? (node.pos >= 0 ? node.getSourceFile() : undefined) ?? ts.createSourceFile('x.ts', '', ts.ScriptTarget.ES2022);
    return this.printer.printNode(ts.EmitHint.Unspecified, node, file).replace(/\s+/g, ' ');
  }

  symbolOf(node: TS.Node): TS.Symbol | undefined {
    if (node.pos >= 0 && node.parent) return this.checker.getSymbolAtLocation(node);
    // Nodes synthesised by typeToTypeNode carry their symbol directly.
    const own = (node as TS.Node & { symbol?: TS.Symbol }).symbol;
    if (own) return own;
    if (ts.isQualifiedName(node)) return this.symbolOf(node.right);
    if (ts.isPropertyAccessExpression(node)) return this.symbolOf(node.name);
    return undefined;
  }

  /** A named reference: resolve the symbol behind the written name. */
  ref(nameNode: TS.EntityName | TS.Expression, args: readonly TS.TypeNode[] | undefined): TypeNode {
    const a = args && args.length > 0 ? args.map((x) => this.type(x)) : undefined;
    const written = this.print(nameNode);
    let sym = this.symbolOf(nameNode);
    if (sym && sym.flags & ts.SymbolFlags.Alias) {
      const target = this.checker.getAliasedSymbol(sym);
      if (!target.declarations || target.declarations.length === 0) {
        // Imported from a package that is not installed: name it by its specifier.
        const decl = sym.declarations?.[0];
        let from = 'unknown';
        let n: TS.Node | undefined = decl;
        while (n && !ts.isImportDeclaration(n)) n = n.parent;
        if (n && ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) from = n.moduleSpecifier.text;
        return this.withArgs({ k: 'ref', n: `${from}:${written}`, src: 'ext' }, a);
      }
      sym = target;
    }
    if (!sym || !sym.declarations || sym.declarations.length === 0) return this.withArgs({ k: 'ref', n: written, src: 'lib' }, a);
    if (sym.flags & ts.SymbolFlags.TypeParameter) return { k: 'tp', n: sym.name };
    const pub = this.publicNames.get(sym) ?? this.publicOfMember(sym);
    if (pub !== undefined) return this.withArgs({ k: 'ref', n: pub, src: 'pkg' }, a);
    const sf = sym.declarations[0]!.getSourceFile();
    if (this.program.isSourceFileDefaultLibrary(sf)) {
      const fq = this.checker.getFullyQualifiedName(sym);
      if (fq === 'Array' && a && a.length === 1) return { k: 'arr', e: a[0]! };
      if (fq === 'ReadonlyArray' && a && a.length === 1) return { k: 'arr', e: a[0]!, ro: true };
      return this.withArgs({ k: 'ref', n: fq, src: 'lib' }, a);
    }
    if (!this.isLocalFile(sf)) return this.withArgs({ k: 'ref', n: `${packageOfFile(sf.fileName)}:${written}`, src: 'ext' }, a);
    return this.withArgs({ k: 'ref', n: this.internalName(sym), src: 'int' }, a);
  }

  /** `Enum.Member`, `ns.Type` reached through a public parent. */
  publicOfMember(sym: TS.Symbol): string | undefined {
    const parent = (sym as SymbolWithParent).parent;
    if (!parent) return undefined;
    const p = this.publicNames.get(parent);
    return p === undefined ? undefined : `${p}.${sym.name}`;
  }

  internalName(sym: TS.Symbol): string {
    const known = this.internalNames.get(sym);
    if (known) return known;
    let name = sym.name;
    for (let i = 2; this.internalTaken.has(name); i++) name = `${sym.name}~${i}`;
    this.internalTaken.add(name);
    this.internalNames.set(sym, name);
    this.internalQueue.push(sym);
    return name;
  }

  withArgs(t: TypeNode & { k: 'ref' }, a: TypeNode[] | undefined): TypeNode {
    if (a) t.a = a;
    return t;
  }

  heritage(h: TS.ExpressionWithTypeArguments): TypeNode {
    if (ts.isIdentifier(h.expression) || ts.isPropertyAccessExpression(h.expression)) return this.ref(h.expression, h.typeArguments);
    return { k: 'x', s: this.print(h) };
  }

  literal(node: TS.LiteralTypeNode['literal']): TypeNode {
    switch (node.kind) {
      case ts.SyntaxKind.NullKeyword:
        return { k: 'kw', n: 'null' };
      case ts.SyntaxKind.TrueKeyword:
        return { k: 'lit', v: 'true' };
      case ts.SyntaxKind.FalseKeyword:
        return { k: 'lit', v: 'false' };
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
        return { k: 'lit', v: JSON.stringify((node as TS.StringLiteral).text) };
      case ts.SyntaxKind.NumericLiteral:
        return { k: 'lit', v: String(Number((node as TS.NumericLiteral).text.replace(/_/g, ''))) };
      case ts.SyntaxKind.BigIntLiteral:
        return { k: 'lit', v: `${BigInt((node as TS.BigIntLiteral).text.replace(/_/g, '').slice(0, -1)).toString()}n` };
      case ts.SyntaxKind.PrefixUnaryExpression: {
        const u = node as TS.PrefixUnaryExpression;
        if (u.operator === ts.SyntaxKind.MinusToken && (ts.isNumericLiteral(u.operand) || ts.isBigIntLiteral(u.operand))) {
          const inner = this.literal(u.operand as TS.LiteralTypeNode['literal']);
          if (inner.k === 'lit') return { k: 'lit', v: inner.v === '0' ? '0' : `-${inner.v}` };
        }
        return { k: 'x', s: this.print(node) };
      }
      default:
        return { k: 'x', s: this.print(node) };
    }
  }

  type(node: TS.TypeNode): TypeNode {
    switch (node.kind) {
      case ts.SyntaxKind.AnyKeyword:
        return { k: 'kw', n: 'any' };
      case ts.SyntaxKind.UnknownKeyword:
        return { k: 'kw', n: 'unknown' };
      case ts.SyntaxKind.NumberKeyword:
        return { k: 'kw', n: 'number' };
      case ts.SyntaxKind.BigIntKeyword:
        return { k: 'kw', n: 'bigint' };
      case ts.SyntaxKind.BooleanKeyword:
        return { k: 'kw', n: 'boolean' };
      case ts.SyntaxKind.StringKeyword:
        return { k: 'kw', n: 'string' };
      case ts.SyntaxKind.SymbolKeyword:
        return { k: 'kw', n: 'symbol' };
      case ts.SyntaxKind.VoidKeyword:
        return { k: 'kw', n: 'void' };
      case ts.SyntaxKind.UndefinedKeyword:
        return { k: 'kw', n: 'undefined' };
      case ts.SyntaxKind.NeverKeyword:
        return { k: 'kw', n: 'never' };
      case ts.SyntaxKind.ObjectKeyword:
        return { k: 'kw', n: 'object' };
      case ts.SyntaxKind.IntrinsicKeyword:
        return { k: 'kw', n: 'intrinsic' };
      case ts.SyntaxKind.ThisType:
        return { k: 'kw', n: 'this' };
      case ts.SyntaxKind.LiteralType:
        return this.literal((node as TS.LiteralTypeNode).literal);
      case ts.SyntaxKind.ParenthesizedType:
        return this.type((node as TS.ParenthesizedTypeNode).type);
      case ts.SyntaxKind.TypeReference: {
        const r = node as TS.TypeReferenceNode;
        return this.ref(r.typeName, r.typeArguments);
      }
      case ts.SyntaxKind.ExpressionWithTypeArguments:
        return this.heritage(node as TS.ExpressionWithTypeArguments);
      case ts.SyntaxKind.UnionType:
        return normaliseSet('union', (node as TS.UnionTypeNode).types.map((t) => this.type(t)));
      case ts.SyntaxKind.IntersectionType:
        return normaliseSet('inter', (node as TS.IntersectionTypeNode).types.map((t) => this.type(t)));
      case ts.SyntaxKind.ArrayType:
        return { k: 'arr', e: this.type((node as TS.ArrayTypeNode).elementType) };
      case ts.SyntaxKind.TupleType:
        return { k: 'tuple', e: (node as TS.TupleTypeNode).elements.map((e) => this.tupleElement(e)) };
      case ts.SyntaxKind.TypeOperator: {
        const op = node as TS.TypeOperatorNode;
        if (op.operator === ts.SyntaxKind.ReadonlyKeyword) {
          const inner = this.type(op.type);
          if (inner.k === 'arr' || inner.k === 'tuple') return { ...inner, ro: true };
        }
        if (op.operator === ts.SyntaxKind.UniqueKeyword) return { k: 'kw', n: 'unique symbol' };
        return { k: 'x', s: this.print(node) };
      }
      case ts.SyntaxKind.FunctionType:
        return { k: 'fn', s: this.signature(node as TS.FunctionTypeNode) };
      case ts.SyntaxKind.ConstructorType: {
        const c = node as TS.ConstructorTypeNode;
        const t: TypeNode = { k: 'new', s: this.signature(c) };
        if (hasModifier(c, ts.SyntaxKind.AbstractKeyword)) t.abs = true;
        // signature() gives constructor types a void return only when undeclared; they always declare one.
        t.s.r = this.type(c.type);
        return t;
      }
      case ts.SyntaxKind.TypeLiteral:
        return { k: 'obj', m: this.typeElements((node as TS.TypeLiteralNode).members) };
      default:
        return { k: 'x', s: this.print(node) };
    }
  }

  tupleElement(e: TS.TypeNode): TupleElement {
    if (ts.isNamedTupleMember(e)) {
      const out: TupleElement = { t: this.type(e.type) };
      if (e.questionToken) out.opt = true;
      if (e.dotDotDotToken) out.rest = true;
      return out;
    }
    if (ts.isOptionalTypeNode(e)) return { t: this.type(e.type), opt: true };
    if (ts.isRestTypeNode(e)) return { t: this.type(e.type), rest: true };
    return { t: this.type(e) };
  }
}

/**
 * Read the package in `dir` and return its manifest. Throws GopkgrError with
 * an `INFVER_` code for anything the user must fix.
 */
export function extractApi(dir: string): Manifest {
  const pkg = resolveEntry(dir);
  // Parent pointers set at parse: the walk climbs from any node it reaches (to its statement, its file).
  const host = ts.createCompilerHost(COMPILER_OPTIONS, true);
  // TypeScript's lib files are parsed once per process (a diff extracts twice; a
  // publish has parsed them for its compile already); the package's own files
  // are read from disk for each extraction.
  shareLibFiles(host, COMPILER_OPTIONS);
  const program = ts.createProgram([pkg.entry], COMPILER_OPTIONS, host);
  const sf = program.getSourceFile(pkg.entry);
  if (sf === undefined) throw new GopkgrError('INFVER_ENTRY_NOT_FOUND', `${pkg.name}: cannot read its entry ${pkg.entry}`, { hint: 'check that the file exists and is readable' });
  const extractor = new Extractor(program, program.getTypeChecker(), pkg.dir);
  extractor.checkSources();
  return extractor.run(sf, pkg.name);
}
