/**
 * InfVer: version numbers derived from the public TypeScript API.
 *
 * This module is what the node's consensus hooks import (node/hooks.ts), so it
 * must stay light: the manifest types and the pure comparison load nothing but
 * node:crypto and the ledger.
 * Extraction (extractApi.ts) and the checker engine (infver/checker/) need
 * TypeScript, several MB and ~0.5 s to load, so they are reached only through
 * `extractManifest`/`diffPackages`, which import them on first use.
 * Consensus code never calls those: nodes enforce only the lower bound two
 * manifests prove (lowerBound.ts).
 */
import type { CheckedComparison } from './checker/compare.ts';
import type { Manifest } from './manifest.ts';

export type {
  Bump,
  ChangeKind,
  Decl,
  DeclKind,
  EnumMember,
  Manifest,
  ManifestExport,
  Member,
  NamedDecls,
  Param,
  RefSource,
  Signature,
  TupleElement,
  TypeNode,
  TypeParam,
} from './manifest.ts';
export type { CheckedChange, CheckedComparison } from './checker/compare.ts';
export { MANIFEST_FORMAT } from './manifest.ts';
export { validateManifest } from './validateManifest.ts';
export { manifestLowerBound, type LowerBound } from './lowerBound.ts';
export { nextVersion, parseVersion, FIRST_VERSION } from './nextVersion.ts';
export { canonicalShape, typeText } from './canonicalShape.ts';
export { hashExport } from './hashApi.ts';

/** Extract the API manifest of the package in `dir` (loads TypeScript on first use). */
export async function extractManifest(dir: string): Promise<Manifest> {
  const { extractApi } = await import('./extractApi.ts');
  return extractApi(dir);
}

/**
 * Compare two versions of a package with the TypeScript checker (loads
 * TypeScript on first use): the bump `gopkgr infver diff` and `gopkgr
 * publish` give, each break with its rule and a witness.
 */
export async function diffPackages(oldDir: string, newDir: string): Promise<CheckedComparison> {
  const { checkPackages } = await import('./checker/index.ts');
  return checkPackages(oldDir, newDir);
}

/** The TypeScript release `diffPackages` runs on (loads TypeScript on first use), for matching a chain's pinned checker. */
export async function checkerTypescript(): Promise<string> {
  const { TYPESCRIPT_VERSION } = await import('./checker/index.ts');
  return TYPESCRIPT_VERSION;
}
