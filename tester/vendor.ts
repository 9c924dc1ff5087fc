/**
 * The vendored part of the sandbox's Node built-ins (tester/shims/vendor.cjs:
 * buffer, path-browserify, string_decoder, readable-stream, @noble/hashes,
 * @vitest/expect, @vitest/spy), bundled with esbuild into a function
 * expression `(require) => ({ buffer: () => ..., ... })`. What those libraries
 * require of Node (events, util) is left external and served by the isolate's
 * own built-ins through that `require`. The exact versions come from the
 * lockfile, so every tester on one gopkgr version runs the same bytes.
 *
 * `npm run build` writes the bundle beside the compiled shims
 * (dist/tester/shims/vendor.bundle.js, scripts/build.mjs) so the command does
 * not pay esbuild's ~0.5 s; from sources it is bundled on first use.
 */
import { buildSync, type BuildOptions } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let bundled: string | undefined;

/** The bundle a parent process already made (tester/child/): a child need not bundle again. */
export function useVendorSource(source: string): void {
  bundled = source;
}

export function vendorSource(): string {
  bundled ??= `(function (require) {\n${prebuilt() ?? build()}\nreturn __gopkgrVendor;\n})`;
  return bundled;
}

function prebuilt(): string | undefined {
  const file = fileURLToPath(new URL('./shims/vendor.bundle.js', import.meta.url));
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function build(): string {
  const options = JSON.parse(readFileSync(new URL('./shims/vendor.esbuild.json', import.meta.url), 'utf8')) as BuildOptions;
  const result = buildSync({ ...options, entryPoints: [fileURLToPath(new URL('./shims/vendor.cjs', import.meta.url))], write: false });
  return result.outputFiles![0]!.text;
}
