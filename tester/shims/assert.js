// node:assert and node:assert/strict for the sandbox: one function expression,
// called with the runtime's shim object after runtime.js, in each fresh context.
// It follows Node's documented semantics (assert.md): legacy `assert` compares
// with == and loose deep equality, `assert/strict` with Object.is and strict deep
// equality. Messages are close to Node's but not byte-equal (Node's depend on
// source text and colour diffs); only the pass/fail outcome must match Node.
(function gopkgrAssert(shim) {
  'use strict';
  // Node quotes strings in assertion messages: 'a' !== 'b'.
  const quote = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  const inspect = (v, depth) => (typeof v === 'string' ? quote(v) : shim.inspect(v, depth));
  const { getPrototypeOf, keys: objectKeys, is: objectIs, getOwnPropertySymbols, prototype: ObjectProto } = Object;
  const propertyIsEnumerable = (o, k) => Reflect.apply(ObjectProto.propertyIsEnumerable, o, [k]);
  const tagOf = (v) => Reflect.apply(ObjectProto.toString, v, []);

  class AssertionError extends Error {
    constructor(options) {
      const o = options || {};
      super(o.message !== undefined ? String(o.message) : 'Failed');
      this.generatedMessage = o.generated === true;
      this.code = 'ERR_ASSERTION';
      this.actual = o.actual;
      this.expected = o.expected;
      this.operator = o.operator;
    }
    get name() { return 'AssertionError'; }
    toString() { return `AssertionError [ERR_ASSERTION]: ${this.message}`; }
  }

  function fail(actual, expected, message, operator, defaultMessage) {
    if (message instanceof Error) throw message;
    throw new AssertionError({ actual, expected, operator, message: message !== undefined ? message : defaultMessage, generated: message === undefined });
  }

  // ---- deep equality (Node's isDeepEqual / isDeepStrictEqual) -------------
  function isObjectLike(v) { return v !== null && (typeof v === 'object' || typeof v === 'function'); }
  function deepEq(a, b, strict, memo) {
    if (strict ? objectIs(a, b) : a == b || (a !== a && b !== b)) {
      // == between an object and a primitive is not deep equality
      if (strict || !(isObjectLike(a) !== isObjectLike(b))) return true;
    }
    if (!isObjectLike(a) || !isObjectLike(b)) {
      if (strict) return false;
      if (isObjectLike(a) || isObjectLike(b)) return false;
      return a == b || (a !== a && b !== b);
    }
    if (typeof a === 'function' || typeof b === 'function') return false;
    if (strict && getPrototypeOf(a) !== getPrototypeOf(b)) return false;
    const tag = tagOf(a);
    if (tag !== tagOf(b)) return false;
    for (const [x, y] of memo) if (x === a && y === b) return true;
    memo.push([a, b]);
    try {
      if (Array.isArray(a)) {
        if (!Array.isArray(b) || a.length !== b.length) return false;
      } else if (tag === '[object Date]') {
        if (Date.prototype.getTime.call(a) !== Date.prototype.getTime.call(b)) return false;
      } else if (a instanceof RegExp) {
        if (!(b instanceof RegExp) || a.source !== b.source || a.flags !== b.flags || (strict && a.lastIndex !== b.lastIndex)) return false;
      } else if (a instanceof Error) {
        if (!(b instanceof Error) || a.message !== b.message || a.name !== b.name) return false;
      } else if (ArrayBuffer.isView(a)) {
        if (!ArrayBuffer.isView(b) || a.byteLength !== b.byteLength) return false;
        const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        if (tag === '[object Float32Array]' || tag === '[object Float64Array]') {
          if (a.length !== b.length) return false;
          for (let i = 0; i < a.length; i++) if (!(strict ? objectIs(a[i], b[i]) || a[i] === b[i] : a[i] == b[i])) return false;
        } else for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
        if (tag !== '[object DataView]') return keysEq(a, b, strict, memo, true);
      } else if (a instanceof ArrayBuffer) {
        if (!(b instanceof ArrayBuffer) || a.byteLength !== b.byteLength) return false;
        const x = new Uint8Array(a), y = new Uint8Array(b);
        for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      } else if (tag === '[object Number]' || tag === '[object String]' || tag === '[object Boolean]' || tag === '[object BigInt]' || tag === '[object Symbol]') {
        if (!objectIs(a.valueOf(), b.valueOf())) return false;
      } else if (a instanceof Map) {
        if (!(b instanceof Map) || a.size !== b.size) return false;
        for (const [k, v] of a) {
          if (!isObjectLike(k) && b.has(k)) { if (!deepEq(v, b.get(k), strict, memo)) return false; continue; }
          let found = false;
          for (const [k2, v2] of b) if (deepEq(k, k2, strict, memo) && deepEq(v, v2, strict, memo)) { found = true; break; }
          if (!found) return false;
        }
      } else if (a instanceof Set) {
        if (!(b instanceof Set) || a.size !== b.size) return false;
        for (const v of a) {
          if (!isObjectLike(v) && b.has(v)) continue;
          let found = false;
          for (const v2 of b) if (deepEq(v, v2, strict, memo)) { found = true; break; }
          if (!found) return false;
        }
      }
      return keysEq(a, b, strict, memo, false);
    } finally {
      memo.pop();
    }
  }
  function keysEq(a, b, strict, memo, skipIndices) {
    let ka = objectKeys(a), kb = objectKeys(b);
    if (skipIndices) { ka = ka.filter((k) => !/^\d+$/.test(k)); kb = kb.filter((k) => !/^\d+$/.test(k)); }
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!Reflect.apply(ObjectProto.hasOwnProperty, b, [k]) || !propertyIsEnumerable(b, k)) return false;
    if (strict) {
      const sa = getOwnPropertySymbols(a).filter((s) => propertyIsEnumerable(a, s));
      const sb = getOwnPropertySymbols(b).filter((s) => propertyIsEnumerable(b, s));
      if (sa.length !== sb.length) return false;
      for (const s of sa) if (!propertyIsEnumerable(b, s) || !deepEq(a[s], b[s], strict, memo)) return false;
    }
    for (const k of ka) if (!deepEq(a[k], b[k], strict, memo)) return false;
    return true;
  }
  const isDeepEqual = (a, b) => deepEq(a, b, false, []);
  const isDeepStrictEqual = (a, b) => deepEq(a, b, true, []);

  // ---- throws / rejects -----------------------------------------------------
  const NO_EXCEPTION = Symbol('no exception');
  function checkError(actual, expected, message, fnName) {
    if (expected === undefined) return;
    if (typeof expected === 'string') return; // the message argument in the 2-arg form
    if (expected instanceof RegExp) {
      const str = String(actual);
      if (expected.test(str)) return;
      fail(actual, expected, message, fnName, `The input did not match the regular expression ${inspect(expected)}. Input:\n\n${inspect(str)}\n`);
    }
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && actual instanceof expected) return;
      if (Error.isPrototypeOf(expected) || expected === Error) throw actual;
      const r = Reflect.apply(expected, {}, [actual]);
      if (r !== true) fail(actual, expected, message, fnName, `The ${expected.name ? `"${expected.name}" ` : ''}validation function is expected to return "true". Received ${inspect(r)}`);
      return;
    }
    if (isObjectLike(expected)) {
      const ks = objectKeys(expected);
      if (expected instanceof Error) ks.push('name', 'message');
      for (const k of ks) {
        const want = expected[k];
        const got = isObjectLike(actual) ? actual[k] : undefined;
        if (want instanceof RegExp && typeof got === 'string' && want.test(got)) continue;
        if (!isDeepStrictEqual(got, want)) fail(actual, expected, message, fnName, `Expected values to be strictly deep-equal:\n${k}: ${inspect(got)} !== ${inspect(want)}`);
      }
    }
  }
  function splitArgs(expected, message) {
    if (typeof expected === 'string' && message === undefined) return [undefined, expected];
    return [expected, message];
  }
  function throws(fn, expected, message) {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
    [expected, message] = splitArgs(expected, message);
    let actual = NO_EXCEPTION;
    try { fn(); } catch (e) { actual = e; }
    if (actual === NO_EXCEPTION) fail(undefined, expected, message, 'throws', 'Missing expected exception' + (expected && expected.name ? ` (${expected.name}).` : '.'));
    checkError(actual, expected, message, 'throws');
  }
  function doesNotThrow(fn, expected, message) {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
    [expected, message] = splitArgs(expected, message);
    try { fn(); } catch (e) {
      fail(e, expected, message, 'doesNotThrow', `Got unwanted exception.\nActual message: "${e && e.message}"`);
    }
  }
  async function rejects(promiseFn, expected, message) {
    [expected, message] = splitArgs(expected, message);
    let actual = NO_EXCEPTION;
    try {
      const p = typeof promiseFn === 'function' ? promiseFn() : promiseFn;
      if (!isObjectLike(p) || typeof p.then !== 'function') throw new TypeError('The "promiseFn" argument must be a Promise or a function returning one');
      await p;
    } catch (e) {
      if (e instanceof TypeError && String(e.message).startsWith('The "promiseFn"')) throw e;
      actual = e;
    }
    if (actual === NO_EXCEPTION) fail(undefined, expected, message, 'rejects', 'Missing expected rejection' + (expected && expected.name ? ` (${expected.name}).` : '.'));
    checkError(actual, expected, message, 'rejects');
  }
  async function doesNotReject(promiseFn, expected, message) {
    [expected, message] = splitArgs(expected, message);
    try {
      await (typeof promiseFn === 'function' ? promiseFn() : promiseFn);
    } catch (e) {
      fail(e, expected, message, 'doesNotReject', `Got unwanted rejection.\nActual message: "${e && e.message}"`);
    }
  }

  // ---- the two flavours -------------------------------------------------------
  function build(strict) {
    const eq = strict ? (a, b) => objectIs(a, b) : (a, b) => a == b || (a !== a && b !== b);
    const deep = strict ? isDeepStrictEqual : isDeepEqual;
    const eqWord = strict ? 'strictly equal' : 'loosely equal';
    const deepWord = strict ? 'strictly deep-equal' : 'loosely deep-equal';
    function ok(value, message) {
      if (arguments.length === 0) fail(undefined, true, undefined, '==', 'No value argument passed to `assert.ok()`');
      if (!value) fail(value, true, message, '==', `The expression evaluated to a falsy value:\n\n  assert.ok(${inspect(value)})\n`);
    }
    const assert = function assert(value, message) {
      if (arguments.length === 0) fail(undefined, true, undefined, '==', 'No value argument passed to `assert.ok()`');
      if (!value) fail(value, true, message, '==', `The expression evaluated to a falsy value:\n\n  assert(${inspect(value)})\n`);
    };
    assert.ok = ok;
    assert.AssertionError = AssertionError;
    assert.fail = function (message) {
      if (message instanceof Error) throw message;
      throw new AssertionError({ message: message === undefined ? 'Failed' : message, operator: 'fail', generated: message === undefined });
    };
    assert.equal = (a, b, m) => { if (!eq(a, b)) fail(a, b, m, strict ? 'strictEqual' : '==', `Expected values to be ${eqWord}:\n\n${inspect(a)} !== ${inspect(b)}\n`); };
    assert.notEqual = (a, b, m) => { if (eq(a, b)) fail(a, b, m, strict ? 'notStrictEqual' : '!=', `Expected "actual" to be ${strict ? 'strictly' : 'loosely'} unequal to: ${inspect(b)}`); };
    assert.strictEqual = (a, b, m) => { if (!objectIs(a, b)) fail(a, b, m, 'strictEqual', `Expected values to be strictly equal:\n\n${inspect(a)} !== ${inspect(b)}\n`); };
    assert.notStrictEqual = (a, b, m) => { if (objectIs(a, b)) fail(a, b, m, 'notStrictEqual', `Expected "actual" to be strictly unequal to: ${inspect(b)}`); };
    assert.deepEqual = (a, b, m) => { if (!deep(a, b)) fail(a, b, m, strict ? 'deepStrictEqual' : 'deepEqual', `Expected values to be ${deepWord}:\n\n${inspect(a, 4)}\n\nshould equal\n\n${inspect(b, 4)}\n`); };
    assert.notDeepEqual = (a, b, m) => { if (deep(a, b)) fail(a, b, m, strict ? 'notDeepStrictEqual' : 'notDeepEqual', `Expected "actual" not to be ${deepWord} to:\n\n${inspect(b, 4)}\n`); };
    assert.deepStrictEqual = (a, b, m) => { if (!isDeepStrictEqual(a, b)) fail(a, b, m, 'deepStrictEqual', `Expected values to be strictly deep-equal:\n\n${inspect(a, 4)}\n\nshould equal\n\n${inspect(b, 4)}\n`); };
    assert.notDeepStrictEqual = (a, b, m) => { if (isDeepStrictEqual(a, b)) fail(a, b, m, 'notDeepStrictEqual', `Expected "actual" not to be strictly deep-equal to:\n\n${inspect(b, 4)}\n`); };
    assert.throws = throws;
    assert.doesNotThrow = doesNotThrow;
    assert.rejects = rejects;
    assert.doesNotReject = doesNotReject;
    assert.match = (s, re, m) => {
      if (!(re instanceof RegExp)) throw new TypeError('The "regexp" argument must be an instance of RegExp');
      if (typeof s !== 'string' || !re.test(s)) fail(s, re, m, 'match', typeof s !== 'string' ? `The "string" argument must be of type string. Received ${inspect(s)}` : `The input did not match the regular expression ${inspect(re)}. Input:\n\n${inspect(s, 1)}\n`);
    };
    assert.doesNotMatch = (s, re, m) => {
      if (!(re instanceof RegExp)) throw new TypeError('The "regexp" argument must be an instance of RegExp');
      if (typeof s !== 'string' || re.test(s)) fail(s, re, m, 'doesNotMatch', typeof s !== 'string' ? `The "string" argument must be of type string. Received ${inspect(s)}` : `The input was expected to not match the regular expression ${inspect(re)}. Input:\n\n${inspect(s, 1)}\n`);
    };
    assert.ifError = (v) => {
      if (v === null || v === undefined) return;
      if (v instanceof Error) throw v;
      fail(v, null, undefined, 'ifError', `ifError got unwanted exception: ${inspect(v)}`);
    };
    return assert;
  }
  const legacy = build(false);
  const strict = build(true);
  legacy.strict = strict;
  strict.strict = strict;
  shim.assert = legacy;
  shim.isDeepStrictEqual = isDeepStrictEqual;
});
