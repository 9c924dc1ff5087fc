/**
 * The generated package graph of bench/install: leaves, a few hubs that many
 * packages depend on, mid-level packages with 1–5 deps, ~20 tops that the
 * consumer depends on (every package is in the consumer's tree), caret ranges,
 * every tenth package with two versions. Seeded: every run builds the same graph.
 */
import { prng } from '../../test/support/prng.ts';

export interface Pkg {
  index: number;
  ns: string;
  short: string;
  name: string;
  deps: number[];
  versions: string[];
}

const ADJ = ['fast', 'tiny', 'deep', 'safe', 'micro', 'pure', 'lazy', 'quick', 'plain', 'strict', 'smart', 'lean'];
const NOUN = ['parse', 'glob', 'path', 'color', 'date', 'hash', 'queue', 'cache', 'stream', 'event', 'format', 'schema', 'merge', 'retry', 'semver', 'url', 'mime', 'buffer', 'lru', 'diff'];
const PER_NAMESPACE = 20;

export function generateGraph(n: number): { pkgs: Pkg[]; tops: number[]; hubs: number[]; namespaces: string[] } {
  // Seeded, so every run builds the same graph.
  const rand = prng(0x5eed + n).next;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const nsCount = Math.ceil(n / PER_NAMESPACE);
  const namespaces = Array.from({ length: nsCount }, (_, i) => `@bench-${String(i).padStart(2, '0')}`);
  const leafEnd = Math.floor(n * 0.35);
  const topCount = Math.min(20, Math.floor(n / 5));
  const topStart = n - topCount;
  const hubs = new Set<number>();
  while (hubs.size < Math.max(3, Math.round(n * 0.02))) hubs.add(Math.floor(rand() * Math.floor(n * 0.3)));
  const hubList = [...hubs].sort((a, b) => a - b);
  const pkgs: Pkg[] = [];
  for (let i = 0; i < n; i++) {
    const ns = namespaces[i % nsCount]!;
    const short = `${pick(ADJ)}-${pick(NOUN)}-${i}`;
    const deps = new Set<number>();
    if (i >= leafEnd && i < topStart) {
      const r = rand();
      const k = r < 0.25 ? 1 : r < 0.5 ? 2 : r < 0.7 ? 3 : r < 0.85 ? 4 : 5;
      const window = Math.floor(n * 0.4);
      for (let t = 0; t < k * 3 && deps.size < k; t++) {
        const lowerHubs = hubList.filter((h) => h < i);
        if (rand() < 0.35 && lowerHubs.length > 0) deps.add(pick(lowerHubs));
        else deps.add(Math.max(0, i - window) + Math.floor(rand() * Math.min(i, window)));
      }
    } else if (i >= topStart) {
      const k = 3 + Math.floor(rand() * 6);
      while (deps.size < k) deps.add(leafEnd + Math.floor(rand() * (topStart - leafEnd)));
    }
    // Every tenth package has a second (patch) version.
    pkgs.push({ index: i, ns, short, name: `${ns}/${short}`, deps: [...deps], versions: i % 10 === 3 ? ['1.0.0', '1.0.1'] : ['1.0.0'] });
  }
  // Every package in the consumer's tree: one that nothing reachable depends on
  // becomes a dependency of a later, reachable package (all later ones are, by induction).
  const tops = pkgs.slice(topStart).map((p) => p.index);
  const reached = new Set<number>(tops);
  for (let j = n - 1; j >= 0; j--) {
    if (!reached.has(j)) {
      const k = j + 1 + Math.floor(rand() * Math.min(60, n - 1 - j));
      pkgs[k]!.deps.push(j);
    }
    for (const d of pkgs[j]!.deps) reached.add(d);
    reached.add(j);
  }
  for (const p of pkgs) p.deps.sort((a, b) => a - b);
  return { pkgs, tops, hubs: hubList, namespaces };
}

export const ident = (p: Pkg): string => p.short.replace(/-/g, '_');

/** The files of one version: prebuilt JS with declarations (no compile step), a README and a licence. */
export function packageFiles(p: Pkg, version: string, all: readonly Pkg[]): Record<string, string> {
  const deps = p.deps.map((d) => all[d]!);
  const dependencies: Record<string, string> = {};
  for (const d of deps) dependencies[d.name] = '^1.0.0';
  const imports = deps.map((d, k) => `import { id as dep${k} } from '${d.name}'; // \`ver:"^1.0.0"\``).join('\n');
  const fn = ident(p);
  const helpers = Array.from({ length: 12 }, (_, k) => [
    `/** Helper ${k} of ${p.name}: folds a string into a small number. */`,
    `export function ${fn}_helper${k}(input) {`,
    `  let acc = ${k + 1};`,
    '  for (let i = 0; i < input.length; i++) acc = (acc * 31 + input.charCodeAt(i)) % 1000003;',
    `  return acc + ${p.index};`,
    '}',
  ].join('\n')).join('\n\n');
  const helperDecls = Array.from({ length: 12 }, (_, k) => `/** Helper ${k} of ${p.name}. */\nexport declare function ${fn}_helper${k}(input: string): number;`).join('\n');
  return {
    'package.json': JSON.stringify({
      name: p.name, version, description: `Benchmark package ${p.index}`, type: 'module', main: 'index.js', types: 'index.d.ts',
      license: 'MIT', ...(deps.length > 0 ? { dependencies } : {}),
    }, null, 2) + '\n',
    'index.js': `${imports}\nexport * from './lib/util.js';\n\nexport const id = '${p.name}@${version}';\n\n/** This package's id and its direct dependencies' ids. */\nexport function ${fn}() {\n  return [id${deps.map((_, k) => `, dep${k}`).join('')}].join(' ');\n}\n`,
    'index.d.ts': `export * from './lib/util.js';\nexport declare const id: string;\n/** This package's id and its direct dependencies' ids. */\nexport declare function ${fn}(): string;\n`,
    'lib/util.js': `${helpers}\n`,
    'lib/util.d.ts': `${helperDecls}\n`,
    'README.md': `# ${p.name}\n\nA generated package for gopkgr's install benchmark (package ${p.index}, version ${version}).\n\n## Usage\n\n\`\`\`ts\nimport { ${fn} } from '${p.name}';\nconsole.log(${fn}());\n\`\`\`\n\nIt depends on ${deps.length === 0 ? 'nothing' : deps.map((d) => `\`${d.name}\``).join(', ')}.\n`,
    LICENSE: `MIT License\n\nCopyright (c) 2026 gopkgr bench\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.\n`,
  };
}

export interface Built {
  pkg: Pkg;
  version: string;
  tarball: Uint8Array;
  sha256: string;
  packageJson: Record<string, unknown>;
}

