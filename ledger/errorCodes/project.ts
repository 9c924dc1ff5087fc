/** Codes of the project file (`gopkgr.json`): the file itself, registries and routing. */
import type { ErrorCodeInfo } from './types.ts';

export const PROJECT_CODES = {
  PROJECT_FILE_INVALID: { status: 400, blame: 'sender', summary: 'gopkgr.json is not valid JSON or a field of it is malformed (the message names the field)' },
  REGISTRY_UNREACHABLE: { status: 400, blame: 'none', summary: 'a registry of gopkgr.json is down or timed out; nothing else was asked about its names' },
  REGISTRY_UNAUTHORIZED: { status: 400, blame: 'none', summary: 'a registry of gopkgr.json answered 401: its token is missing or wrong' },
  REGISTRY_WRONG_CHAIN: { status: 400, blame: 'none', summary: 'a registry of gopkgr.json answers for another chain id than the file names' },
  REGISTRY_NONE: { status: 400, blame: 'sender', summary: 'no registry of gopkgr.json serves the name (every registry lists namespaces, none of them its)' },
  CHAIN_TAG_UNKNOWN: { status: 400, blame: 'sender', summary: 'a `chain:` tag names no registry of gopkgr.json' },
  CHAIN_TAG_CONFLICT: { status: 400, blame: 'sender', summary: 'a `chain:` tag names another registry than the one that owns the name\'s namespace' },
  LOCK_CHAIN_MISMATCH: { status: 400, blame: 'none', summary: 'offline, a lockfile entry comes from another chain than gopkgr.json routes the name to' },
  OVERRIDE_NOT_FOUND: { status: 400, blame: 'sender', summary: 'an override of gopkgr.json names what is not there: a missing directory, an unknown commit, or a content hash of no version (the message names the entry)' },
  OVERRIDE_BUILD_FAILED: { status: 400, blame: 'none', summary: 'a git override was checked out but did not build or pack (the message names the entry)' },
  OVERRIDE_HASH_MISMATCH: { status: 400, blame: 'none', summary: 'a git override rebuilt to other bytes than the sha256 gopkgr.lock locks for it' },
  PUBLISH_LOCAL_OVERRIDE: { status: 400, blame: 'sender', summary: 'publish: gopkgr.json overrides a package of the lock tree with a file: directory or git commit, a version on no chain' },
  LOCAL_PACKAGE_INVALID: { status: 400, blame: 'sender', summary: 'a file: dependency or workspace of package.json is not a package directory, or its name differs from the one it is listed under' },
} as const satisfies Record<string, ErrorCodeInfo>;
