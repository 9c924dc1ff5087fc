/**
 * What a node checks of an npm release's tarball before it relays the `import`
 * that names it (policy, like a publish's tarball being present; the ledger's
 * rules cannot read blobs): the bytes hash to the registry's integrity as well
 * as to the content hash, and the package.json inside names the same package
 * and version, with the platform fields (`os`, `cpu`, `libc`) the import
 * records, so nobody can hide a package from (or push it onto) a platform. A tarball is read from memory, entry by entry, and only its
 * top-level package.json is kept.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { GopkgrError } from '../ledger/errors.ts';
import { PLATFORM_FIELDS, platformOfManifest } from '../ledger/npmRelease.ts';
import type { ImportBody } from '../ledger/tx.ts';

/** A package.json larger than this is not one npm would serve. */
const MAX_PACKAGE_JSON_BYTES = 4 * 1024 * 1024;
/** gunzip's output bound: npm refuses far smaller packages. */
const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;

function mismatch(body: ImportBody, why: string): GopkgrError {
  return new GopkgrError('NPM_TARBALL_MISMATCH', `the tarball of npm:${body.name}@${body.version} ${why}`, {
    hint: 'upload the exact tarball the registry serves for this version',
  });
}

/** The first package.json one directory deep (`package/package.json` in npm's tarballs; some use another folder name). */
async function packageJsonOf(tgz: Uint8Array): Promise<string | undefined> {
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz, { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch {
    return undefined;
  }
  // Loaded on the first npm tarball, not with the node: a node starts without it.
  const { extract } = await import('tar-stream');
  const ex = extract();
  let found: string | undefined;
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const parts = header.name.replace(/^\.\//, '').split('/');
      const wanted = found === undefined && header.type === 'file' && parts.length === 2 && parts[1] === 'package.json' && (header.size ?? 0) <= MAX_PACKAGE_JSON_BYTES;
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        if (wanted) chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        if (wanted) found = Buffer.concat(chunks).toString('utf8');
        next();
      });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(tar);
  try {
    await done;
  } catch {
    return undefined;
  }
  return found;
}

export async function checkNpmTarball(bytes: Uint8Array, body: ImportBody): Promise<void> {
  const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  if (integrity !== body.integrity) throw mismatch(body, `hashes to ${integrity.slice(0, 24)}…, not to the registry's integrity ${body.integrity.slice(0, 24)}…`);
  if (bytes.length !== body.size) throw mismatch(body, `is ${bytes.length} bytes, the import says ${body.size}`);
  const text = await packageJsonOf(bytes);
  if (text === undefined) throw mismatch(body, 'is not a gzipped tar with a package.json at its top');
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw mismatch(body, 'has a package.json that is not JSON');
  }
  if (typeof pkg !== 'object' || pkg === null) throw mismatch(body, 'has a package.json that is not an object');
  if (pkg.name !== body.name || pkg.version !== body.version) {
    throw mismatch(body, `holds package.json of ${String(pkg.name).slice(0, 100)}@${String(pkg.version).slice(0, 50)}`);
  }
  const platform = platformOfManifest(pkg);
  for (const field of PLATFORM_FIELDS) {
    const inTarball = JSON.stringify(platform[field] ?? null);
    if (inTarball !== JSON.stringify(body[field] ?? null)) {
      throw mismatch(body, `has ${field} ${inTarball.slice(0, 100)} in its package.json, the import records ${JSON.stringify(body[field] ?? null)}`);
    }
  }
}
