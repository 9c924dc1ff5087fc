// node:assert and node:assert/strict for the sandbox: one function expression,
// called with the runtime's shim object after runtime.js, in each fresh context.
// It follows Node's documented semantics (assert.md): legacy `assert` compares
// with == and loose deep equality, `assert/strict` with Object.is and strict deep
// equality. Messages are close to Node's but not byte-equal (Node's depend on
// source text and colour diffs); only the pass/fail outcome must match Node.
(function gopkgrAssert(shim) {
  'use strict';
  // Everything the checks call is captured now, before package code loads: a
  // package that replaces Array.prototype.filter, Map.prototype[Symbol.iterator],
  // RegExp.prototype.exec, Reflect.apply or a global constructor must not be
  // able to make a failing comparison pass.
  const ReflectApply = Reflect.apply;
  const uncurry = (f) => (self, ...args) => ReflectApply(f, self, args);
  const { getPrototypeOf, keys: objectKeys, is: objectIs, getOwnPropertySymbols, defineProperty, freeze, prototype: ObjectProto } = Object;
  const hasOwn = uncurry(ObjectProto.hasOwnProperty);
  const propertyIsEnumerable = uncurry(ObjectProto.propertyIsEnumerable);
  const tagOf = uncurry(ObjectProto.toString);
  const isArray = Array.isArray;
  const isView = ArrayBuffer.isView;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const RegExpCtor = RegExp;
  const Uint8ArrayCtor = Uint8Array;
  const StringCtor = String;
  const SymbolCtor = Symbol;
  const isPrototypeOf = uncurry(ObjectProto.isPrototypeOf);
  const regExpExec = uncurry(RegExp.prototype.exec);
  const regExpTest = (re, s) => regExpExec(re, s) !== null;
  const getter = (proto, name) => uncurry(Object.getOwnPropertyDescriptor(proto, name).get);
  const regExpSource = getter(RegExp.prototype, 'source');
  const regExpFlags = getter(RegExp.prototype, 'flags');
  const byteLengthOf = getter(ArrayBuffer.prototype, 'byteLength');
  const typedProto = getPrototypeOf(Uint8Array.prototype);
  const viewByteLength = getter(typedProto, 'byteLength');
  const viewByteOffset = getter(typedProto, 'byteOffset');
  const viewBuffer = getter(typedProto, 'buffer');
  const viewLength = getter(typedProto, 'length');
  const dvByteLength = getter(DataView.prototype, 'byteLength');
  const dvByteOffset = getter(DataView.prototype, 'byteOffset');
  const dvBuffer = getter(DataView.prototype, 'buffer');
  const dateGetTime = uncurry(Date.prototype.getTime);
  const mapSize = getter(Map.prototype, 'size');
  const mapHas = uncurry(Map.prototype.has);
  const mapGet = uncurry(Map.prototype.get);
  const mapForEach = uncurry(Map.prototype.forEach);
  const setSize = getter(Set.prototype, 'size');
  const setHas = uncurry(Set.prototype.has);
  const setForEach = uncurry(Set.prototype.forEach);
  const valueOfs = {
    __proto__: null,
    number: uncurry(Number.prototype.valueOf),
    string: uncurry(String.prototype.valueOf),
    boolean: uncurry(Boolean.prototype.valueOf),
    bigint: uncurry(BigInt.prototype.valueOf),
    symbol: uncurry(Symbol.prototype.valueOf),
  };
  const BOXED = ['number', 'string', 'boolean', 'bigint', 'symbol'];
  const append = (arr, v) => defineProperty(arr, arr.length, { value: v, writable: true, enumerable: true, configurable: true });
  // Node quotes strings in assertion messages: 'a' !== 'b'. By hand: a
  // replaced RegExp.prototype.exec would make a regular expression loop.
  const quote = (s) => {
    let r = "'";
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      r += c === '\\' ? '\\\\' : c === "'" ? "\\'" : c === '\n' ? '\\n' : c;
    }
    return r + "'";
  };
  const shimInspect = shim.inspect;
  // Waits on the runner's own promises: `await p` on the caller's promise would
  // read p.constructor and maybe call a replaced Promise.prototype.then.
  const settleOf = shim.settle;
  const inspect = (v, depth) => (typeof v === 'string' ? quote(v) : shimInspect(v, depth));

  // One AssertionError for the whole file (instanceof must hold across
  // importers, as in Node), frozen with its prototype.
  class AssertionError extends ErrorCtor {
    constructor(options) {
      const o = options || {};
      super(o.message !== undefined ? StringCtor(o.message) : 'Failed');
      // defineProperty, not assignment: a setter on Error.prototype or
      // Object.prototype must not see or swallow these.
      const own = (k, v) => defineProperty(this, k, { value: v, writable: true, enumerable: true, configurable: true });
      own('generatedMessage', o.generated === true);
      own('code', 'ERR_ASSERTION');
      own('actual', o.actual);
      own('expected', o.expected);
      own('operator', o.operator);
    }
    get name() { return 'AssertionError'; }
    toString() { return `AssertionError [ERR_ASSERTION]: ${this.message}`; }
  }
  freeze(AssertionError.prototype);
  freeze(AssertionError);

  function fail(actual, expected, message, operator, defaultMessage) {
    if (isError(message)) throw message;
    throw new AssertionError({ __proto__: null, actual, expected, operator, message: message !== undefined ? message : defaultMessage, generated: message === undefined });
  }

  // ---- deep equality (Node's isDeepEqual / isDeepStrictEqual) -------------
  function isObjectLike(v) { return v !== null && (typeof v === 'object' || typeof v === 'function'); }
  function bytesEqual(x, y, n) {
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  const typedName = getter(typedProto, SymbolCtor.toStringTag);
  const brand = (check, v) => { try { check(v); return true; } catch { return false; } };
  // No `instanceof` on the realm's constructors anywhere here: the package can
  // give Error or RegExp its own Symbol.hasInstance (() => false) and switch
  // every check off. A RegExp is told by its internal slots (the captured
  // `source` getter throws on anything else); an Error, which has no such
  // getter in this engine, by its prototype chain (captured isPrototypeOf, no
  // user code for ordinary objects) or its built-in tag: either one is enough,
  // so a package can make an error count as an error but never stop one.
  const RegExpProto = RegExpCtor.prototype;
  const ErrorProto = ErrorCtor.prototype;
  const isRegExp = (v) => isObjectLike(v) && v !== RegExpProto && brand(regExpSource, v);
  function isError(v) {
    if (!isObjectLike(v)) return false;
    try { if (isPrototypeOf(ErrorProto, v)) return true; } catch { /* a Proxy's trap threw */ }
    try { return tagOf(v) === '[object Error]'; } catch { return false; }
  }
  /** `actual instanceof expected` without Symbol.hasInstance: the prototype chain only. */
  function inheritsFrom(actual, expected) {
    if (!isObjectLike(actual)) return false;
    const proto = expected.prototype;
    if (!isObjectLike(proto)) return false;
    try { return isPrototypeOf(proto, actual); } catch { return false; }
  }
  /**
   * What a value is, by its internal slots (each captured getter throws on
   * anything else), not by Symbol.toStringTag or instanceof, which the package
   * can redefine: a Date must not pass for a plain object.
   */
  function kindOf(v) {
    if (isArray(v)) return 'array';
    // Each failed brand check throws a TypeError: with no stack to capture, a
    // plain object's ten of them cost little (no package code runs in between).
    const limit = ErrorCtor.stackTraceLimit;
    ErrorCtor.stackTraceLimit = 0;
    try {
      return slotKindOf(v);
    } finally {
      ErrorCtor.stackTraceLimit = limit;
    }
  }
  function slotKindOf(v) {
    if (isView(v)) { const t = typedName(v); return t === undefined ? 'DataView' : t; }
    if (brand(dateGetTime, v)) return 'date';
    if (v !== RegExpProto && brand(regExpSource, v)) return 'regexp';
    if (brand(mapSize, v)) return 'map';
    if (brand(setSize, v)) return 'set';
    if (brand(byteLengthOf, v)) return 'arraybuffer';
    for (let i = 0; i < BOXED.length; i++) if (brand(valueOfs[BOXED[i]], v)) return BOXED[i];
    return 'object';
  }
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
    if (tagOf(a) !== tagOf(b)) return false;
    const kind = kindOf(a);
    if (kind !== kindOf(b)) return false;
    for (let i = 0; i < memo.length; i++) if (memo[i][0] === a && memo[i][1] === b) return true;
    append(memo, [a, b]);
    try {
      if (kind === 'array') {
        if (a.length !== b.length) return false;
      } else if (kind === 'date') {
        if (!objectIs(dateGetTime(a), dateGetTime(b))) return false;
      } else if (kind === 'regexp') {
        if (regExpSource(a) !== regExpSource(b) || regExpFlags(a) !== regExpFlags(b) || (strict && a.lastIndex !== b.lastIndex)) return false;
      } else if (isError(a) || isError(b)) {
        if (!isError(a) || !isError(b) || a.message !== b.message || a.name !== b.name) return false;
      } else if (kind !== 'object' && kind !== 'map' && kind !== 'set' && kind !== 'arraybuffer' && valueOfs[kind] === undefined) {
        const dv = kind === 'DataView';
        const len = dv ? dvByteLength(a) : viewByteLength(a);
        if (len !== (dv ? dvByteLength(b) : viewByteLength(b))) return false;
        const x = new Uint8ArrayCtor(dv ? dvBuffer(a) : viewBuffer(a), dv ? dvByteOffset(a) : viewByteOffset(a), len);
        const y = new Uint8ArrayCtor(dv ? dvBuffer(b) : viewBuffer(b), dv ? dvByteOffset(b) : viewByteOffset(b), len);
        if (kind === 'Float32Array' || kind === 'Float64Array') {
          const n = viewLength(a);
          if (n !== viewLength(b)) return false;
          for (let i = 0; i < n; i++) if (!(strict ? objectIs(a[i], b[i]) || a[i] === b[i] : a[i] == b[i])) return false;
        } else if (!bytesEqual(x, y, len)) return false;
        if (!dv) return keysEq(a, b, strict, memo, true);
      } else if (kind === 'arraybuffer') {
        const len = byteLengthOf(a);
        if (len !== byteLengthOf(b) || !bytesEqual(new Uint8ArrayCtor(a), new Uint8ArrayCtor(b), len)) return false;
      } else if (valueOfs[kind] !== undefined) {
        if (!objectIs(valueOfs[kind](a), valueOfs[kind](b))) return false;
      } else if (kind === 'map') {
        if (mapSize(a) !== mapSize(b)) return false;
        // forEach, not for...of: the package may replace the iterators.
        const entriesB = [];
        mapForEach(b, (v, k) => append(entriesB, [k, v]));
        let equal = true;
        mapForEach(a, (v, k) => {
          if (!equal) return;
          if (!isObjectLike(k) && mapHas(b, k)) { if (!deepEq(v, mapGet(b, k), strict, memo)) equal = false; return; }
          for (let i = 0; i < entriesB.length; i++) if (deepEq(k, entriesB[i][0], strict, memo) && deepEq(v, entriesB[i][1], strict, memo)) return;
          equal = false;
        });
        if (!equal) return false;
      } else if (kind === 'set') {
        if (setSize(a) !== setSize(b)) return false;
        const valuesB = [];
        setForEach(b, (v) => append(valuesB, v));
        let equal = true;
        setForEach(a, (v) => {
          if (!equal) return;
          if (!isObjectLike(v) && setHas(b, v)) return;
          for (let i = 0; i < valuesB.length; i++) if (deepEq(v, valuesB[i], strict, memo)) return;
          equal = false;
        });
        if (!equal) return false;
      }
      return keysEq(a, b, strict, memo, false);
    } finally {
      memo.length = memo.length - 1;
    }
  }
  const isIndex = (k) => { const n = +k; return n >= 0 && n % 1 === 0 && StringCtor(n) === k; };
  function enumerableKeys(o, skipIndices) {
    const all = objectKeys(o);
    if (!skipIndices) return all;
    const ks = [];
    for (let i = 0; i < all.length; i++) if (!isIndex(all[i])) append(ks, all[i]);
    return ks;
  }
  function enumerableSymbols(o) {
    const all = getOwnPropertySymbols(o);
    const ss = [];
    for (let i = 0; i < all.length; i++) if (propertyIsEnumerable(o, all[i])) append(ss, all[i]);
    return ss;
  }
  function keysEq(a, b, strict, memo, skipIndices) {
    const ka = enumerableKeys(a, skipIndices), kb = enumerableKeys(b, skipIndices);
    if (ka.length !== kb.length) return false;
    for (let i = 0; i < ka.length; i++) if (!hasOwn(b, ka[i]) || !propertyIsEnumerable(b, ka[i])) return false;
    if (strict) {
      const sa = enumerableSymbols(a), sb = enumerableSymbols(b);
      if (sa.length !== sb.length) return false;
      for (let i = 0; i < sa.length; i++) if (!propertyIsEnumerable(b, sa[i]) || !deepEq(a[sa[i]], b[sa[i]], strict, memo)) return false;
    }
    for (let i = 0; i < ka.length; i++) if (!deepEq(a[ka[i]], b[ka[i]], strict, memo)) return false;
    return true;
  }
  const isDeepEqual = (a, b) => deepEq(a, b, false, []);
  const isDeepStrictEqual = (a, b) => deepEq(a, b, true, []);

  // ---- throws / rejects -----------------------------------------------------
  const NO_EXCEPTION = SymbolCtor('no exception');
  function checkError(actual, expected, message, fnName) {
    if (expected === undefined) return;
    if (typeof expected === 'string') return; // the message argument in the 2-arg form
    if (isRegExp(expected)) {
      const str = StringCtor(actual);
      if (regExpTest(expected, str)) return;
      fail(actual, expected, message, fnName, `The input did not match the regular expression ${inspect(expected)}. Input:\n\n${inspect(str)}\n`);
    }
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && inheritsFrom(actual, expected)) return;
      if (expected === ErrorCtor || isPrototypeOf(ErrorCtor, expected)) throw actual;
      const r = ReflectApply(expected, {}, [actual]);
      if (r !== true) fail(actual, expected, message, fnName, `The ${expected.name ? `"${expected.name}" ` : ''}validation function is expected to return "true". Received ${inspect(r)}`);
      return;
    }
    if (isObjectLike(expected)) {
      const ks = objectKeys(expected);
      if (isError(expected)) { append(ks, 'name'); append(ks, 'message'); }
      for (let i = 0; i < ks.length; i++) {
        const k = ks[i];
        const want = expected[k];
        const got = isObjectLike(actual) ? actual[k] : undefined;
        if (isRegExp(want) && typeof got === 'string' && regExpTest(want, got)) continue;
        if (!isDeepStrictEqual(got, want)) fail(actual, expected, message, fnName, `Expected values to be strictly deep-equal:\n${k}: ${inspect(got)} !== ${inspect(want)}`);
      }
    }
  }
  function throws(fn, expected, message) {
    if (typeof fn !== 'function') throw new TypeErrorCtor('The "fn" argument must be of type function');
    if (typeof expected === 'string' && message === undefined) { message = expected; expected = undefined; }
    let actual = NO_EXCEPTION;
    try { fn(); } catch (e) { actual = e; }
    if (actual === NO_EXCEPTION) fail(undefined, expected, message, 'throws', 'Missing expected exception' + (expected && expected.name ? ` (${expected.name}).` : '.'));
    checkError(actual, expected, message, 'throws');
  }
  function doesNotThrow(fn, expected, message) {
    if (typeof fn !== 'function') throw new TypeErrorCtor('The "fn" argument must be of type function');
    if (typeof expected === 'string' && message === undefined) { message = expected; expected = undefined; }
    try { fn(); } catch (e) {
      fail(e, expected, message, 'doesNotThrow', `Got unwanted exception.\nActual message: "${e && e.message}"`);
    }
  }
  async function rejects(promiseFn, expected, message) {
    if (typeof expected === 'string' && message === undefined) { message = expected; expected = undefined; }
    let actual = NO_EXCEPTION;
    // Like Node, a function that throws at once rejects assert.rejects itself.
    const p = typeof promiseFn === 'function' ? promiseFn() : promiseFn;
    if (!isObjectLike(p) || typeof p.then !== 'function') throw new TypeErrorCtor('The "promiseFn" argument must be a Promise or a function returning one');
    const s = await settleOf(p);
    if (s.state === 'broken') fail(undefined, expected, message, 'rejects', `The promise could not be followed: ${shim.errorText(s.error)}`);
    if (s.state === 'rejected') actual = s.error;
    if (actual === NO_EXCEPTION) fail(undefined, expected, message, 'rejects', 'Missing expected rejection' + (expected && expected.name ? ` (${expected.name}).` : '.'));
    checkError(actual, expected, message, 'rejects');
  }
  async function doesNotReject(promiseFn, expected, message) {
    if (typeof expected === 'string' && message === undefined) { message = expected; expected = undefined; }
    const s = await settleOf(typeof promiseFn === 'function' ? promiseFn() : promiseFn);
    if (s.state === 'broken') fail(undefined, expected, message, 'doesNotReject', `The promise could not be followed: ${shim.errorText(s.error)}`);
    if (s.state === 'rejected') {
      const e = s.error;
      let text;
      try { text = e && e.message; } catch { text = '<message getter threw>'; }
      fail(e, expected, message, 'doesNotReject', `Got unwanted rejection.\nActual message: "${text}"`);
    }
  }

  // ---- the two flavours -------------------------------------------------------
  /** A fresh set of assert functions; the caller freezes it. */
  function build(strict) {
    const eq = strict ? (a, b) => objectIs(a, b) : (a, b) => a == b || (a !== a && b !== b);
    const deep = strict ? isDeepStrictEqual : isDeepEqual;
    const eqWord = strict ? 'strictly equal' : 'loosely equal';
    const deepWord = strict ? 'strictly deep-equal' : 'loosely deep-equal';
    const assert = function assert(value, message) {
      if (arguments.length === 0) fail(undefined, true, undefined, '==', 'No value argument passed to `assert.ok()`');
      if (!value) fail(value, true, message, '==', `The expression evaluated to a falsy value:\n\n  assert(${inspect(value)})\n`);
    };
    const methods = {
      __proto__: null,
      ok: function ok(value, message) {
        if (arguments.length === 0) fail(undefined, true, undefined, '==', 'No value argument passed to `assert.ok()`');
        if (!value) fail(value, true, message, '==', `The expression evaluated to a falsy value:\n\n  assert.ok(${inspect(value)})\n`);
      },
      AssertionError,
      fail: function fail_(message) {
        if (isError(message)) throw message;
        throw new AssertionError({ __proto__: null, message: message === undefined ? 'Failed' : message, operator: 'fail', generated: message === undefined });
      },
      equal: (a, b, m) => { if (!eq(a, b)) fail(a, b, m, strict ? 'strictEqual' : '==', `Expected values to be ${eqWord}:\n\n${inspect(a)} !== ${inspect(b)}\n`); },
      notEqual: (a, b, m) => { if (eq(a, b)) fail(a, b, m, strict ? 'notStrictEqual' : '!=', `Expected "actual" to be ${strict ? 'strictly' : 'loosely'} unequal to: ${inspect(b)}`); },
      strictEqual: (a, b, m) => { if (!objectIs(a, b)) fail(a, b, m, 'strictEqual', `Expected values to be strictly equal:\n\n${inspect(a)} !== ${inspect(b)}\n`); },
      notStrictEqual: (a, b, m) => { if (objectIs(a, b)) fail(a, b, m, 'notStrictEqual', `Expected "actual" to be strictly unequal to: ${inspect(b)}`); },
      deepEqual: (a, b, m) => { if (!deep(a, b)) fail(a, b, m, strict ? 'deepStrictEqual' : 'deepEqual', `Expected values to be ${deepWord}:\n\n${inspect(a, 4)}\n\nshould equal\n\n${inspect(b, 4)}\n`); },
      notDeepEqual: (a, b, m) => { if (deep(a, b)) fail(a, b, m, strict ? 'notDeepStrictEqual' : 'notDeepEqual', `Expected "actual" not to be ${deepWord} to:\n\n${inspect(b, 4)}\n`); },
      deepStrictEqual: (a, b, m) => { if (!isDeepStrictEqual(a, b)) fail(a, b, m, 'deepStrictEqual', `Expected values to be strictly deep-equal:\n\n${inspect(a, 4)}\n\nshould equal\n\n${inspect(b, 4)}\n`); },
      notDeepStrictEqual: (a, b, m) => { if (isDeepStrictEqual(a, b)) fail(a, b, m, 'notDeepStrictEqual', `Expected "actual" not to be strictly deep-equal to:\n\n${inspect(b, 4)}\n`); },
      throws,
      doesNotThrow,
      rejects,
      doesNotReject,
      match: (s, re, m) => {
        if (!isRegExp(re)) throw new TypeErrorCtor('The "regexp" argument must be an instance of RegExp');
        if (typeof s !== 'string' || !regExpTest(re, s)) fail(s, re, m, 'match', typeof s !== 'string' ? `The "string" argument must be of type string. Received ${inspect(s)}` : `The input did not match the regular expression ${inspect(re)}. Input:\n\n${inspect(s, 1)}\n`);
      },
      doesNotMatch: (s, re, m) => {
        if (!isRegExp(re)) throw new TypeErrorCtor('The "regexp" argument must be an instance of RegExp');
        if (typeof s !== 'string' || regExpTest(re, s)) fail(s, re, m, 'doesNotMatch', typeof s !== 'string' ? `The "string" argument must be of type string. Received ${inspect(s)}` : `The input was expected to not match the regular expression ${inspect(re)}. Input:\n\n${inspect(s, 1)}\n`);
      },
      ifError: (v) => {
        if (v === null || v === undefined) return;
        if (isError(v)) throw v;
        fail(v, null, undefined, 'ifError', `ifError got unwanted exception: ${inspect(v)}`);
      },
    };
    defineProperty(methods.fail, 'name', { value: 'fail' });
    const names = objectKeys(methods);
    for (let i = 0; i < names.length; i++) defineProperty(assert, names[i], { value: methods[names[i]], writable: true, enumerable: true, configurable: true });
    return assert;
  }
  /**
   * node:assert for one importing module: its own functions and its own
   * `strict`, frozen, so one module's `assert.equal = ...` neither works nor
   * reaches another module or the runner.
   */
  function makeAssert() {
    const legacy = build(false);
    const strict = build(true);
    defineProperty(legacy, 'strict', { value: strict, enumerable: true });
    defineProperty(strict, 'strict', { value: strict, enumerable: true });
    freeze(strict);
    freeze(legacy);
    return legacy;
  }
  shim.makeAssert = makeAssert;
  shim.isDeepStrictEqual = isDeepStrictEqual;
});
