// The well-kept libraries the sandbox's built-ins are made of, bundled by
// tester/vendor.ts into one script for the isolate. Each is required lazily:
// a test file that never touches Buffer never runs the buffer library.
module.exports = {
  buffer: () => require('buffer/'),
  path: () => require('path-browserify'),
  string_decoder: () => require('string_decoder/'),
  stream: () => require('readable-stream'),
  hashes: () => ({
    ...require('@noble/hashes/sha2.js'),
    ...require('@noble/hashes/legacy.js'),
    ...require('@noble/hashes/sha3.js'),
    hmac: require('@noble/hashes/hmac.js').hmac,
  }),
  // vitest's and jest's expect (chai with Jest's matchers) and spies
  expect: () => require('@vitest/expect'),
  spy: () => require('@vitest/spy'),
  // snapshots: the serialiser vitest and jest share (pretty-format with the
  // snapshot plugins) and vitest's reading of inline snapshots
  prettyFormat: () => require('@vitest/pretty-format'),
  snapshot: () => require('@vitest/snapshot'),
};
