/** Comment tags: parse them from sources and turn them into requirements. */
export { parseTags, gopkgrSpecifier, type Tag, type TaggedImport } from './parseTags.ts';
export { scanSources } from './scanSources.ts';
export { collectRequirements, depsOf, type Collected } from './collectRequirements.ts';
