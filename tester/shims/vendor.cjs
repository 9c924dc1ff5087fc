// The well-kept libraries the sandbox's built-ins are made of, bundled by
// tester/vendor.ts into one script for the isolate. Each is required lazily:
// a test file that never touches Buffer never runs the buffer library.
module.exports = {
  buffer: () => require('buffer/'),
  path: () => require('path-browserify'),
  string_decoder: () => require('string_decoder/'),
  stream: () => {
    nodeStreamErrors(require('readable-stream/errors-browser.js').codes);
    return require('readable-stream');
  },
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

/**
 * readable-stream 3 words an invalid option as Node 14 did; Node 20 throws
 * ERR_INVALID_ARG_VALUE ("The property 'options.highWaterMark' is invalid.
 * Received 'x'"), which tests assert. Its modules read `codes` when they
 * first load, so this runs before them.
 */
function nodeStreamErrors(codes) {
  const shown = (v) => (typeof v === 'string' ? `'${v.replace(/'/g, "\\'")}'` : typeof v === 'bigint' ? `${v}n` : String(v));
  class ERR_INVALID_ARG_VALUE extends TypeError {
    constructor(name, value) {
      super(`The property 'options.${name}' is invalid. Received ${shown(value)}`);
      this.code = 'ERR_INVALID_ARG_VALUE';
    }
  }
  codes.ERR_INVALID_OPT_VALUE = ERR_INVALID_ARG_VALUE;
}
