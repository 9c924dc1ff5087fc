/** The dependency resolver: a PubGrub solver over the chain's version index, and the lock-tree rules the node enforces with it. */
export { stateIndex, mapIndex, splitRef, satisfies, admits, excludedByInference, inferenceText, breakText, minVersionOf, type IndexVersion, type InferredBreak, type Misversion, type VersionIndex } from './versionIndex.ts';
export { solve, Solver, requiredByOf, type SolveOptions, type Solution } from './solve.ts';
export { checkLockTree, type LockSubject } from './checkLockTree.ts';
export { ROOT, type Requirement } from './incompatibility.ts';
export { resolveRequest, type ResolveResponse } from './resolveRequest.ts';
