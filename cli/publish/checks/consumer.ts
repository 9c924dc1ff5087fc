/**
 * A throwaway consumer project holding the packed release as `gopkg get` would
 * lay it out: the tarball checked and extracted by the installer's own code
 * (TypeScript sources shadowed by their declarations left out) into
 * `node_modules/<name>`, and the package's own installed dependencies (its
 * tagged ones as publish installed them, then the package directory's
 * node_modules) linked beside it, so its imports resolve.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readTarball, writeEntries } from '../../install/extractTarball.ts';
import { skipShadowingSource } from '../../install/installPackages.ts';

export interface Consumer {
  dir: string;
  /** the installed package directory */
  packageDir: string;
  /** package-relative paths of the files the install wrote */
  files: Set<string>;
  cleanup(): Promise<void>;
}

/** `modulesRoots`: directories whose node_modules hold the package's dependencies, the first to have a name wins. */
export async function installIntoConsumer(name: string, tarball: Uint8Array, modulesRoots: readonly string[]): Promise<Consumer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gopkgr-check-'));
  try {
    writeFileSync(path.join(dir, 'package.json'), '{"name":"gopkgr-publish-check","private":true,"type":"module"}\n');
    const nm = path.join(dir, 'node_modules');
    const packageDir = path.join(nm, ...name.split('/'));
    const entries = await readTarball(tarball, { label: name });
    const written = await writeEntries(packageDir, entries, { label: name, skip: skipShadowingSource });
    for (const root of modulesRoots) linkDependencies(path.join(root, 'node_modules'), nm, name);
    return { dir, packageDir, files: new Set(written), cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Link what the package itself has installed (but not an older copy of itself) into the consumer's node_modules. */
function linkDependencies(from: string, to: string, own: string): void {
  if (!existsSync(from)) return;
  for (const entry of readdirSync(from)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const child of readdirSync(path.join(from, entry))) {
        const full = `${entry}/${child}`;
        if (full === own || child.startsWith('.') || existsSync(path.join(to, entry, child))) continue;
        mkdirSync(path.join(to, entry), { recursive: true });
        symlinkSync(path.join(from, entry, child), path.join(to, entry, child), 'dir');
      }
    } else if (entry !== own && !existsSync(path.join(to, entry))) {
      symlinkSync(path.join(from, entry), path.join(to, entry), 'dir');
    }
  }
}
