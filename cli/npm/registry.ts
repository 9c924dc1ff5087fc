/**
 * An npm-compatible registry, read the way npm reads it: abbreviated
 * packuments (`application/vnd.npm.install-v1+json`, which carry every field an
 * install needs, `hasInstallScript` included) and tarballs, whose bytes must
 * hash to the packument's `dist.integrity` before anyone uses them.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { GopkgrError } from '../../ledger/index.ts';

export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

export interface NpmVersionRecord {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  hasInstallScript?: boolean;
  scripts?: Record<string, string>;
  deprecated?: string;
  /** platform fields as the package.json gave them (a list, or a single string) */
  os?: string | string[];
  cpu?: string | string[];
  libc?: string | string[];
  dist: { tarball: string; integrity?: string; shasum?: string; signatures?: Array<{ keyid: string; sig: string }> };
}

export interface Packument {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, NpmVersionRecord>;
}

/** The registry the user's npm is set to (`registry=` in ./.npmrc or ~/.npmrc), else npm's own. */
export async function configuredRegistry(cwd: string): Promise<string> {
  if (process.env.npm_config_registry) return process.env.npm_config_registry;
  for (const file of [join(cwd, '.npmrc'), join(homedir(), '.npmrc')]) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const line = text.split('\n').map((l) => l.trim()).find((l) => /^registry\s*=/.test(l));
    if (line !== undefined) return line.slice(line.indexOf('=') + 1).trim();
  }
  return DEFAULT_NPM_REGISTRY;
}

function unreachable(registry: string, what: string, why: string): GopkgrError {
  return new GopkgrError('NPM_REGISTRY_UNREACHABLE', `the npm registry ${registry} did not give ${what}: ${why}`, {
    hint: 'check the network, or pass --registry URL',
  });
}

/** The sha512 the registry declares for a release's tarball (`dist.integrity` may list several hashes). */
export function declaredSha512(record: NpmVersionRecord): string | undefined {
  return record.dist.integrity?.split(/\s+/).find((i) => i.startsWith('sha512-'));
}

export class NpmRegistry {
  readonly url: string;
  private readonly packuments = new Map<string, Promise<Packument>>();

  /** `timeoutMs`: how long one packument may take (none when undefined) */
  constructor(url: string, private readonly timeoutMs?: number) {
    this.url = url.endsWith('/') ? url : `${url}/`;
  }

  /** A package's abbreviated packument (fetched once per run). */
  packument(name: string): Promise<Packument> {
    let p = this.packuments.get(name);
    if (p === undefined) {
      p = this.fetchPackument(name);
      this.packuments.set(name, p);
    }
    return p;
  }

  private async fetchPackument(name: string): Promise<Packument> {
    const url = `${this.url}${name.replace('/', '%2f')}`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
        ...(this.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(this.timeoutMs) }),
      });
    } catch (err) {
      throw unreachable(this.url, `the packument of ${name}`, (err as Error).message);
    }
    if (res.status === 404) throw new GopkgrError('NPM_NOT_FOUND', `the npm registry ${this.url} has no package ${name}`);
    if (!res.ok) throw unreachable(this.url, `the packument of ${name}`, `HTTP ${res.status}`);
    const body = (await res.json().catch(() => undefined)) as Packument | undefined | null;
    if (body === undefined || body === null || typeof body.versions !== 'object' || body.versions === null) throw unreachable(this.url, `the packument of ${name}`, 'the answer is not a packument');
    return body;
  }

  /** A release's tarball, checked against its integrity (sha512, or the legacy sha1 shasum). */
  async tarball(record: NpmVersionRecord): Promise<{ bytes: Uint8Array; integrity: string }> {
    let res: Response;
    try {
      res = await fetch(record.dist.tarball);
    } catch (err) {
      throw unreachable(this.url, `the tarball of ${record.name}@${record.version}`, (err as Error).message);
    }
    if (!res.ok) throw unreachable(this.url, `the tarball of ${record.name}@${record.version}`, `HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const sha512 = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    const declared = declaredSha512(record);
    const legacyOk = declared === undefined && record.dist.shasum !== undefined && createHash('sha1').update(bytes).digest('hex') === record.dist.shasum;
    if (declared !== undefined ? declared !== sha512 : !legacyOk) {
      throw new GopkgrError('NPM_INTEGRITY_MISMATCH', `the tarball of ${record.name}@${record.version} from ${this.url} does not match the registry's integrity`, {
        hint: 'the registry or something between it and you served other bytes; nothing was imported',
      });
    }
    return { bytes, integrity: sha512 };
  }
}
