#!/usr/bin/env node
/**
 * Fetch one real release pair into test/fixtures/infver-real/<id>/{old,new}:
 *   node scripts/infver-corpus/fetch.mjs <package> <old> <new>
 * Runs `npm pack` (the registry's own client) into a temp dir, extracts the
 * tarball and keeps only what the type checker reads: every .d.ts/.d.mts/.d.cts
 * file under package/ (same relative paths) and the package.json fields that
 * steer type resolution. truth.json and the witnesses are written by hand:
 * this tool only records the releases. Tests never run it (no network in tests).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'infver-real');
// The fields that decide which declaration files a consumer's import resolves to.
const KEPT_FIELDS = ['name', 'version', 'type', 'main', 'module', 'types', 'typings', 'exports', 'typesVersions'];
const DECLARATION = /\.d\.(ts|mts|cts)$/;

export function pairId(name, oldVersion, newVersion) {
  return `${name.replace('/', '__')}@${oldVersion}..${newVersion}`;
}

function declarationFiles(dir, base = dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...declarationFiles(full, base));
    else if (DECLARATION.test(entry)) out.push(relative(base, full));
  }
  return out;
}

/** Extract one published version's declarations and trimmed package.json into `dest`. */
export function fetchRelease(name, version, dest) {
  const work = mkdtempSync(join(tmpdir(), 'infver-corpus-'));
  try {
    const out = execFileSync('npm', ['pack', `${name}@${version}`, '--json', '--pack-destination', work], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const [{ filename }] = JSON.parse(out);
    execFileSync('tar', ['-xzf', join(work, filename), '-C', work]);
    // A few old tarballs use another top folder than package/.
    const top = readdirSync(work).find((e) => statSync(join(work, e)).isDirectory());
    const pkgDir = join(work, top);
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    const kept = Object.fromEntries(KEPT_FIELDS.filter((f) => f in manifest).map((f) => [f, manifest[f]]));
    writeFileSync(join(dest, 'package.json'), `${JSON.stringify(kept, null, 2)}\n`);
    const files = declarationFiles(pkgDir);
    for (const file of files) {
      mkdirSync(dirname(join(dest, file)), { recursive: true });
      copyFileSync(join(pkgDir, file), join(dest, file));
    }
    return files.length;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [name, oldVersion, newVersion] = process.argv.slice(2);
  if (!name || !oldVersion || !newVersion) {
    console.error('usage: fetch.mjs <package> <old> <new>');
    process.exit(2);
  }
  const dir = join(ROOT, pairId(name, oldVersion, newVersion));
  const nOld = fetchRelease(name, oldVersion, join(dir, 'old'));
  const nNew = fetchRelease(name, newVersion, join(dir, 'new'));
  console.log(`${dir}: ${nOld} old and ${nNew} new declaration files`);
}
