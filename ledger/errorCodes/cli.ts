/** Codes of the CLI: arguments, identity, packing and publishing, comment tags, installing. */
import type { ErrorCodeInfo } from './types.ts';

export const CLI_CODES = {
  // Arguments and local files.
  USAGE: { status: 400, blame: 'sender', summary: 'a command line the command does not take' },
  INFVER_USAGE: { status: 400, blame: 'sender', summary: 'a command line `gopkgr infver` does not take' },
  BAD_RANGE: { status: 400, blame: 'sender', summary: 'not a semver range' },
  NO_IDENTITY: { status: 400, blame: 'none', summary: 'the data dir holds no identity' },
  IDENTITY_CORRUPT: { status: 400, blame: 'none', summary: 'the key file is damaged' },
  KEY_ROTATED_AWAY: { status: 400, blame: 'none', summary: 'the identity was rotated to a key this data dir does not hold' },
  TOKEN_FILE_UNREADABLE: { status: 400, blame: 'none', summary: 'the token file cannot be read' },
  TOKEN_FILE_EMPTY: { status: 400, blame: 'sender', summary: 'the token file is empty' },
  // Talking to a node.
  NODE_UNREACHABLE: { status: 400, blame: 'none', summary: 'no gopkgr node answers at the URL' },
  NODE_BAD_ANSWER: { status: 400, blame: 'none', summary: 'the node answered without the fields asked for' },
  HTTP_ERROR: { status: 502, blame: 'none', summary: 'the node answered an HTTP error without a known code' },
  TX_NOT_MINED: { status: 400, blame: 'none', summary: 'a tx is still pending after the wait' },
  UNKNOWN_PACKAGE: { status: 400, blame: 'sender', summary: 'the package is not on chain' },
  UNKNOWN_VERSION: { status: 400, blame: 'sender', summary: 'the version is not on chain' },
  MINE_NOTHING: { status: 400, blame: 'none', summary: 'mining stopped before a block was mined' },
  // Packing and publishing.
  PACK_BAD_OPTIONS: { status: 400, blame: 'sender', summary: 'a packing limit that is not a positive integer' },
  PACK_DIR_NOT_FOUND: { status: 400, blame: 'sender', summary: 'the package path is not a directory' },
  PACK_PACKAGE_JSON_MISSING: { status: 400, blame: 'sender', summary: 'the package has no package.json' },
  PACK_PACKAGE_JSON_INVALID: { status: 400, blame: 'sender', summary: 'package.json is not a JSON object' },
  PACK_TSCONFIG_INVALID: { status: 400, blame: 'sender', summary: 'tsconfig.json has errors' },
  PACK_COMPILE_ERROR: { status: 400, blame: 'sender', summary: 'the package does not compile' },
  PACK_READ_FAILED: { status: 400, blame: 'none', summary: 'a file of the package cannot be read' },
  PACK_SYMLINK: { status: 400, blame: 'sender', summary: 'the package holds a symbolic link' },
  PACK_SPECIAL_FILE: { status: 400, blame: 'sender', summary: 'the package holds a file that is not regular' },
  PACK_PATH_COLLISION: { status: 400, blame: 'sender', summary: 'two paths that are one name once normalised' },
  PACK_TOO_LARGE: { status: 400, blame: 'sender', summary: 'the package has too many files or bytes' },
  PACK_INTERNAL: { status: 400, blame: 'none', summary: 'the compiler did something packing does not allow' },
  PUBLISH_NO_NAME: { status: 400, blame: 'sender', summary: 'package.json has no name' },
  PUBLISH_SELF_DEPENDENCY: { status: 400, blame: 'sender', summary: 'the package depends on itself' },
  // npm imports.
  NPM_REGISTRY_UNREACHABLE: { status: 400, blame: 'none', summary: 'the npm registry did not answer' },
  NPM_NOT_FOUND: { status: 400, blame: 'sender', summary: 'the npm registry has no such package' },
  NPM_INTEGRITY_MISMATCH: { status: 400, blame: 'none', summary: "a tarball from the npm registry does not match the registry's integrity" },
  PUBLISH_UNCHANGED: { status: 400, blame: 'sender', summary: 'a version with exactly this content is already published' },
  PUBLISH_BAD_FROM: { status: 400, blame: 'sender', summary: '--from names no published version of the package' },
  PUBLISH_MAJOR_ON_OLD_LINE: { status: 400, blame: 'sender', summary: 'a breaking release from an older major line, whose next major already exists' },
  // Comment tags.
  TAG_MALFORMED: { status: 400, blame: 'sender', summary: 'a comment tag that does not parse' },
  TAG_CONFLICT: { status: 400, blame: 'sender', summary: 'tags on one package that cannot be combined' },
  TAG_TOO_MANY_SOURCES: { status: 400, blame: 'sender', summary: 'more source files than a scan reads' },
  // Installing.
  LOCKFILE_INVALID: { status: 400, blame: 'sender', summary: 'gopkgr.lock is malformed' },
  RESOLVE_OFFLINE: { status: 400, blame: 'sender', summary: 'the lockfile\'s versions do not satisfy the requirements' },
  OFFLINE_NO_LOCKFILE: { status: 400, blame: 'sender', summary: 'no gopkgr.lock to install from offline' },
  OFFLINE_NOT_CACHED: { status: 400, blame: 'none', summary: 'a tarball is not in the local cache' },
  BLOB_MISSING: { status: 400, blame: 'none', summary: 'the node has no tarball for a version' },
  BLOB_TAMPERED: { status: 400, blame: 'sender', summary: 'a tarball does not hash to the chain\'s content hash' },
  TARBALL_CORRUPT: { status: 400, blame: 'sender', summary: 'a tarball is not valid gzip or tar' },
  TARBALL_UNSAFE: { status: 400, blame: 'sender', summary: 'a tarball whose entries would escape or overflow' },
} as const satisfies Record<string, ErrorCodeInfo>;
