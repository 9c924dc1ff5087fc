/** Codes of InfVer (API extraction and compatibility). */
import type { ErrorCodeInfo } from './types.ts';

export const INFVER_CODES = {
  INFVER_NOT_A_DIRECTORY: { status: 400, blame: 'sender', summary: 'the package path is not a directory' },
  INFVER_NO_PACKAGE_JSON: { status: 400, blame: 'sender', summary: 'the package has no package.json' },
  INFVER_BAD_PACKAGE_JSON: { status: 400, blame: 'sender', summary: 'package.json is not a JSON object' },
  INFVER_ENTRY_NOT_FOUND: { status: 400, blame: 'sender', summary: 'an entry point package.json names does not exist' },
  INFVER_NO_DECLARATIONS: { status: 400, blame: 'sender', summary: 'no entry point of the package has a declaration or TypeScript file' },
  INFVER_BAD_INPUT: { status: 400, blame: 'sender', summary: 'an input of `gopkgr infver diff` is no directory, .tgz or @ns/name@version the node has' },
  INFVER_PARSE_ERROR: { status: 400, blame: 'sender', summary: 'a source file has a syntax error' },
  INFVER_UNRESOLVED_EXPORT: { status: 400, blame: 'sender', summary: 'an export does not resolve to a declaration' },
  INFVER_MANIFEST_INVALID: { status: 400, blame: 'sender', summary: 'an API manifest does not have the manifest\'s shape' },
  INFVER_BAD_VERSION: { status: 400, blame: 'sender', summary: 'not a MAJOR.MINOR.PATCH version' },
  INFVER_BAD_BUMP: { status: 400, blame: 'sender', summary: 'not a bump kind (major, minor, patch)' },
} as const satisfies Record<string, ErrorCodeInfo>;
