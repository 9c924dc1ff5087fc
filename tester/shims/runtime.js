// The sandbox runtime. This file is one function expression, compiled once per
// isolate and called once per test file in a fresh context, before any package
// code runs (tester/sandbox.ts). It must not rely on anything the package can
// reach later, so it captures the intrinsics it uses first.
//
// It does four jobs:
//  1. takes out what escapes the isolate's limits: WebAssembly (its memory is
//     not counted by the memory limit), SharedArrayBuffer and growable buffers
//     (ArrayBuffer.prototype.resize, SharedArrayBuffer.prototype.grow: not
//     counted either; 1 GiB was allocated under a 128 MiB limit), Atomics.wait
//     (blocks the thread where the CPU limit never fires);
//  2. makes runs deterministic: seeded Math.random, a virtual clock for Date
//     and performance.now that only moves when a timer fires, UTC dates;
//  3. provides the event loop the host drives: timers and immediates in
//     virtual time, fired one macrotask per host `tick()`;
//  4. runs node:test's model (tests, suites, hooks, skip/todo) and records the
//     outcomes, which the host pulls as JSON text; console output is buffered
//     with a cap. No host function is ever handed in.
(function gopkgrRuntime(configText) {
  'use strict';
  const config = JSON.parse(configText);
  const G = globalThis;
  const ObjectCtor = Object;
  const { defineProperty, getPrototypeOf, getOwnPropertyNames, getOwnPropertySymbols, getOwnPropertyDescriptor, keys: objectKeys, is: objectIs } = Object;
  const ReflectApply = Reflect.apply;
  const ReflectConstruct = Reflect.construct;
  const PromiseCtor = Promise;
  const PromiseThen = Promise.prototype.then;
  const JSONStringify = JSON.stringify;
  const StringCtor = String;
  const ErrorCtor = Error;
  const ArrayIsArray = Array.isArray;
  const MathFloor = Math.floor;
  const objectToString = Object.prototype.toString;
  const RealDate = Date;
  // The package may replace any prototype method (Array.prototype.push,
  // Map.prototype.get, iterators, toJSON, ...): the paths that register tests
  // and carry results out use only what was captured here, so tampering cannot
  // hide a test's outcome.
  const append = (arr, v) => defineProperty(arr, arr.length, { value: v, writable: true, enumerable: true, configurable: true });
  const uncurry = (f) => (self, ...args) => ReflectApply(f, self, args);
  const mapGet = uncurry(Map.prototype.get);
  const mapSet = uncurry(Map.prototype.set);
  const mapDelete = uncurry(Map.prototype.delete);
  const mapForEach = uncurry(Map.prototype.forEach);
  const setAdd = uncurry(Set.prototype.add);
  const setDelete = uncurry(Set.prototype.delete);
  const setForEach = uncurry(Set.prototype.forEach);
  const thenOf = (p, ok, bad) => ReflectApply(PromiseThen, p, [ok, bad]);

  // ---- 1. hardening -------------------------------------------------------
  if (typeof G.SharedArrayBuffer === 'function') delete G.SharedArrayBuffer.prototype.grow;
  delete G.WebAssembly;
  delete G.SharedArrayBuffer;
  if (typeof G.Atomics === 'object') {
    delete G.Atomics.wait;
    delete G.Atomics.waitAsync;
  }
  delete ArrayBuffer.prototype.resize;
  delete ArrayBuffer.prototype.transfer;
  delete ArrayBuffer.prototype.transferToFixedLength;

  // ---- 2. determinism -----------------------------------------------------
  // sfc32 seeded through xmur3 of the seed text: small, fast and good enough
  // for tests; the same seed gives the same sequence on every machine.
  function xmur3(text) {
    let h = 1779033703 ^ text.length;
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
      h = (h << 13) | (h >>> 19);
    }
    return () => {
      h = Math.imul(h ^ (h >>> 16), 2246822507);
      h = Math.imul(h ^ (h >>> 13), 3266489909);
      return (h ^= h >>> 16) >>> 0;
    };
  }
  const seedGen = xmur3(StringCtor(config.seed));
  let ra = seedGen(), rb = seedGen(), rc = seedGen(), rd = seedGen();
  defineProperty(Math, 'random', {
    value: function random() {
      ra >>>= 0; rb >>>= 0; rc >>>= 0; rd >>>= 0;
      let t = (ra + rb) | 0;
      ra = rb ^ (rb >>> 9);
      rb = (rc + (rc << 3)) | 0;
      rc = (rc << 21) | (rc >>> 11);
      rd = (rd + 1) | 0;
      t = (t + rd) | 0;
      rc = (rc + t) | 0;
      return (t >>> 0) / 4294967296;
    },
    writable: true, configurable: true,
  });

  // The clock: starts at config.epochMs and only moves when the host fires a
  // timer, so Date.now() and performance.now() read the same on every machine.
  let now = config.epochMs;
  const startMs = now;
  const DateProto = RealDate.prototype;
  const realToISOString = DateProto.toISOString;
  function FakeDate(...args) {
    if (new.target === undefined) return fmtDate(new RealDate(now));
    // Component form (year, month, ...) is read as UTC, not the host's zone.
    if (args.length >= 2) return ReflectConstruct(RealDate, [RealDate.UTC(...args)], new.target);
    return ReflectConstruct(RealDate, args.length === 0 ? [now] : args, new.target);
  }
  FakeDate.prototype = DateProto;
  FakeDate.now = function now_() { return now; };
  FakeDate.parse = RealDate.parse;
  FakeDate.UTC = RealDate.UTC;
  defineProperty(DateProto, 'constructor', { value: FakeDate, writable: true, configurable: true });
  G.Date = FakeDate;
  // Local-time methods read as UTC: the host's time zone must not leak into
  // outcomes (a tester in Tokyo and one in Lima must agree).
  for (const part of ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds']) {
    const getUTC = DateProto['getUTC' + part];
    defineProperty(DateProto, 'get' + part, { value: function () { return ReflectApply(getUTC, this, []); }, writable: true, configurable: true });
    const setUTC = DateProto['setUTC' + part];
    if (setUTC) defineProperty(DateProto, 'set' + part, { value: function (...a) { return ReflectApply(setUTC, this, a); }, writable: true, configurable: true });
  }
  defineProperty(DateProto, 'getTimezoneOffset', { value: function () { return 0; }, writable: true, configurable: true });
  const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad2 = (n) => (n < 10 ? '0' : '') + n;
  function fmtDate(d) {
    if (d.getTime() !== d.getTime()) return 'Invalid Date';
    const y = d.getUTCFullYear();
    return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad2(d.getUTCDate())} ${y < 0 ? '-' + StringCtor(-y).padStart(6, '0') : StringCtor(y).padStart(4, '0')} ` +
      `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} GMT+0000 (Coordinated Universal Time)`;
  }
  defineProperty(DateProto, 'toString', { value: function toString() { return fmtDate(this); }, writable: true, configurable: true });
  for (const name of ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']) {
    const real = DateProto[name];
    defineProperty(DateProto, name, {
      value: function (locales, options) {
        return ReflectApply(real, this, [locales === undefined ? 'en-US' : locales, { timeZone: 'UTC', ...(options || {}) }]);
      },
      writable: true, configurable: true,
    });
  }
  G.performance = { now() { return now - startMs; }, timeOrigin: startMs };

  // ---- 3. the event loop, in virtual time ----------------------------------
  let timerSeq = 0;
  const timers = new Map(); // id -> { id, at, seq, delay, fn, args, repeat, ref }
  let immediates = [];
  class Timeout {
    constructor(id) { this._id = id; }
    ref() { const t = mapGet(timers, this._id); if (t) t.ref = true; return this; }
    unref() { const t = mapGet(timers, this._id); if (t) t.ref = false; return this; }
    hasRef() { const t = mapGet(timers, this._id); return t ? t.ref : false; }
    refresh() { const t = mapGet(timers, this._id); if (t) { t.at = now + t.delay; t.seq = ++timerSeq; } return this; }
    close() { mapDelete(timers, this._id); return this; }
    [Symbol.toPrimitive]() { return this._id; }
  }
  function addTimer(fn, delay, args, repeat) {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    let ms = Number(delay);
    if (!(ms >= 1 && ms <= 2147483647)) ms = 1; // Node's rule: out of range means 1
    const id = ++timerSeq;
    mapSet(timers, id, { id, at: now + MathFloor(ms), seq: id, delay: MathFloor(ms), fn, args, repeat, ref: true });
    return new Timeout(id);
  }
  const idOf = (t) => (t instanceof Timeout ? t._id : typeof t === 'number' ? t : undefined);
  G.setTimeout = function setTimeout(fn, delay, ...args) { return addTimer(fn, delay, args, false); };
  G.setInterval = function setInterval(fn, delay, ...args) { return addTimer(fn, delay, args, true); };
  G.clearTimeout = G.clearInterval = function clearTimeout(t) { const id = idOf(t); if (id !== undefined) mapDelete(timers, id); };
  G.setImmediate = function setImmediate(fn, ...args) {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    const im = { fn, args, cleared: false, hasRef: () => !im.cleared, ref: () => im, unref: () => im };
    append(immediates, im);
    return im;
  };
  G.clearImmediate = function clearImmediate(im) { if (im && typeof im === 'object') im.cleared = true; };
  G.queueMicrotask = function queueMicrotask(fn) {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    thenOf(PromiseCtor.resolve(), () => { try { fn(); } catch (e) { uncaught(e); } });
  };

  function hasRefWork() {
    for (let i = 0; i < immediates.length; i++) if (!immediates[i].cleared) return true;
    let ref = false;
    mapForEach(timers, (t) => { if (t.ref) ref = true; });
    return ref;
  }
  /** Run one macrotask: all queued immediates, else the earliest timer(s). */
  function macrotask() {
    if (immediates.length > 0) {
      const batch = immediates;
      immediates = [];
      for (let i = 0; i < batch.length; i++) if (!batch[i].cleared) callSafely(batch[i].fn, batch[i].args);
      return true;
    }
    if (!hasRefWork()) return false;
    let next;
    mapForEach(timers, (t) => { if (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t; });
    if (next.at > now) now = next.at;
    if (next.repeat) { next.at = now + next.delay; next.seq = ++timerSeq; } else mapDelete(timers, next.id);
    callSafely(next.fn, next.args);
    return true;
  }
  function callSafely(fn, args) {
    try { ReflectApply(fn, undefined, args); } catch (e) { uncaught(e); }
  }

  // ---- output ---------------------------------------------------------------
  const out = [];
  let outBytes = 0;
  let outTruncated = false;
  function write(stream, text) {
    if (outTruncated) return;
    if (outBytes + text.length > config.outputBytes) {
      outTruncated = true;
      text = text.slice(0, Math.max(0, config.outputBytes - outBytes)) + '\n[output truncated: more than ' + config.outputBytes + ' bytes]';
    }
    outBytes += text.length;
    append(out, [stream, text]);
    news = true;
  }

  // A small util.inspect: everything guarded, depth-limited, bounded output, so
  // a hostile object (throwing getters, Proxies, cycles) cannot stop it; what
  // still runs forever is stopped by the CPU limit.
  function inspect(value, depth = 2, seen = []) {
    try {
      switch (typeof value) {
        case 'string': return depth < 2 ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'` : value;
        case 'number': return objectIs(value, -0) ? '-0' : StringCtor(value);
        case 'bigint': return StringCtor(value) + 'n';
        case 'undefined': case 'boolean': return StringCtor(value);
        case 'symbol': return value.toString();
        case 'function': return `[Function: ${safeName(value) || '(anonymous)'}]`;
      }
      if (value === null) return 'null';
      if (seen.includes(value)) return '[Circular *]';
      if (value instanceof ErrorCtor) return errorText(value);
      if (value instanceof RealDate) return ReflectApply(realToISOString, value, []);
      if (value instanceof RegExp) return value.toString();
      if (depth < 0) return ArrayIsArray(value) ? '[Array]' : '[Object]';
      const inner = seen.concat([value]);
      if (ArrayIsArray(value)) {
        const items = [];
        for (let i = 0; i < value.length && i < 100; i++) items.push(inspect(value[i], depth - 1, inner));
        if (value.length > 100) items.push(`... ${value.length - 100} more items`);
        return `[ ${items.join(', ')} ]`.replace('[  ]', '[]');
      }
      if (value instanceof Map) {
        const items = [];
        for (const [k, v] of value) { if (items.length >= 100) break; items.push(`${inspect(k, depth - 1, inner)} => ${inspect(v, depth - 1, inner)}`); }
        return `Map(${value.size}) { ${items.join(', ')} }`;
      }
      if (value instanceof Set) {
        const items = [];
        for (const v of value) { if (items.length >= 100) break; items.push(inspect(v, depth - 1, inner)); }
        return `Set(${value.size}) { ${items.join(', ')} }`;
      }
      const ks = objectKeys(value).slice(0, 100);
      const body = ks.map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${inspect(value[k], depth - 1, inner)}`);
      const proto = getPrototypeOf(value);
      const ctorName = proto === null ? '[Object: null prototype]' : proto === ObjectCtor.prototype ? '' : (safeName(proto.constructor) || '');
      if (body.length === 0) return ctorName ? `${ctorName} {}` : '{}';
      return `${ctorName ? ctorName + ' ' : ''}{ ${body.join(', ')} }`;
    } catch {
      return '[object]';
    }
  }
  function safeName(f) {
    try { const n = f.name; return typeof n === 'string' ? n : ''; } catch { return ''; }
  }
  function format(args) {
    let first = args[0];
    let rest = 1;
    let text = '';
    if (typeof first === 'string' && first.includes('%') && args.length > 1) {
      text = first.replace(/%[sdifjoOc%]/g, (m) => {
        if (m === '%%') return '%';
        if (rest >= args.length) return m;
        const a = args[rest++];
        switch (m) {
          case 's': case '%s': return typeof a === 'string' ? a : inspect(a, 1);
          case '%d': case '%i': return typeof a === 'object' ? 'NaN' : StringCtor(m === '%i' ? parseInt(a) : Number(a));
          case '%f': return StringCtor(parseFloat(a));
          case '%j': try { return JSONStringify(a); } catch { return '[Circular]'; }
          case '%c': return '';
          default: return inspect(a, 2);
        }
      });
    } else {
      text = typeof first === 'string' ? first : inspect(first);
    }
    for (let i = rest; i < args.length; i++) text += ' ' + (typeof args[i] === 'string' ? args[i] : inspect(args[i]));
    return text;
  }
  const log = (stream) => function (...args) { write(stream, format(args) + '\n'); };
  G.console = {
    log: log('stdout'), info: log('stdout'), debug: log('stdout'), dir: log('stdout'),
    warn: log('stderr'), error: log('stderr'), trace: log('stderr'),
    assert(cond, ...args) { if (!cond) write('stderr', 'Assertion failed' + (args.length ? ': ' + format(args) : '') + '\n'); },
    table: log('stdout'), group() {}, groupEnd() {}, time() {}, timeEnd() {}, timeLog() {}, count() {}, countReset() {},
  };

  // ---- 4. the test model (node:test) ----------------------------------------
  const STALLED = 'Promise resolution is still pending but the event loop has already resolved';
  const file = config.file;
  const records = [];
  let pulled = 0;
  let news = false;
  let loaded = false;
  let abandoned = false;
  let stalled = false;
  const stallers = new Set();
  let current = null; // the innermost test whose runTest is in progress
  let collecting = null; // the suite whose body is being collected

  function errorText(e) {
    try {
      if (e === null || (typeof e !== 'object' && typeof e !== 'function')) return inspect(e);
      let name;
      let message;
      try { name = e.name; } catch { name = undefined; }
      try { message = e.message; } catch { message = '<message getter threw>'; }
      if (typeof message !== 'string') message = message === undefined ? inspect(e, 1) : inspect(message, 1);
      if (typeof name === 'string' && name !== '') {
        let code;
        try { code = e.code; } catch { code = undefined; }
        return `${name}${typeof code === 'string' && name === 'AssertionError' ? ` [${code}]` : ''}: ${message}`;
      }
      return message;
    } catch {
      return '<unprintable error>';
    }
  }

  class Node_ {
    constructor(kind, parent, name, options, fn) {
      this.kind = kind;
      this.parent = parent;
      this.name = name;
      this.fn = fn;
      this.children = [];
      this.hooks = { before: [], after: [], beforeEach: [], afterEach: [] };
      const inherited = parent && parent.mode;
      this.mode = inherited || (options.skip !== undefined && options.skip !== false ? 'skip' : options.todo !== undefined && options.todo !== false ? 'todo' : null);
      const timeout = Number(options.timeout);
      this.timeout = timeout >= 0 && timeout < Infinity ? timeout : Infinity;
      this.chain = PromiseCtor.resolve();
      this.failedChildren = 0;
      this.done = false;
    }
    path() {
      const parts = [];
      for (let n = this; n !== null; n = n.parent) append(parts, n.name);
      let text = parts[parts.length - 1];
      for (let i = parts.length - 2; i >= 0; i--) text += ' > ' + parts[i];
      return text;
    }
  }
  const root = new Node_('suite', null, file, {}, undefined);
  let rootIndex = 0;
  let rootRunning = false;
  let rootBeforeDone = false;
  let rootAfterDone = false;

  function record(node, status, error) {
    node.done = true;
    if (status === 'failed' && node.parent) node.parent.failedChildren++;
    const entry = { __proto__: null, name: node.path(), status };
    if (error !== undefined) entry.error = error;
    append(records, entry);
    news = true;
  }
  function recordName(name, error) {
    append(records, { __proto__: null, name, status: 'failed', error });
    news = true;
  }

  function parseArgs(args) {
    let name, options, fn;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a === 'string' && name === undefined && options === undefined && fn === undefined) name = a;
      else if (typeof a === 'function' && fn === undefined) fn = a;
      else if (a !== null && typeof a === 'object' && options === undefined && fn === undefined) options = a;
    }
    if (name === undefined) name = (fn && safeName(fn)) || '<anonymous>';
    return { name, options: options || {}, fn };
  }

  /** test()/it(): a child of the suite being collected, else of the running test, else of the file. */
  function register(kind, args, extra) {
    const { name, options, fn } = parseArgs(args);
    const opts = { ...options, ...extra };
    if (collecting !== null) {
      const node = new Node_(kind, collecting, name, opts, fn);
      append(collecting.children, node);
      if (kind === 'suite') collect(node);
      return PromiseCtor.resolve();
    }
    if (current !== null && current.kind === 'test') return subtest(current, kind, name, opts, fn);
    const node = new Node_(kind, root, name, opts, fn);
    append(root.children, node);
    if (kind === 'suite') collect(node);
    startRoot();
    return PromiseCtor.resolve();
  }
  function subtest(parent, kind, name, opts, fn) {
    const node = new Node_(kind, parent, name, opts, fn);
    append(parent.children, node);
    if (kind === 'suite') collect(node);
    const p = thenOf(parent.chain, () => runNode(node));
    parent.chain = p;
    return p;
  }
  function collect(suite) {
    const outer = collecting;
    collecting = suite;
    try {
      if (typeof suite.fn === 'function') {
        const r = ReflectApply(suite.fn, { name: suite.name }, [{ name: suite.name }]);
        if (r !== null && typeof r === 'object' && typeof r.then === 'function') suite.collected = thenOf(PromiseCtor.resolve(r), undefined, (e) => { suite.collectError = errorText(e); });
      }
    } catch (e) {
      suite.collectError = errorText(e);
    } finally {
      collecting = outer;
    }
  }
  function addHook(kind, fn, target) {
    if (typeof fn !== 'function') throw new TypeError(`The "fn" argument of ${kind}() must be a function`);
    const owner = target || collecting || (current && current.kind === 'test' ? current : root);
    append(owner.hooks[kind], fn);
  }

  function startRoot() {
    if (rootRunning || abandoned) return;
    rootRunning = true;
    // Like Node, top-level tests start after the module's synchronous body.
    G.setImmediate(() => { thenOf(runRoot(), undefined, uncaught); });
  }
  async function runRoot() {
    try {
      if (!rootBeforeDone) {
        rootBeforeDone = true;
        try { await runHooks(root.hooks.before, { name: file }); } catch (e) { root.beforeError = errorText(e); }
      }
      while (rootIndex < root.children.length && !abandoned) await runNode(root.children[rootIndex++]);
    } finally {
      rootRunning = false;
    }
  }
  async function finishRoot() {
    if (rootAfterDone) return;
    rootAfterDone = true;
    try { await runHooks(root.hooks.after, { name: file }); } catch (e) { recordName(file + ' > after', errorText(e)); }
  }

  function runNode(node) {
    return node.kind === 'suite' ? runSuite(node) : runTest(node);
  }

  /** Call fn, wait for it (promise or done callback), fail on timeout or stall. */
  function invoke(fn, self, args, timeoutMs, callbackStyle) {
    return new PromiseCtor((resolve, reject) => {
      let settled = false;
      let timer;
      const settle = (err, ok) => {
        if (settled) return;
        settled = true;
        setDelete(stallers, onStall);
        if (timer !== undefined) mapDelete(timers, timer._id);
        if (ok) resolve(); else reject(err);
      };
      const onStall = () => settle(new ErrorCtor(STALLED), false);
      if (stalled) return onStall();
      setAdd(stallers, onStall);
      if (timeoutMs !== Infinity) {
        // A ref'd timer: in virtual time a test waiting on nothing but its
        // timeout reaches it at once, as it would in Node after timeoutMs.
        timer = addTimer(() => settle(new ErrorCtor(`test timed out after ${timeoutMs}ms`), false), timeoutMs, [], false);
      }
      try {
        if (callbackStyle) {
          const done = (err) => (err ? settle(err, false) : settle(undefined, true));
          const r = ReflectApply(fn, self, [...args, done]);
          if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
            settle(new ErrorCtor('passed a callback but also returned a Promise'), false);
          }
          return;
        }
        const r = ReflectApply(fn, self, args);
        if (r !== null && (typeof r === 'object' || typeof r === 'function') && typeof r.then === 'function') {
          thenOf(PromiseCtor.resolve(r), () => settle(undefined, true), (e) => settle(e, false));
        } else settle(undefined, true);
      } catch (e) {
        settle(e, false);
      }
    });
  }

  async function runHooks(hooks, ctx) {
    for (let i = 0; i < hooks.length; i++) await invoke(hooks[i], ctx, [ctx], Infinity);
  }
  function eachHooks(node, kind) {
    const chain = [];
    for (let n = node.parent; n !== null; n = n.parent) append(chain, n.hooks[kind]);
    const list = [];
    // outermost first for beforeEach, innermost first for afterEach
    if (kind === 'afterEach') { for (let i = 0; i < chain.length; i++) for (let j = chain[i].length - 1; j >= 0; j--) append(list, chain[i][j]); }
    else for (let i = chain.length - 1; i >= 0; i--) for (let j = 0; j < chain[i].length; j++) append(list, chain[i][j]);
    return list;
  }
  function ancestorBeforeError(node) {
    for (let n = node.parent; n !== null; n = n.parent) if (n.beforeError !== undefined) return n.beforeError;
    return undefined;
  }

  class TestContext {
    constructor(node) { this._node = node; }
    get name() { return this._node.name; }
    get fullName() { return this._node.path(); }
    diagnostic(message) { write('stdout', '# ' + StringCtor(message) + '\n'); }
    skip(message) { this._node.dynamicMode = 'skip'; }
    todo(message) { this._node.dynamicMode = 'todo'; }
    test(...args) { const { name, options, fn } = parseArgs(args); return subtest(this._node, 'test', name, options, fn); }
    before(fn) { addHook('before', fn, this._node); }
    after(fn) { addHook('after', fn, this._node); }
    beforeEach(fn) { addHook('beforeEach', fn, this._node); }
    afterEach(fn) { addHook('afterEach', fn, this._node); }
  }

  async function runTest(node) {
    if (stalled || abandoned) return record(node, 'failed', 'Error: ' + STALLED);
    const hookError = ancestorBeforeError(node);
    if (hookError !== undefined) return record(node, 'failed', hookError);
    if (node.mode === 'skip') return record(node, 'skipped');
    const ctx = new TestContext(node);
    const outer = current;
    let error;
    try {
      const before = eachHooks(node, 'beforeEach');
      for (let i = 0; i < before.length; i++) await invoke(before[i], ctx, [ctx], Infinity);
      if (typeof node.fn === 'function') {
        let style = false;
        try { style = node.fn.length >= 2; } catch { style = false; }
        current = node;
        await invoke(node.fn, ctx, [ctx], node.timeout, style);
      }
    } catch (e) {
      error = errorText(e);
    }
    try { await node.chain; } catch { /* subtests record their own failures */ }
    try { await runHooks(node.hooks.after, ctx); } catch (e) { if (error === undefined) error = errorText(e); }
    try { await runHooks(eachHooks(node, 'afterEach'), ctx); } catch (e) { if (error === undefined) error = errorText(e); }
    current = outer;
    if (node.uncaught !== undefined && error === undefined) error = node.uncaught;
    if (node.mode === 'todo' || node.dynamicMode === 'todo') return record(node, 'todo', error);
    if (error !== undefined) return record(node, 'failed', error);
    if (node.failedChildren > 0) return record(node, 'failed', `${node.failedChildren} subtest${node.failedChildren === 1 ? '' : 's'} failed`);
    if (node.dynamicMode === 'skip') return record(node, 'skipped');
    return record(node, 'passed');
  }

  async function runSuite(suite) {
    // Like Node, a skipped suite is reported once, as itself, not per test.
    if (suite.mode === 'skip') return record(suite, 'skipped');
    if (suite.collected) await suite.collected;
    if (suite.collectError !== undefined) recordName(suite.path(), suite.collectError);
    const hookError = ancestorBeforeError(suite);
    if (hookError !== undefined) suite.beforeError = hookError;
    else if (suite.mode === null && !stalled && !abandoned) {
      try { await runHooks(suite.hooks.before, { name: suite.name }); } catch (e) { suite.beforeError = errorText(e); }
    }
    for (let i = 0; i < suite.children.length; i++) await runNode(suite.children[i]);
    if (suite.mode === null && suite.beforeError === undefined && !stalled && !abandoned) {
      try { await runHooks(suite.hooks.after, { name: suite.name }); } catch (e) { recordName(suite.path() + ' > after', errorText(e)); }
    }
    suite.done = true;
  }

  /** An error nothing caught: fails the running test, else the file. */
  function uncaught(e) { uncaughtText(errorText(e)); }
  function uncaughtText(text) {
    if (!loaded) return fileError(text);
    if (current !== null && !current.done) { if (current.uncaught === undefined) current.uncaught = text; return; }
    recordName(file, text);
  }
  function fileError(text) {
    if (abandoned) return;
    recordName(file, text);
    loaded = true;
    abandoned = true;
    setForEach(stallers, (s) => s());
  }

  function isDone() {
    return loaded && !rootRunning && (abandoned || rootIndex >= root.children.length) && rootAfterDone;
  }

  // ---- the shim API (read once by the node:test / node:assert modules) -------
  function flavour(kind, extra) {
    const f = function (...args) { return register(kind, args, extra); };
    return f;
  }
  function withVariants(kind) {
    const f = flavour(kind, {});
    f.skip = flavour(kind, { skip: true });
    f.todo = flavour(kind, { todo: true });
    f.only = flavour(kind, {}); // without --test-only, Node runs `only` tests like any other
    return f;
  }
  const test = withVariants('test');
  const describe = withVariants('suite');
  const shim = {
    test, it: test, describe, suite: describe,
    before: (fn) => addHook('before', fn),
    after: (fn) => addHook('after', fn),
    beforeEach: (fn) => addHook('beforeEach', fn),
    afterEach: (fn) => addHook('afterEach', fn),
    skip: test.skip, todo: test.todo, only: test.only,
    loaded() { loaded = true; },
    inspect,
    errorText,
  };
  // node:test's default export carries the other exports as properties.
  for (const k of ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach', 'mock']) if (k !== 'test') test[k] = shim[k];
  test.test = test;
  defineProperty(G, '__gopkgr_shim', { value: shim, configurable: true, enumerable: false, writable: false });

  // ---- the control API (host side) ---------------------------------------------
  const VIRTUAL_LIMIT = config.virtualTimeMs;
  return {
    /** After the shim modules have read it: the package can no longer reach it. */
    seal() { delete G.__gopkgr_shim; },
    /** 1 ran a macrotask, 2 the file is done, 4 new results to pull, 8 virtual time ran out. */
    tick() {
      let flags = 0;
      if (loaded && !rootRunning && (abandoned || rootIndex >= root.children.length) && !rootAfterDone) {
        flags |= 1;
        thenOf(finishRoot(), undefined, uncaught);
      } else if (isDone()) flags |= 2;
      else if (now - startMs > VIRTUAL_LIMIT) flags |= 8;
      else if (macrotask()) flags |= 1;
      if (news) flags |= 4;
      return flags;
    },
    /** The event loop is empty and the file is not done: fail what waits, like Node. */
    stall() {
      stalled = true;
      if (!loaded) fileError('Error: ' + STALLED);
      setForEach(stallers, (s) => s());
    },
    uncaught(text) { uncaughtText(StringCtor(text)); },
    loadError(message) { fileError(StringCtor(message)); },
    /** New outcomes and output as JSON text, built from strings only (no toJSON, no array methods). */
    pull() {
      news = false;
      const q = (v) => JSONStringify(StringCtor(v));
      let text = '{"tests":[';
      for (let i = pulled; i < records.length; i++) {
        const r = records[i];
        text += (i > pulled ? ',' : '') + '{"name":' + q(r.name) + ',"status":' + q(r.status) + (r.error !== undefined ? ',"error":' + q(r.error) : '') + '}';
      }
      pulled = records.length;
      text += '],"output":[';
      for (let i = 0; i < out.length; i++) text += (i > 0 ? ',' : '') + '[' + q(out[i][0]) + ',' + q(out[i][1]) + ']';
      out.length = 0;
      return text + ']}';
    },
  };
});
