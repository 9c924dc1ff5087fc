/** Codes of the tester: package reading, the sandbox and its aborts (attested as `aborted.code`). */
import type { ErrorCodeInfo } from './types.ts';

export const TESTER_CODES = {
  TEST_NO_PACKAGE: { status: 400, blame: 'sender', summary: 'the path is not a package directory' },
  TEST_PACKAGE_TOO_LARGE: { status: 400, blame: 'sender', summary: 'the package is over the size caps' },
  TEST_BAD_TARBALL: { status: 400, blame: 'sender', summary: 'the tarball does not unpack safely' },
  TEST_BLOB_MISMATCH: { status: 400, blame: 'sender', summary: 'the tarball does not hash to the version\'s content hash' },
  TEST_BAD_PACKAGE_JSON: { status: 400, blame: 'sender', summary: 'package.json or its gopkgr.tests is invalid' },
  TEST_BAD_PATTERN: { status: 400, blame: 'sender', summary: 'a test glob is malformed' },
  TEST_BAD_JSON: { status: 400, blame: 'sender', summary: 'a JSON file imported by a test is invalid' },
  TEST_TRANSPILE: { status: 400, blame: 'sender', summary: 'TypeScript could not transpile a file' },
  TEST_COMPILE: { status: 400, blame: 'sender', summary: 'a module does not compile in the isolate' },
  TEST_LINK: { status: 400, blame: 'sender', summary: 'a module does not link in the isolate' },
  TEST_NO_PREDECESSOR_TESTS: { status: 400, blame: 'sender', summary: 'the previous version has no test files' },
  SANDBOX_IMPORT_DENIED: { status: 400, blame: 'sender', summary: 'an import the sandbox does not allow' },
  SANDBOX_IMPORT_NOT_FOUND: { status: 400, blame: 'sender', summary: 'an import that names no file or locked dependency' },
  SANDBOX_UNSUPPORTED: { status: 400, blame: 'sender', summary: 'a Node feature the sandbox cannot give deterministically (network, child processes, files outside the package)' },
  SANDBOX_IMPORT_OUTSIDE: { status: 400, blame: 'sender', summary: 'an import that leaves the package' },
  SANDBOX_CPU_LIMIT: { status: 400, blame: 'sender', summary: 'the tests used more CPU time than allowed' },
  SANDBOX_MEMORY_LIMIT: { status: 400, blame: 'sender', summary: 'the tests used more memory than allowed' },
  SANDBOX_TIMEOUT: { status: 400, blame: 'sender', summary: 'the tests ran longer than allowed' },
  SANDBOX_TOO_MANY_TESTS: { status: 400, blame: 'sender', summary: 'the tests reported more tests than allowed' },
  SANDBOX_PROTOCOL: { status: 400, blame: 'sender', summary: 'the sandbox returned a malformed result' },
  SANDBOX_CRASH: { status: 400, blame: 'none', summary: 'the isolate failed' },
} as const satisfies Record<string, ErrorCodeInfo>;
