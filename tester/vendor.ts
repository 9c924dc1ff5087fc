/**
 * The vendored part of the sandbox's Node built-ins (tester/shims/vendor.cjs:
 * buffer, path-browserify, string_decoder, readable-stream, @noble/hashes),
 * bundled once per process with esbuild into a function expression
 * `(require) => ({ buffer: () => ..., ... })`. What those libraries require of
 * Node (events, util, ...) is left external and served by the isolate's own
 * built-ins through that `require`. The exact versions come from the lockfile,
 * so every tester on one gopkgr version runs the same bytes.
 */
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';

let bundled: string | undefined;

export function vendorSource(): string {
  bundled ??= build();
  return bundled;
}

function build(): string {
  const entry = fileURLToPath(new URL('./shims/vendor.cjs', import.meta.url));
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__gopkgrVendor',
    platform: 'browser',
    target: 'es2022',
    external: ['events', 'util'],
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  return `(function (require) {\n${code}\nreturn __gopkgrVendor;\n})`;
}
