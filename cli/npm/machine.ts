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
  const report = process.report?.getReport() as ReportHeader | undefined;
  if (report?.header?.glibcVersionRuntime !== undefined) return 'glibc';
  if (report?.sharedObjects?.some((f) => f.includes('libc.musl-') || f.includes('ld-musl-'))) return 'musl';
  return undefined;
}

let cached: Machine | undefined;

export function thisMachine(): Machine {
  cached ??= {
    platform: process.platform,
    arch: process.arch,
    ...(process.platform === 'linux' ? { libc: libcOfLinux() } : {}),
  };
  return cached;
}

/** `linux x64 glibc`, for messages. */
export const describeMachine = (m: Machine): string => [m.platform, m.arch, m.libc].filter((x) => x !== undefined).join(' ');
