/**
 * The machine npm packages are installed on, as npm's platform checks see it:
 * `process.platform`, `process.arch`, and on linux the C library — glibc when
 * Node's report names a glibc runtime, musl when a musl loader is among its
 * shared objects (npm-install-checks reads the same report).
 */
import type { Machine } from '../../ledger/index.ts';

interface ReportHeader {
  header?: { glibcVersionRuntime?: string };
  sharedObjects?: string[];
}

function libcOfLinux(): string | undefined {
  // `excludeNetwork` (Node 20.13+) is missing from the types this project pins.
  const report = process.report as (NodeJS.ProcessReport & { excludeNetwork?: boolean }) | undefined;
  if (report === undefined) return undefined;
  // The network part of a report is most of its cost (~140 of ~185 ms measured here); libc needs none of it.
  const excluded = report.excludeNetwork;
  report.excludeNetwork = true;
  try {
    const r = report.getReport() as ReportHeader;
    if (r.header?.glibcVersionRuntime !== undefined) return 'glibc';
    if (r.sharedObjects?.some((f) => f.includes('libc.musl-') || f.includes('ld-musl-'))) return 'musl';
    return undefined;
  } finally {
    report.excludeNetwork = excluded;
  }
}

let cached: Machine | undefined;

/**
 * This machine. Its libc is read on first use only: a report still costs tens
 * of milliseconds, and most installs have no package with a `libc` field.
 */
export function thisMachine(): Machine {
  if (cached !== undefined) return cached;
  let libc: { value: string | undefined } | undefined;
  cached = { platform: process.platform, arch: process.arch };
  if (process.platform === 'linux') {
    Object.defineProperty(cached, 'libc', {
      enumerable: true,
      get: (): string | undefined => (libc ??= { value: libcOfLinux() }).value,
    });
  }
  return cached;
}

/** `linux x64 glibc`, for messages. */
export const describeMachine = (m: Machine): string => [m.platform, m.arch, m.libc].filter((x) => x !== undefined).join(' ');
