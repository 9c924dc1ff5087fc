/** Comment tags: parse them from sources and turn them into requirements. */
export { parseTags, gopkgrSpecifier, npmSpecifier, type Tag, type TaggedImport } from './parseTags.ts';
export { scanSources } from './scanSources.ts';
export { collectRequirements, depsOf, type Collected, type NpmRequirement } from './collectRequirements.ts';
