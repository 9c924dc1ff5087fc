/** The pure side the ledger uses: validation, hashing, comparison totality, versions. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/infver.ts';
import {
  canonicalShape,
  manifestLowerBound,
  extractManifest,
  hashExport,
  nextVersion,
  validateManifest,
} from '../../infver/index.ts';
import type { Decl, Manifest } from '../../infver/index.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'infver');

function manifestOf(exports: Array<{ name: string; decls: Decl[] }>): Manifest {
  return {
    format: 'infver/1',
    name: 'vec',
    exports: exports.map((e) => ({ name: e.name, kind: e.decls.map((d) => d.kind).join('+'), hash: hashExport(e.name, e.decls), decls: e.decls })),
    internal: [],
  };
}

const F: Decl = { kind: 'function', s: [{ p: [{ n: 'a', t: { k: 'kw', n: 'string' } }], r: { k: 'kw', n: 'void' } }] };

describe('infver/index.ts stays light', () => {
  it('does not reach ts-morph or extractApi.ts through static imports', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      // `import type`/`export type` are erased: they load nothing at run time.
      for (const m of text.matchAll(/^\s*(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/gms)) {
        const spec = m[1]!;
        expect(spec).not.toBe('ts-morph');
        expect(spec).not.toBe('typescript');
        if (spec.startsWith('.')) {
          expect(spec).not.toMatch(/extractApi/);
          visit(resolve(dirname(file), spec));
        }
      }
    };
    visit(join(import.meta.dirname, '..', '..', 'infver', 'index.ts'));
    expect(seen.size).toBeGreaterThan(3);
  });
});

describe('hashes', () => {
  it('pin the canonical text: sha256 of the printed declaration', () => {
    expect(canonicalShape('f', [F])).toBe('function f(a: string): void;');
    const expected = 'sha256:' + createHash('sha256').update('function f(a: string): void;').digest('hex');
    expect(hashExport('f', [F])).toBe(expected);
    expect(expected).toBe('sha256:' + createHash('sha256').update(Buffer.from('function f(a: string): void;', 'utf8')).digest('hex'));
  });

  it('print unions in one order whatever the source order', async () => {
    const m = await extractManifest(join(FIXTURES, 'type-alias-equivalent-rewrite-is-patch', 'new'));
    expect(canonicalShape('List', m.exports.find((e) => e.name === 'List')!.decls)).toBe('type List = (number | string)[];');
  });
});

describe('validateManifest', () => {
  const good = manifestOf([{ name: 'f', decls: [F] }]);

  it('accepts an extracted manifest and returns it', () => {
    expect(validateManifest(structuredClone(good))).toEqual(good);
  });

  const cases: Array<[string, (m: Record<string, unknown>) => unknown, RegExp]> = [
    ['not an object', () => 'x', /manifest: must be a plain object/],
    ['wrong format', (m) => ({ ...m, format: 'infver/0' }), /manifest\.format/],
    ['unknown field', (m) => ({ ...m, extra: 1 }), /manifest\.extra: unknown field/],
    ['undefined value', (m) => ({ ...m, internal: undefined }), /manifest\.internal: must not be undefined/],
    ['number where a string goes', (m) => ({ ...m, name: 1.5 }), /manifest\.name/],
    ['bad type node', (m) => {
      const c = structuredClone(m) as unknown as Manifest;
      (c.exports[0]!.decls[0] as { s: Array<{ r: unknown }> }).s[0]!.r = { k: 'kw' };
      return c;
    }, /manifest\.exports\[0\]\.decls\[0\]\.s\[0\]\.r\.n: is missing/],
    ['flag that is not true', (m) => {
      const c = structuredClone(m) as unknown as Manifest;
      (c.exports[0]!.decls[0] as { s: Array<{ p: Array<{ opt?: unknown }> }> }).s[0]!.p[0]!.opt = false;
      return c;
    }, /\.p\[0\]\.opt: a flag must be true or absent/],
    ['hash that does not match', (m) => {
      const c = structuredClone(m) as unknown as Manifest;
      c.exports[0]!.hash = 'sha256:00';
      return c;
    }, /manifest\.exports\[0\]\.hash: does not match/],
    ['kind that does not match', (m) => {
      const c = structuredClone(m) as unknown as Manifest;
      c.exports[0]!.kind = 'class';
      return c;
    }, /manifest\.exports\[0\]\.kind/],
    ['unsorted exports', () => manifestOf([{ name: 'g', decls: [F] }, { name: 'f', decls: [F] }]), /manifest\.exports\[1\]\.name: names must be unique and sorted/],
    ['unsorted namespace members', (m) => {
      const c = structuredClone(m) as unknown as Manifest;
      c.exports[0]!.decls = [{ kind: 'namespace', x: [{ name: 'b', decls: [F] }, { name: 'a', decls: [F] }] }] as unknown as Manifest['exports'][0]['decls'];
      return c;
    }, /manifest\.exports\[0\]\.decls\[0\]\.x\[1\]\.name: names must be unique and sorted/],
    ['nesting too deep', (m) => {
      let t: unknown = { k: 'kw', n: 'string' };
      for (let i = 0; i < 200; i++) t = { k: 'arr', e: t };
      const c = structuredClone(m) as unknown as Manifest;
      (c.exports[0]!.decls[0] as { s: Array<{ r: unknown }> }).s[0]!.r = t;
      return c;
    }, /nested deeper than/],
  ];
  it.each(cases)('rejects %s with INFVER_MANIFEST_INVALID naming the field', (_label, mutate, message) => {
    let caught: unknown;
    try {
      validateManifest(mutate(structuredClone(good) as unknown as Record<string, unknown>));
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'INFVER_MANIFEST_INVALID' });
    expect((caught as Error).message).toMatch(message);
  });
});

describe('the manifest lower bound nodes enforce', () => {
  it('is total and deterministic across fixture manifests, and patch for a manifest against itself', async () => {
    const manifests: Manifest[] = [];
    for (const name of readdirSync(FIXTURES).sort().slice(0, 24)) {
      for (const side of ['old', 'new']) manifests.push(await extractManifest(join(FIXTURES, name, side)));
    }
    for (const a of manifests) {
      expect(manifestLowerBound(a, a).bump).toBe('patch');
      for (const b of manifests) expect(manifestLowerBound(a, b)).toEqual(manifestLowerBound(a, b));
    }
  });

  it('asks a major for a removed export and a minor for an added one', () => {
    const one = manifestOf([{ name: 'f', decls: [F] }]);
    const two = manifestOf([{ name: 'f', decls: [F] }, { name: 'g', decls: [F] }]);
    expect(manifestLowerBound(one, two)).toEqual({ bump: 'minor', reason: 'export g was added' });
    expect(manifestLowerBound(two, one).bump).toBe('major');
    expect(manifestLowerBound(two, one).reason).toContain('g was removed');
  });
});

describe('versions', () => {
  it('start at 1.0.0 and reset lower parts', () => {
    expect(nextVersion(null, 'major')).toBe('1.0.0');
    expect(nextVersion('1.2.3', 'major')).toBe('2.0.0');
    expect(nextVersion('1.2.3', 'minor')).toBe('1.3.0');
    expect(nextVersion('1.2.3', 'patch')).toBe('1.2.4');
  });

  it('reject pre-releases and junk with INFVER_BAD_VERSION', () => {
    for (const v of ['1.0.0-beta.1', '1.0', '01.0.0', 'v1.0.0', '1.0.0+build']) {
      expect(() => nextVersion(v, 'patch')).toThrow(expect.objectContaining({ code: 'INFVER_BAD_VERSION' }));
    }
  });
});

describe('gopkgr infver api', () => {
  it('prints name, exports with kind, hash and shape as one JSON object', async () => {
    const lines: string[] = [];
    const dir = join(FIXTURES, 'namespace-merged-with-function', 'new');
    expect(await run(['api', dir], { json: true, out: (l) => lines.push(l) })).toBe(0);
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as { name: string; manifestHash: string; exports: Array<Record<string, string>> };
    expect(out.name).toBe('fx-namespace-merged-with-function');
    // The hash the chain records as the version's apiHash.
    expect(out.manifestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(out.exports).toEqual([
      {
        name: 'ajax',
        kind: 'function+namespace',
        hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        shape: 'function ajax(url: string): void;\nnamespace ajax {\n  function get(url: string): void;\n  const timeout: number;\n}',
      },
    ]);
  });
});
