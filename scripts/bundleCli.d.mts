// Types of scripts/bundleCli.mjs for the TypeScript that imports it (test/cli/bundle.test.ts).
import type { Metafile } from 'esbuild';

export function rewriteSpecifiers(code: string): string;
export function bundleCli(options: { root: string; perFileDir: string; outDir: string; vendored: string[] }): Promise<Metafile>;
export const VENDORED: string[];
export function vendorFile(spec: string): string;
export function bundleInstallCommonJs(options: { root: string; perFileDir: string; outFile: string; vendored: string[] }): Promise<Metafile>;
export function requireExternalImports(code: string): string;
