// The sandbox runtime. This file is one function expression, compiled once per
// isolate and called once per test file in a fresh context, before any package
// code runs (tester/sandbox.ts).
//
// It does four jobs:
//  1. takes out what escapes the isolate's limits: WebAssembly (its memory is
//     not counted by the memory limit), SharedArrayBuffer and growable buffers
//     (ArrayBuffer.prototype.resize, SharedArrayBuffer.prototype.grow: not
//     counted either; 1 GiB was allocated under a 128 MiB limit), resizable
//     ArrayBuffers at all (`maxByteLength` reserves address space the limit
//     does not see; 40,000 of them crashed the host), Atomics.wait (blocks the
//     thread where the CPU limit never fires);
//  2. makes runs deterministic: seeded Math.random, a virtual clock for Date
//     and performance.now that only moves when a timer fires, local time read
//     as UTC and the default locale en-US, whatever the host's TZ and LANG,
//     and no garbage collection to observe (WeakRef holds strongly,
//     FinalizationRegistry never calls back);
//  3. provides the event loop the host drives: timers and immediates in
//     virtual time, fired one macrotask per host `tick()`;
//  4. runs node:test's model (tests, suites, hooks, skip/todo) and records the
//     outcomes, which the host pulls as JSON text; console output is buffered
//     with a cap. No host function is ever handed in. An error nothing caught
//     is blamed as `node --test` blames it: on the test that scheduled the
//     code while that test runs (ending it at once), else on the file ("...
//     generated asynchronous activity after the test ended"), which fails the
//     run even though every test passed.
//
// The package shares this realm, so it can replace any prototype method or
// global, define setters on Object.prototype, or climb from anything it is
// handed. The runner's bookkeeping stays out of its reach:
//  - every intrinsic the runner calls is captured here, before package code
//    loads, and called through Reflect.apply (also captured);
//  - internal records are null-prototype objects whose fields all exist from
//    creation (an assignment never walks a prototype chain to a setter), kept
//    in closures and WeakMaps, never handed out;
//  - the runner never awaits an intrinsic Promise: its own flow runs on
//    SafePromise (own, frozen `then`, `constructor` and species) driven by
//    generators, so replacing Promise.prototype.then or .constructor cannot
//    reorder or fake its steps;
//  - what the package is handed (test functions, the context `t`, timer
//    handles, assert) exposes only the documented API and is frozen; the
//    node:test / node:assert modules are built fresh for every importer.
(function gopkgrRuntime(configText) {
  'use strict';
  const config = JSON.parse(configText);
  const G = globalThis;
  const ObjectCtor = Object;
  const { defineProperty, getPrototypeOf, getOwnPropertyDescriptor, keys: objectKeys, is: objectIs, freeze, create: objectCreate } = Object;
  const ReflectApply = Reflect.apply;
  const ReflectConstruct = Reflect.construct;
  const PromiseCtor = Promise;
  const PromiseThen = Promise.prototype.then;
  const JSONStringify = JSON.stringify;
  const StringCtor = String;
  const NumberCtor = Number;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError;
  const ArrayIsArray = Array.isArray;
  const MathFloor = Math.floor;
  const MathImul = Math.imul;
  const RealDate = Date;
  const SymbolToPrimitive = Symbol.toPrimitive;
  const SymbolSpecies = Symbol.species;
  const SymbolToStringTag = Symbol.toStringTag;
  const GeneratorProto = getPrototypeOf(function* () {}).prototype;
  const genNext = GeneratorProto.next;
  const genThrow = GeneratorProto.throw;
  const uncurry = (f) => (self, ...args) => ReflectApply(f, self, args);
  const append = (arr, v) => defineProperty(arr, arr.length, { value: v, writable: true, enumerable: true, configurable: true });
  const mapGet = uncurry(Map.prototype.get);
  const mapSet = uncurry(Map.prototype.set);
  const mapDelete = uncurry(Map.prototype.delete);
  const mapForEach = uncurry(Map.prototype.forEach);
  const setAdd = uncurry(Set.prototype.add);
  const setDelete = uncurry(Set.prototype.delete);
  const setForEach = uncurry(Set.prototype.forEach);
  const weakGet = uncurry(WeakMap.prototype.get);
  const weakSet = uncurry(WeakMap.prototype.set);
  const MapCtor = Map;
  const SetCtor = Set;
  const WeakMapCtor = WeakMap;
  const newMap = () => ReflectConstruct(MapCtor, []);
  const newSet = () => ReflectConstruct(SetCtor, []);
  const newWeakMap = () => ReflectConstruct(WeakMapCtor, []);
  const dateGetTime = uncurry(RealDate.prototype.getTime);
  const dateToISOString = uncurry(RealDate.prototype.toISOString);
  const stringSlice = uncurry(String.prototype.slice);
  const stringPadStart = uncurry(String.prototype.padStart);

  // The runner's own promises. `await` and `then` on an intrinsic Promise read
  // Promise.prototype.constructor / .then, which the package may replace; a
  // SafePromise carries its own frozen copies, so chaining on it runs only the
  // engine's code.
  class SafePromise extends PromiseCtor {
    constructor(executor) { super(executor); }
  }
  defineProperty(SafePromise.prototype, 'then', { value: PromiseThen });
  defineProperty(SafePromise.prototype, 'constructor', { value: SafePromise });
  defineProperty(SafePromise, SymbolSpecies, { value: SafePromise });
  freeze(SafePromise.prototype);
  freeze(SafePromise);
  const safeThen = (p, ok, bad) => ReflectApply(PromiseThen, p, [ok, bad]);
  const resolved = () => new SafePromise((r) => r(undefined));
  /**
   * Run a generator function as the runner's async function: every `yield` takes
   * a SafePromise and gives back its value (or throws its reason).
   */
  function co(genFn, args) {
    return new SafePromise((resolve, reject) => {
      let g;
      try { g = ReflectApply(genFn, undefined, args); } catch (e) { reject(e); return; }
      const step = (method, arg) => {
        let r;
        try { r = ReflectApply(method, g, [arg]); } catch (e) { reject(e); return; }
        if (r.done) resolve(undefined);
        else safeThen(r.value, (v) => step(genNext, v), (e) => step(genThrow, e));
      };
      step(genNext, undefined);
    });
  }
  const PromiseProto = PromiseCtor.prototype;
  /**
   * Wait for what a test or hook returned. A native promise is followed through
   * the captured `then` only, never through its own `constructor` or `then`
   * nor Promise.resolve: Node's runner calls Promise.resolve(value) first, so a
   * package that replaces Promise.prototype.constructor and .then can make
   * Node see a rejected test promise as fulfilled; here it cannot.
   *
   * The captured `then` still reads `value.constructor` (its species lookup),
   * which a getter on Promise.prototype can make throw. A value whose
   * prototype is %Promise.prototype% and that has no own `constructor` - every
   * promise an async test function returns; the package cannot reach those -
   * is taken as a promise: if `then` throws on it, the test fails. Anything
   * else that `then` refuses is not a native promise (an ordinary object, a
   * thenable, or a promise whose prototype its creator changed, which that
   * creator settles as it likes anyway) and is followed like a thenable.
   */
  function follow(value, ok, bad) {
    let promiseShaped = false;
    try { promiseShaped = getPrototypeOf(value) === PromiseProto && getOwnPropertyDescriptor(value, 'constructor') === undefined; } catch { promiseShaped = false; }
    try {
      safeThen(value, () => ok(), (e) => bad(e));
      return;
    } catch (e) {
      if (promiseShaped) { bad(e); return; }
    }
    followThenable(value, ok, bad);
  }
  /**
   * How a value settles, for node:assert's rejects/doesNotReject: the same
   * rules as follow(), so a replaced Promise.prototype.constructor or .then
   * cannot turn the test's own rejected promise into a fulfilled one (or into
   * a rejection with an error of the package's choosing). `broken`: `then`
   * threw on something shaped like a native promise.
   */
  function settle(value) {
    return new SafePromise((resolve) => {
      const done = (state, error) => resolve({ __proto__: null, state, error });
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return done('fulfilled', undefined);
      let promiseShaped = false;
      try { promiseShaped = getPrototypeOf(value) === PromiseProto && getOwnPropertyDescriptor(value, 'constructor') === undefined; } catch { promiseShaped = false; }
      try {
        safeThen(value, () => done('fulfilled', undefined), (e) => done('rejected', e));
        return;
      } catch (e) {
        if (promiseShaped) return done('broken', e);
      }
      followThenable(value, () => done('fulfilled', undefined), (e) => done('rejected', e));
    });
  }
  /** Promise.resolve's handling of a thenable, with the runner's own once-only callbacks, a microtask later. */
  function followThenable(value, ok, bad) {
    let then;
    try { then = value.then; } catch (e) { bad(e); return; }
    if (typeof then !== 'function') { ok(); return; }
    let settled = false;
    const onValue = (v) => {
      if (settled) return;
      settled = true;
      if (v !== null && (typeof v === 'object' || typeof v === 'function')) follow(v, ok, bad);
      else ok();
    };
    const onError = (e) => { if (!settled) { settled = true; bad(e); } };
    safeThen(resolved(), () => {
      try { ReflectApply(then, value, [onValue, onError]); } catch (e) { onError(e); }
    });
  }

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
  // A resizable buffer reserves its maxByteLength of address space up front,
  // outside the memory limit: 40,000 of 4 GiB each exhausted the host
  // process's address space and V8 aborted the whole tester. Since resize is
  // gone, `maxByteLength` is refused outright. The realm's own ArrayBuffer
  // stays unreachable: typed arrays allocate through the engine, and
  // `constructor` now points at the wrapper.
  const RealArrayBuffer = ArrayBuffer;
  const ArrayBufferProto = RealArrayBuffer.prototype;
  const SafeArrayBuffer = function ArrayBuffer(length, options) {
    if (new.target === undefined) throw new TypeErrorCtor("Constructor ArrayBuffer requires 'new'");
    if (options !== null && typeof options === 'object' && options.maxByteLength !== undefined) {
      throw new RangeErrorCtor('resizable ArrayBuffers (maxByteLength) are not available in the gopkgr sandbox');
    }
    return ReflectConstruct(RealArrayBuffer, [length], new.target);
  };
  defineProperty(SafeArrayBuffer, 'length', { value: 1 });
  defineProperty(SafeArrayBuffer, 'prototype', { value: ArrayBufferProto });
  defineProperty(SafeArrayBuffer, 'isView', { value: RealArrayBuffer.isView, writable: true, configurable: true });
  defineProperty(SafeArrayBuffer, SymbolSpecies, getOwnPropertyDescriptor(RealArrayBuffer, SymbolSpecies));
  defineProperty(ArrayBufferProto, 'constructor', { value: SafeArrayBuffer, writable: true, configurable: true });
  defineProperty(G, 'ArrayBuffer', { value: SafeArrayBuffer, writable: true, configurable: true });

  // GC timing is not deterministic (concurrent marking, machine load): a
  // WeakRef that empties, or a finalizer that runs, would give testers
  // different outcomes. Here a WeakRef holds its target strongly and a
  // FinalizationRegistry never calls back, as if no collection ever happened.
  const SymbolKeyFor = Symbol.keyFor;
  const canBeHeldWeakly = (v) => (v !== null && (typeof v === 'object' || typeof v === 'function')) || (typeof v === 'symbol' && SymbolKeyFor(v) === undefined);
  class WeakRef {
    #target;
    constructor(target) {
      if (!canBeHeldWeakly(target)) throw new TypeErrorCtor('WeakRef: invalid target');
      this.#target = target;
    }
    deref() { return this.#target; }
  }
  defineProperty(WeakRef.prototype, SymbolToStringTag, { value: 'WeakRef', configurable: true });
  const mapHas = uncurry(Map.prototype.has);
  class FinalizationRegistry {
    #tokens = newMap(); // unregister token -> cells registered with it
    constructor(cleanup) {
      if (typeof cleanup !== 'function') throw new TypeErrorCtor('FinalizationRegistry: cleanup must be callable');
    }
    register(target, held, token) {
      const tokens = this.#tokens;
      if (!canBeHeldWeakly(target)) throw new TypeErrorCtor('FinalizationRegistry.prototype.register: invalid target');
      if (objectIs(target, held)) throw new TypeErrorCtor('FinalizationRegistry.prototype.register: target and holdings must not be same');
      if (token !== undefined) {
        if (!canBeHeldWeakly(token)) throw new TypeErrorCtor('FinalizationRegistry.prototype.register: invalid unregister token');
        mapSet(tokens, token, (mapHas(tokens, token) ? mapGet(tokens, token) : 0) + 1);
      }
      return undefined;
    }
    unregister(token) {
      const tokens = this.#tokens;
      if (!canBeHeldWeakly(token)) throw new TypeErrorCtor('Invalid unregisterToken');
      return mapDelete(tokens, token);
    }
  }
  defineProperty(FinalizationRegistry.prototype, SymbolToStringTag, { value: 'FinalizationRegistry', configurable: true });
  defineProperty(G, 'WeakRef', { value: WeakRef, writable: true, configurable: true });
  defineProperty(G, 'FinalizationRegistry', { value: FinalizationRegistry, writable: true, configurable: true });

  // ---- 2. determinism -----------------------------------------------------
  // sfc32 seeded through xmur3 of the seed text: small, fast and good enough
  // for tests; the same seed gives the same sequence on every machine.
  function xmur3(text) {
    let h = 1779033703 ^ text.length;
    for (let i = 0; i < text.length; i++) {
      h = MathImul(h ^ text.charCodeAt(i), 3432918353);
      h = (h << 13) | (h >>> 19);
    }
    return () => {
      h = MathImul(h ^ (h >>> 16), 2246822507);
      h = MathImul(h ^ (h >>> 13), 3266489909);
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
  function FakeDate(...args) {
    if (new.target === undefined) return fmtDate(new RealDate(now));
    // Component form (year, month, ...) is read as UTC, not the host's zone.
    if (args.length >= 2) return ReflectConstruct(RealDate, [ReflectApply(RealDate.UTC, RealDate, args)], new.target);
    return ReflectConstruct(RealDate, args.length === 0 ? [now] : [args[0]], new.target);
  }
  FakeDate.prototype = DateProto;
  FakeDate.now = function now_() { return now; };
  FakeDate.parse = RealDate.parse;
  FakeDate.UTC = RealDate.UTC;
  defineProperty(DateProto, 'constructor', { value: FakeDate, writable: true, configurable: true });
  G.Date = FakeDate;
  // Local-time methods read as UTC: the host's time zone must not leak into
  // outcomes (a tester in Tokyo and one in Lima must agree). The host also runs
  // with TZ=UTC (tester/sandbox.ts), which covers what JavaScript cannot reach
  // (Date.parse of a string without an offset).
  for (const part of ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds']) {
    const getUTC = DateProto['getUTC' + part];
    defineProperty(DateProto, 'get' + part, { value: function () { return ReflectApply(getUTC, this, []); }, writable: true, configurable: true });
    const setUTC = DateProto['setUTC' + part];
    if (setUTC) defineProperty(DateProto, 'set' + part, { value: function (...a) { return ReflectApply(setUTC, this, a); }, writable: true, configurable: true });
  }
  defineProperty(DateProto, 'getTimezoneOffset', { value: function () { dateGetTime(this); return 0; }, writable: true, configurable: true });
  const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad2 = (n) => (n < 10 ? '0' : '') + n;
  const getUTCParts = ['getUTCFullYear', 'getUTCMonth', 'getUTCDate', 'getUTCDay', 'getUTCHours', 'getUTCMinutes', 'getUTCSeconds'];
  const utc = { __proto__: null };
  for (let i = 0; i < getUTCParts.length; i++) utc[getUTCParts[i]] = uncurry(DateProto[getUTCParts[i]]);
  // Date#toString and friends with a fixed English, UTC text: V8 writes the
  // zone's name in the host's language ("Japanische Normalzeit").
  function fmtParts(d) {
    const y = utc.getUTCFullYear(d);
    return [`${DAYS[utc.getUTCDay(d)]} ${MONTHS[utc.getUTCMonth(d)]} ${pad2(utc.getUTCDate(d))} ${y < 0 ? '-' + stringPadStart(StringCtor(-y), 6, '0') : stringPadStart(StringCtor(y), 4, '0')}`,
      `${pad2(utc.getUTCHours(d))}:${pad2(utc.getUTCMinutes(d))}:${pad2(utc.getUTCSeconds(d))} GMT+0000 (Coordinated Universal Time)`];
  }
  function fmtDate(d) {
    const t = dateGetTime(d);
    if (t !== t) return 'Invalid Date';
    const p = fmtParts(d);
    return p[0] + ' ' + p[1];
  }
  defineProperty(DateProto, 'toString', { value: function toString() { return fmtDate(this); }, writable: true, configurable: true });
  defineProperty(DateProto, 'toDateString', { value: function toDateString() { return dateGetTime(this) !== dateGetTime(this) ? 'Invalid Date' : fmtParts(this)[0]; }, writable: true, configurable: true });
  defineProperty(DateProto, 'toTimeString', { value: function toTimeString() { return dateGetTime(this) !== dateGetTime(this) ? 'Invalid Date' : fmtParts(this)[1]; }, writable: true, configurable: true });
  G.performance = { now() { return now - startMs; }, timeOrigin: startMs };

  // Locale: V8 takes the default locale and time zone from the host (LANG,
  // LC_ALL, TZ). Every locale-sensitive entry point gets en-US and UTC when the
  // caller leaves them out, as it would on a tester configured that way.
  const DEFAULT_LOCALE = 'en-US';
  const localeOr = (locales) => (locales === undefined || (ArrayIsArray(locales) && locales.length === 0) ? DEFAULT_LOCALE : locales);
  // Options inherit from the caller's object, so Intl reads the caller's own
  // fields (getters included) exactly as it would have; only a missing timeZone
  // is filled in.
  const zoneOr = (options) => {
    if (options === undefined) return { __proto__: null, timeZone: 'UTC' };
    if (options === null || typeof options !== 'object') return options;
    return options.timeZone === undefined ? { __proto__: options, timeZone: 'UTC' } : options;
  };
  function wrapIntl(name, withZone) {
    const Real = G.Intl && G.Intl[name];
    if (typeof Real !== 'function') return;
    const Wrapped = function (locales, options) {
      const args = [localeOr(locales), withZone ? zoneOr(options) : options];
      return new.target === undefined ? ReflectApply(Real, undefined, args) : ReflectConstruct(Real, args, new.target);
    };
    defineProperty(Wrapped, 'name', { value: name });
    defineProperty(Wrapped, 'length', { value: 0 });
    defineProperty(Wrapped, 'prototype', { value: Real.prototype });
    defineProperty(Wrapped, 'supportedLocalesOf', { value: Real.supportedLocalesOf, writable: true, configurable: true });
    defineProperty(Real.prototype, 'constructor', { value: Wrapped, writable: true, configurable: true });
    defineProperty(G.Intl, name, { value: Wrapped, writable: true, configurable: true });
  }
  wrapIntl('DateTimeFormat', true);
  for (const name of ['NumberFormat', 'Collator', 'PluralRules', 'RelativeTimeFormat', 'ListFormat', 'DisplayNames', 'Segmenter', 'DurationFormat']) wrapIntl(name, false);
  function wrapMethod(proto, name, fill) {
    const real = proto[name];
    if (typeof real !== 'function') return;
    defineProperty(proto, name, {
      value: { [name](...a) { return ReflectApply(real, this, fill(a)); } }[name],
      writable: true, configurable: true,
    });
  }
  for (const name of ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']) wrapMethod(DateProto, name, (a) => [localeOr(a[0]), zoneOr(a[1])]);
  wrapMethod(Number.prototype, 'toLocaleString', (a) => [localeOr(a[0]), a[1]]);
  if (typeof BigInt === 'function') wrapMethod(BigInt.prototype, 'toLocaleString', (a) => [localeOr(a[0]), a[1]]);
  wrapMethod(String.prototype, 'localeCompare', (a) => [a[0], localeOr(a[1]), a[2]]);
  wrapMethod(String.prototype, 'toLocaleUpperCase', (a) => [localeOr(a[0])]);
  wrapMethod(String.prototype, 'toLocaleLowerCase', (a) => [localeOr(a[0])]);

  // ---- 3. the event loop, in virtual time ----------------------------------
  // A timer or immediate remembers the test that scheduled it (`owner`): an
  // error it throws fails that test, or, once the test has ended, the file,
  // the way Node attributes asynchronous errors by async context.
  let timerSeq = 0;
  const timers = newMap(); // id -> null-prototype timer record
  let immediates = [];
  const handles = newWeakMap(); // Timeout/Immediate handle -> its record
  const NO_OWNER = { __proto__: null };
  let callbackOwner = NO_OWNER; // the owner of the callback running now
  let lastOwner = null; // the owner of the last macrotask run, for rejections the host reports after it
  let lastInternal = true;
  let lastStarted = null; // the test the last macrotask started, if the runner's own

  const ownerNow = () => (callbackOwner !== NO_OWNER ? callbackOwner : current);
  const recordOf = (self, kind) => {
    const r = weakGet(handles, self);
    if (r === undefined || r.kind !== kind) throw new TypeErrorCtor('Illegal invocation');
    return r;
  };
  function Timeout() { throw new TypeErrorCtor('Illegal constructor'); }
  const TimeoutProto = Timeout.prototype;
  defineProperty(TimeoutProto, 'ref', { value: function ref() { recordOf(this, 'timer').ref = true; return this; } });
  defineProperty(TimeoutProto, 'unref', { value: function unref() { recordOf(this, 'timer').ref = false; return this; } });
  defineProperty(TimeoutProto, 'hasRef', { value: function hasRef() { const t = recordOf(this, 'timer'); return t.ref && mapGet(timers, t.id) === t; } });
  defineProperty(TimeoutProto, 'refresh', {
    value: function refresh() { const t = recordOf(this, 'timer'); if (mapGet(timers, t.id) === t) { t.at = now + t.delay; t.seq = ++timerSeq; } return this; },
  });
  defineProperty(TimeoutProto, 'close', { value: function close() { const t = recordOf(this, 'timer'); if (mapGet(timers, t.id) === t) mapDelete(timers, t.id); return this; } });
  defineProperty(TimeoutProto, SymbolToPrimitive, { value: function () { return recordOf(this, 'timer').id; } });
  freeze(TimeoutProto);
  freeze(Timeout);
  function Immediate() { throw new TypeErrorCtor('Illegal constructor'); }
  const ImmediateProto = Immediate.prototype;
  defineProperty(ImmediateProto, 'ref', { value: function ref() { recordOf(this, 'immediate').ref = true; return this; } });
  defineProperty(ImmediateProto, 'unref', { value: function unref() { recordOf(this, 'immediate').ref = false; return this; } });
  defineProperty(ImmediateProto, 'hasRef', { value: function hasRef() { const im = recordOf(this, 'immediate'); return im.ref && !im.cleared; } });
  freeze(ImmediateProto);
  freeze(Immediate);

  /** Schedule a timer; internal ones (test timeouts) have no handle and cannot be cleared by id. */
  function addTimer(fn, delay, args, repeat, internal) {
    if (typeof fn !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
    let ms = NumberCtor(delay);
    if (!(ms >= 1 && ms <= 2147483647)) ms = 1; // Node's rule: out of range means 1
    const id = ++timerSeq;
    const t = { __proto__: null, kind: 'timer', id, at: now + MathFloor(ms), seq: id, delay: MathFloor(ms), fn, args, repeat, ref: true, internal, owner: internal ? null : ownerNow() };
    mapSet(timers, id, t);
    return t;
  }
  function handleFor(record, proto) {
    const h = objectCreate(proto);
    weakSet(handles, h, record);
    return h;
  }
  function clearById(value) {
    let t;
    if (value !== null && typeof value === 'object') t = weakGet(handles, value);
    else if (typeof value === 'number' || typeof value === 'string') t = mapGet(timers, NumberCtor(value));
    if (t !== undefined && t.kind === 'timer' && !t.internal && mapGet(timers, t.id) === t) mapDelete(timers, t.id);
  }
  const copyArgs = (args, from) => {
    const out = [];
    for (let i = from; i < args.length; i++) append(out, args[i]);
    return out;
  };
  G.setTimeout = function setTimeout(fn, delay) { return handleFor(addTimer(fn, delay, copyArgs(arguments, 2), false, false), TimeoutProto); };
  G.setInterval = function setInterval(fn, delay) { return handleFor(addTimer(fn, delay, copyArgs(arguments, 2), true, false), TimeoutProto); };
  G.clearTimeout = function clearTimeout(t) { clearById(t); };
  G.clearInterval = function clearInterval(t) { clearById(t); };
  /** `starts`: for the runner's own immediate that starts a test, that test. */
  function addImmediate(fn, args, internal, starts = null) {
    const im = { __proto__: null, kind: 'immediate', fn, args, cleared: false, ref: true, internal, owner: internal ? null : ownerNow(), starts };
    append(immediates, im);
    return im;
  }
  G.setImmediate = function setImmediate(fn) {
    if (typeof fn !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
    return handleFor(addImmediate(fn, copyArgs(arguments, 1), false), ImmediateProto);
  };
  G.clearImmediate = function clearImmediate(h) {
    const im = h !== null && typeof h === 'object' ? weakGet(handles, h) : undefined;
    if (im !== undefined && im.kind === 'immediate') im.cleared = true;
  };
  G.queueMicrotask = function queueMicrotask(fn) {
    if (typeof fn !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
    // Node does not blame a test for a microtask callback that throws: the
    // error fails the file, whichever test is running.
    safeThen(resolved(), () => { callOwned(fn, [], null); });
  };

  // ---- process.nextTick, in Node's order ----
  // The tick queue runs after each macrotask's callback, before the promise
  // jobs that callback queued; ticks queued by promise jobs (or while a module
  // loads) run at the host's next call, once those jobs are done, before any
  // timer or immediate.
  let ticks = [];
  function queueTick(fn, args) { append(ticks, { __proto__: null, fn, args, owner: ownerNow() }); }
  function runTicks() {
    while (ticks.length > 0) {
      const batch = ticks;
      ticks = [];
      for (let i = 0; i < batch.length; i++) callOwned(batch[i].fn, batch[i].args, batch[i].owner);
    }
  }

  function hasRefWork() {
    if (ticks.length > 0) return true;
    for (let i = 0; i < immediates.length; i++) if (!immediates[i].cleared && immediates[i].ref) return true;
    let ref = false;
    mapForEach(timers, (t) => { if (t.ref) ref = true; });
    return ref;
  }
  /** Run one macrotask: all queued immediates, else the earliest timer(s). */
  function macrotask() {
    if (ticks.length > 0) {
      lastOwner = ticks[0].owner;
      lastInternal = false;
      lastStarted = null;
      runTicks();
      return true;
    }
    if (immediates.length > 0) {
      // The package's immediates run together, as in Node; one of the
      // runner's (starting a test) runs alone, so an unhandled rejection the
      // host reports after this tick has one owner.
      let n = 0;
      if (immediates[0].internal) n = 1;
      else while (n < immediates.length && !immediates[n].internal) n++;
      const batch = [];
      const left = [];
      for (let i = 0; i < immediates.length; i++) append(i < n ? batch : left, immediates[i]);
      immediates = left;
      for (let i = 0; i < batch.length; i++) {
        const im = batch[i];
        if (im.cleared) continue;
        im.cleared = true;
        lastOwner = im.owner;
        lastInternal = im.internal;
        lastStarted = im.starts;
        callOwned(im.fn, im.args, im.owner);
        runTicks();
      }
      return true;
    }
    if (!hasRefWork()) return false;
    let next;
    mapForEach(timers, (t) => { if (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t; });
    if (next.at > now) now = next.at;
    if (next.repeat) { next.at = now + next.delay; next.seq = ++timerSeq; } else mapDelete(timers, next.id);
    lastOwner = next.owner;
    lastInternal = next.internal;
    lastStarted = null;
    callOwned(next.fn, next.args, next.owner);
    runTicks();
    return true;
  }
  function callOwned(fn, args, owner) {
    const outer = callbackOwner;
    callbackOwner = owner;
    try { ReflectApply(fn, undefined, args); } catch (e) { uncaught(e, owner, 'uncaughtException'); }
    callbackOwner = outer;
  }

  // ---- output ---------------------------------------------------------------
  const out = [];
  let outBytes = 0;
  let outTruncated = false;
  function write(stream, text) {
    if (outTruncated) return;
    if (outBytes + text.length > config.outputBytes) {
      outTruncated = true;
      text = stringSlice(text, 0, Math.max(0, config.outputBytes - outBytes)) + '\n[output truncated: more than ' + config.outputBytes + ' bytes]';
    }
    outBytes += text.length;
    append(out, [stream, text]);
    news = true;
  }

  // A small util.inspect: everything guarded, depth-limited, bounded output, so
  // a hostile object (throwing getters, Proxies, cycles) cannot stop it; what
  // still runs forever is stopped by the CPU limit. It uses no regular
  // expression and no replaceable prototype method: a package that replaces
  // RegExp.prototype.exec or Array.prototype.join must not make it loop or lie.
  const mapSize = uncurry(getOwnPropertyDescriptor(Map.prototype, 'size').get);
  const setSize = uncurry(getOwnPropertyDescriptor(Set.prototype, 'size').get);
  const regExpToString = uncurry(RegExp.prototype.toString);
  const symbolToString = uncurry(Symbol.prototype.toString);
  const RegExpCtor = RegExp;
  const regExpSource = uncurry(getOwnPropertyDescriptor(RegExp.prototype, 'source').get);
  const objectIsPrototypeOf = uncurry(ObjectCtor.prototype.isPrototypeOf);
  const ErrorProto = ErrorCtor.prototype;
  const hasBrand = (check, v) => { try { check(v); return true; } catch { return false; } };
  const isErrorLike = (v) => { try { return objectIsPrototypeOf(ErrorProto, v); } catch { return false; } };
  function quote(str) {
    let r = "'";
    for (let i = 0; i < str.length; i++) {
      const c = str[i];
      r += c === '\\' ? '\\\\' : c === "'" ? "\\'" : c === '\n' ? '\\n' : c;
    }
    return r + "'";
  }
  function isIdentifier(k) {
    if (k.length === 0) return false;
    for (let i = 0; i < k.length; i++) {
      const c = k[i];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$' || (i > 0 && c >= '0' && c <= '9'))) return false;
    }
    return true;
  }
  function join(items, sep) {
    let r = '';
    for (let i = 0; i < items.length; i++) r += (i > 0 ? sep : '') + items[i];
    return r;
  }
  function inspect(value, depth = 2, seen = []) {
    try {
      switch (typeof value) {
        case 'string': return depth < 2 ? quote(value) : value;
        case 'number': return objectIs(value, -0) ? '-0' : StringCtor(value);
        case 'bigint': return StringCtor(value) + 'n';
        case 'undefined': case 'boolean': return StringCtor(value);
        case 'symbol': return symbolToString(value);
        case 'function': return `[Function: ${safeName(value) || '(anonymous)'}]`;
      }
      if (value === null) return 'null';
      for (let i = 0; i < seen.length; i++) if (seen[i] === value) return '[Circular *]';
      // Brand checks, not instanceof: Symbol.hasInstance is the package's to change.
      if (isErrorLike(value)) return errorText(value);
      if (hasBrand(dateGetTime, value)) return dateToISOString(value);
      if (value !== RegExpCtor.prototype && hasBrand(regExpSource, value)) return regExpToString(value);
      if (depth < 0) return ArrayIsArray(value) ? '[Array]' : '[Object]';
      const inner = [];
      for (let i = 0; i < seen.length; i++) append(inner, seen[i]);
      append(inner, value);
      const items = [];
      if (ArrayIsArray(value)) {
        for (let i = 0; i < value.length && i < 100; i++) append(items, inspect(value[i], depth - 1, inner));
        if (value.length > 100) append(items, `... ${value.length - 100} more items`);
        return items.length === 0 ? '[]' : `[ ${join(items, ', ')} ]`;
      }
      if (hasBrand(mapSize, value)) {
        mapForEach(value, (v, k) => { if (items.length < 100) append(items, `${inspect(k, depth - 1, inner)} => ${inspect(v, depth - 1, inner)}`); });
        return `Map(${mapSize(value)}) { ${join(items, ', ')} }`;
      }
      if (hasBrand(setSize, value)) {
        setForEach(value, (v) => { if (items.length < 100) append(items, inspect(v, depth - 1, inner)); });
        return `Set(${setSize(value)}) { ${join(items, ', ')} }`;
      }
      const ks = objectKeys(value);
      for (let i = 0; i < ks.length && i < 100; i++) append(items, `${isIdentifier(ks[i]) ? ks[i] : `'${ks[i]}'`}: ${inspect(value[ks[i]], depth - 1, inner)}`);
      const proto = getPrototypeOf(value);
      const ctorName = proto === null ? '[Object: null prototype]' : proto === ObjectCtor.prototype ? '' : (safeName(proto.constructor) || '');
      if (items.length === 0) return ctorName ? `${ctorName} {}` : '{}';
      return `${ctorName ? ctorName + ' ' : ''}{ ${join(items, ', ')} }`;
    } catch {
      return '[object]';
    }
  }
  function safeName(f) {
    try { const n = f.name; return typeof n === 'string' ? n : ''; } catch { return ''; }
  }
  /** console.log's %s %d %i %f %j %o %O %c %% substitutions, scanned by hand. */
  function format(args) {
    const first = args[0];
    let rest = 1;
    let text = '';
    if (typeof first === 'string' && args.length > 1) {
      for (let i = 0; i < first.length; i++) {
        const c = first[i];
        const m = i + 1 < first.length ? first[i + 1] : '';
        if (c !== '%' || !(m === 's' || m === 'd' || m === 'i' || m === 'f' || m === 'j' || m === 'o' || m === 'O' || m === 'c' || m === '%')) { text += c; continue; }
        i++;
        if (m === '%') { text += '%'; continue; }
        if (rest >= args.length) { text += '%' + m; continue; }
        const a = args[rest++];
        if (m === 's') text += typeof a === 'string' ? a : inspect(a, 1);
        else if (m === 'd' || m === 'i') text += typeof a === 'object' ? 'NaN' : StringCtor(m === 'i' ? parseInt(a) : NumberCtor(a));
        else if (m === 'f') text += StringCtor(parseFloat(a));
        else if (m === 'j') { try { text += JSONStringify(a); } catch { text += '[Circular]'; } }
        else if (m !== 'c') text += inspect(a, 2);
      }
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
  const records = []; // null-prototype { name, status, error } in the order they finished
  let pulled = 0;
  let news = false;
  let loaded = false;
  let abandoned = false;
  let stalled = false;
  let lateReported = false;
  const stallers = newSet();
  let current = null; // the innermost test whose run is in progress
  let collecting = null; // the suite whose body is being collected

  // Errors the sandbox throws for what it cannot give deterministically (the
  // network, child processes, files outside the package): a test that ends in
  // one is recorded `unsupported` with the reason, never passed. Only errors
  // this runtime made count (a WeakSet, not a name or a message).
  const unsupportedErrors = new WeakSet();
  const weakSetHas = uncurry(WeakSet.prototype.has);
  const weakSetAdd = uncurry(WeakSet.prototype.add);
  const isUnsupported = (e) => e !== null && typeof e === 'object' && weakSetHas(unsupportedErrors, e);
  function makeUnsupported(message) {
    const e = new ErrorCtor(StringCtor(message));
    defineProperty(e, 'code', { value: 'ERR_GOPKGR_UNSUPPORTED', writable: true, configurable: true });
    weakSetAdd(unsupportedErrors, e);
    return e;
  }

  /** Always a string: what the recorded status is does not depend on it. */
  function errorText(e) {
    let t;
    try { t = errorTextOf(e); } catch { t = undefined; }
    return typeof t === 'string' ? t : '<unprintable error>';
  }
  function errorTextOf(e) {
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
  }

  const hasOwnProperty = uncurry(ObjectCtor.prototype.hasOwnProperty);
  /**
   * Read an option from the caller's object, unless a variant (test.skip) sets
   * it: an own data property only, so a getter on Object.prototype (or an
   * accessor) cannot make every test that takes options todo or skipped.
   */
  function optionOf(options, extra, key) {
    if (extra !== null && extra[key] !== undefined) return extra[key];
    if (options === undefined) return undefined;
    let d;
    try { d = getOwnPropertyDescriptor(options, key); } catch { return undefined; }
    return d !== undefined && hasOwnProperty(d, 'value') ? d.value : undefined;
  }
  let registeringFrom = null; // the file whose test()/describe() is registering now, when not the running file
  function newNode(kind, parent, name, options, extra, fn) {
    let mode = parent !== null ? parent.mode : null;
    if (mode === null) {
      const skip = optionOf(options, extra, 'skip');
      const todo = optionOf(options, extra, 'todo');
      mode = skip !== undefined && skip !== false ? 'skip' : todo !== undefined && todo !== false ? 'todo' : null;
    }
    const timeout = NumberCtor(optionOf(options, extra, 'timeout'));
    const planOption = optionOf(options, extra, 'plan');
    return {
      definedIn: registeringFrom,
      __proto__: null,
      kind, parent, name, fn, mode,
      children: [],
      hooks: { __proto__: null, before: [], after: [], beforeEach: [], afterEach: [] },
      dynamicMode: null,
      timeout: timeout >= 0 && timeout < Infinity ? timeout : Infinity,
      initialPlan: typeof planOption === 'number' ? planOption : null,
      chain: resolved(),
      failedChildren: 0,
      done: false,
      cancel: null, // ends the running body at once: an uncaught error fails the test, as in Node
      hasUncaught: false,
      uncaught: '',
      uncaughtUnsupported: false,
      needs: null, // the first thing the sandbox could not give this test while it ran (an unsupported error's text)
      plan: null, // t.plan(n): the count it expects
      planned: 0, // t.assert calls and subtests so far
      extras: null, // { mock, signal controller } made on first use
      beforeError: null,
      collected: null,
      collectError: null,
    };
  }
  function pathOf(node) {
    let text = node.name;
    for (let n = node.parent; n !== null; n = n.parent) text = n.name + ' > ' + text;
    return text;
  }
  /**
   * A test's recorded name: node --test reports a test under the file that
   * registered it (a test file another one imports from a running test), so
   * the file part is the innermost registering file, the running file's
   * otherwise.
   */
  function recordPathOf(node) {
    const text = pathOf(node);
    for (let n = node; n !== null; n = n.parent) {
      if (n.definedIn !== undefined && n.definedIn !== null) return n.definedIn + stringSlice(text, file.length);
    }
    return text;
  }
  const root = newNode('suite', null, file, undefined, null, undefined);
  let rootIndex = 0;
  let rootRunning = false;
  let rootBeforeDone = false;
  let rootAfterDone = false;
  let rootFinished = false;

  // Names and error texts are cut here, inside the isolate, so no record can
  // make a pull too large for the host to take (the host normalises and cuts
  // again to its own caps; twice those leaves room for what normalising drops).
  const cut = (text, max) => (text.length > max * 2 ? stringSlice(text, 0, max * 2) + '…' : text);
  function record(node, status, error) {
    node.done = true;
    if (status === 'failed' && node.parent !== null) node.parent.failedChildren++;
    append(records, { __proto__: null, name: cut(recordPathOf(node), config.maxNameChars), status, error: error === undefined ? null : cut(error, config.maxErrorChars) });
    news = true;
  }
  function recordPassedFile() {
    append(records, { __proto__: null, name: cut(file, config.maxNameChars), status: 'passed', error: null });
    news = true;
  }
  function recordName(name, error, status = 'failed') {
    append(records, { __proto__: null, name: cut(name, config.maxNameChars), status, error: cut(error, config.maxErrorChars) });
    news = true;
  }
  /**
   * The file is ended before its tests could finish (virtual time ran out, the
   * host gave up on a storm of rejections or on a loop that never settles):
   * every test not yet recorded fails, subtests before their parents, so
   * nothing the run did not finish can count as passed, todo or missing.
   * Returns how many tests it failed.
   */
  function failUnfinished(node, text) {
    let n = 0;
    for (let i = 0; i < node.children.length; i++) n += failUnfinished(node.children[i], text);
    if (node !== root && !node.done) {
      if (node.kind === 'test') { record(node, 'failed', text); n++; } else node.done = true;
    }
    return n;
  }
  let ended = false;
  function endFile(text, always) {
    if (ended) return;
    ended = true;
    const failedNow = failUnfinished(root, text);
    if (always || failedNow > 0 || !loaded) recordName(file, text);
    loaded = true;
    abandoned = true;
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
    return { __proto__: null, name, options, fn };
  }

  /** test()/it(): a child of the suite being collected, else of the running test, else of the file. */
  function register(kind, args, extra) {
    const a = parseArgs(args);
    if (collecting !== null) {
      const node = newNode(kind, collecting, a.name, a.options, extra, a.fn);
      append(collecting.children, node);
      if (kind === 'suite') collect(node);
      return resolved();
    }
    if (current !== null && current.kind === 'test') return subtest(current, kind, a.name, a.options, extra, a.fn);
    const node = newNode(kind, root, a.name, a.options, extra, a.fn);
    append(root.children, node);
    if (kind === 'suite') collect(node);
    startRoot();
    return resolved();
  }
  function subtest(parent, kind, name, options, extra, fn) {
    if (parent.done) {
      // Like Node: a failure, reported at the top level of the file.
      recordName(file + ' > ' + name, 'Error: test could not be started because its parent finished');
      return resolved();
    }
    const node = newNode(kind, parent, name, options, extra, fn);
    append(parent.children, node);
    if (kind === 'suite') collect(node);
    const p = safeThen(parent.chain, () => runNode(node));
    parent.chain = p;
    // The caller gets a promise of its own: it may redefine `constructor` on
    // what it holds, and the chain the runner waits on must not see that.
    let fulfil;
    const handed = new SafePromise((resolve) => { fulfil = resolve; });
    safeThen(p, () => fulfil(undefined));
    return handed;
  }
  function collect(suite) {
    const outer = collecting;
    collecting = suite;
    try {
      if (typeof suite.fn === 'function') {
        const r = ReflectApply(suite.fn, { name: suite.name }, [{ name: suite.name }]);
        if (r !== null && (typeof r === 'object' || typeof r === 'function')) {
          suite.collected = new SafePromise((resolve) => follow(r, resolve, (e) => { suite.collectError = errorText(e); resolve(undefined); }));
        }
      }
    } catch (e) {
      suite.collectError = errorText(e);
    } finally {
      collecting = outer;
    }
  }
  function addHook(kind, fn, target) {
    if (typeof fn !== 'function') throw new TypeErrorCtor(`The "fn" argument of ${kind}() must be a function`);
    const owner = target !== null ? target : collecting !== null ? collecting : current !== null && current.kind === 'test' ? current : root;
    append(owner.hooks[kind], fn);
  }

  function startRoot() {
    if (rootRunning || abandoned) return;
    rootRunning = true;
    // Like Node, top-level tests start after the module's synchronous body.
    addImmediate(() => { safeThen(co(runRoot, []), undefined, (e) => uncaught(e, null, 'uncaughtException')); }, [], true);
  }
  function* runRoot() {
    try {
      if (!rootBeforeDone) {
        rootBeforeDone = true;
        try { yield runHooks(root.hooks.before, { name: file }); } catch (e) { root.beforeError = errorText(e); }
      }
      while (rootIndex < root.children.length && !abandoned) yield runNode(root.children[rootIndex++]);
    } finally {
      rootRunning = false;
    }
  }
  function* finishRoot() {
    try {
      try { yield runHooks(root.hooks.after, { name: file }); } catch (e) { recordName(file + ' > after', errorText(e)); }
    } finally {
      rootFinished = true;
      // node --test reports a file that ran no test (a helper its globs take) as
      // one passing test; vitest and jest fail it (jest: "Your test suite must
      // contain at least one test."; vitest: "No test suite found in file")
      if (records.length === 0 && !abandoned) {
        if (config.runner === 'jest' || config.runner === 'vitest') recordName(file, config.runner === 'jest' ? 'Error: Your test suite must contain at least one test.' : `Error: No test suite found in file /pkg/${file}`);
        else recordPassedFile();
      }
    }
  }

  /** Run a test or suite; the promise always fulfils (a failure is recorded, not thrown). */
  function runNode(node) {
    const p = co(node.kind === 'suite' ? runSuite : runTest, [node]);
    return safeThen(p, undefined, (e) => { if (!node.done) record(node, 'failed', errorText(e)); });
  }

  /** Call fn, wait for it (promise or done callback), fail on timeout or stall. */
  function invoke(fn, self, args, timeoutMs, callbackStyle, node) {
    return new SafePromise((resolve, reject) => {
      let settled = false;
      let timer;
      const settle = (err, ok) => {
        if (settled) return;
        settled = true;
        if (node !== undefined) node.cancel = null;
        setDelete(stallers, onStall);
        if (timer !== undefined && mapGet(timers, timer.id) === timer) mapDelete(timers, timer.id);
        if (ok) resolve(undefined); else reject(err);
      };
      const onStall = () => settle(new ErrorCtor(STALLED), false);
      if (stalled) return onStall();
      setAdd(stallers, onStall);
      if (node !== undefined) node.cancel = () => settle(CANCELLED, false);
      if (timeoutMs !== Infinity) {
        // A ref'd timer: in virtual time a test waiting on nothing but its
        // timeout reaches it at once, as it would in Node after timeoutMs.
        timer = addTimer(() => settle(new ErrorCtor(`test timed out after ${timeoutMs}ms`), false), timeoutMs, [], false, true);
      }
      try {
        if (callbackStyle) {
          const done = (err) => (err ? settle(err, false) : settle(undefined, true));
          const callArgs = copyArgs(args, 0);
          append(callArgs, done);
          const r = ReflectApply(fn, self, callArgs);
          if (r !== null && typeof r === 'object' && typeof r.then === 'function') settle(new ErrorCtor('passed a callback but also returned a Promise'), false);
          return;
        }
        const r = ReflectApply(fn, self, args);
        if (r !== null && (typeof r === 'object' || typeof r === 'function')) follow(r, () => settle(undefined, true), (e) => settle(e, false));
        else settle(undefined, true);
      } catch (e) {
        settle(e, false);
      }
    });
  }

  const CANCELLED = { __proto__: null };
  const nextTurn = (node) => new SafePromise((resolve) => { addImmediate(resolve, [], true, node); });

  function runHooks(hooks, ctx) { return co(runHooksGen, [hooks, ctx]); }
  function* runHooksGen(hooks, ctx) {
    for (let i = 0; i < hooks.length; i++) yield invoke(hooks[i], ctx, [ctx], Infinity, false);
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
    for (let n = node.parent; n !== null; n = n.parent) if (n.beforeError !== null) return n.beforeError;
    return null;
  }

  // The context `t`: node:test's documented API on a frozen prototype; which
  // test a context stands for lives in a WeakMap the package cannot reach.
  const contexts = newWeakMap();
  function TestContext() { throw new TypeErrorCtor('Illegal constructor'); }
  const TestContextProto = TestContext.prototype;
  const nodeOf = (self) => {
    const n = self !== null && typeof self === 'object' ? weakGet(contexts, self) : undefined;
    if (n === undefined) throw new TypeErrorCtor('Illegal invocation');
    return n;
  };
  const ctxMethods = {
    __proto__: null,
    diagnostic(message) { nodeOf(this); write('stdout', '# ' + StringCtor(message) + '\n'); },
    // From a hook's context these do nothing: a hook (or library code a hook
    // hands `t` to) must not turn a failing test into a skipped or todo one.
    // Node honours them there; the sandbox is stricter.
    skip(message) { const n = nodeOf(this); if (weakGet(hookContexts, this) !== true) n.dynamicMode = 'skip'; },
    todo(message) { const n = nodeOf(this); if (weakGet(hookContexts, this) !== true) n.dynamicMode = 'todo'; },
    test(...args) { const n = nodeOf(this); const a = parseArgs(args); n.planned++; return subtest(n, 'test', a.name, a.options, null, a.fn); },
    // Like Node, a before hook added to a test that has already started (from
    // its own body) runs at once; what it throws fails the test.
    before(fn) {
      const n = nodeOf(this);
      if (n.kind !== 'test') return addHook('before', fn, n);
      if (typeof fn !== 'function') throw new TypeErrorCtor('The "fn" argument of before() must be a function');
      const failWith = (e) => { if (!n.hasUncaught) { n.hasUncaught = true; n.uncaught = errorText(e); n.uncaughtUnsupported = isUnsupported(e); } };
      try {
        const r = ReflectApply(fn, undefined, [this]);
        if (r !== null && typeof r === 'object' && typeof r.then === 'function') safeThen(r, undefined, failWith);
      } catch (e) { failWith(e); }
    },
    after(fn) { addHook('after', fn, nodeOf(this)); },
    beforeEach(fn) { addHook('beforeEach', fn, nodeOf(this)); },
    afterEach(fn) { addHook('afterEach', fn, nodeOf(this)); },
    runOnly(shouldRunOnlyTests) { nodeOf(this); },
    plan(count) {
      const n = nodeOf(this);
      if (weakGet(hookContexts, this) === true) return;
      if (typeof count !== 'number' || count < 0 || count !== MathFloor(count)) throw new TypeErrorCtor('The "count" argument must be a non-negative integer');
      if (n.plan !== null) throw new ErrorCtor('cannot set plan more than once');
      n.plan = count;
    },
  };
  /** node:test's t.assert: node:assert's checks, each counted for t.plan(). */
  const ASSERT_NAMES = ['deepEqual', 'deepStrictEqual', 'doesNotMatch', 'doesNotReject', 'doesNotThrow', 'equal', 'fail', 'ifError', 'match', 'notDeepEqual', 'notDeepStrictEqual', 'notEqual', 'notStrictEqual', 'ok', 'rejects', 'strictEqual', 'throws'];
  function extrasOf(n) {
    if (n.extras === null) n.extras = { __proto__: null, assert: null, mock: null, controller: null };
    return n.extras;
  }
  function testAssert(n) {
    const x = extrasOf(n);
    if (x.assert !== null) return x.assert;
    const a = shim.makeAssert();
    const out = { __proto__: null };
    for (let i = 0; i < ASSERT_NAMES.length; i++) {
      const name = ASSERT_NAMES[i];
      const f = a[name];
      out[name] = named(name, function (...args) { n.planned++; return ReflectApply(f, undefined, args); });
    }
    x.assert = freeze(out);
    return x.assert;
  }
  for (const k of objectKeys(ctxMethods)) defineProperty(TestContextProto, k, { value: ctxMethods[k], writable: false, enumerable: false, configurable: false });
  defineProperty(TestContextProto, 'name', { get: function name() { return nodeOf(this).name; }, enumerable: false, configurable: false });
  defineProperty(TestContextProto, 'fullName', { get: function fullName() { return pathOf(nodeOf(this)); }, enumerable: false, configurable: false });
  defineProperty(TestContextProto, 'assert', { get: function assert() { return testAssert(nodeOf(this)); }, enumerable: false, configurable: false });
  // t.mock: restored when the test ends; t.signal: aborted when it ends (tester/shims/node.js makes both)
  defineProperty(TestContextProto, 'mock', { get: function mock() { const x = extrasOf(nodeOf(this)); if (x.mock === null) x.mock = shim.makeMockTracker(); return x.mock; }, enumerable: false, configurable: false });
  defineProperty(TestContextProto, 'signal', { get: function signal() { const x = extrasOf(nodeOf(this)); if (x.controller === null) x.controller = shim.makeAbortController(); return x.controller.signal; }, enumerable: false, configurable: false });
  freeze(TestContextProto);
  freeze(TestContext);
  const hookContexts = newWeakMap();
  function contextFor(node, forHooks) {
    const ctx = objectCreate(TestContextProto);
    weakSet(contexts, ctx, node);
    if (forHooks) weakSet(hookContexts, ctx, true);
    return ctx;
  }

  function* runTest(node) {
    if (stalled || abandoned) return record(node, 'failed', 'Error: ' + STALLED);
    const hookError = ancestorBeforeError(node);
    if (hookError !== null) return record(node, 'failed', hookError);
    if (node.mode === 'skip') return record(node, 'skipped');
    const ctx = contextFor(node, false);
    const hookCtx = contextFor(node, true);
    const outer = current;
    // Whether it failed is kept apart from the text: no error value, however
    // it prints, can turn a failure into a pass.
    let failed = false;
    let error = '';
    let unsupportedFail = false;
    const fail = (e) => { if (!failed) { failed = true; unsupportedFail = e === CANCELLED ? node.uncaughtUnsupported : isUnsupported(e); error = e === CANCELLED ? node.uncaught : errorText(e); } };
    // Each test starts in a macrotask of its own: what the previous one left
    // running cannot be blamed on it.
    yield nextTurn(node);
    current = node;
    try {
      const before = eachHooks(node, 'beforeEach');
      for (let i = 0; i < before.length; i++) yield invoke(before[i], hookCtx, [hookCtx], Infinity, false, node);
      if (typeof node.fn === 'function') {
        let style = false;
        try { style = node.fn.length >= 2; } catch { style = false; }
        yield invoke(node.fn, ctx, [ctx], node.timeout, style, node);
      }
    } catch (e) {
      fail(e);
    }
    try { yield node.chain; } catch { /* subtests record their own failures */ }
    try { yield runHooks(node.hooks.after, hookCtx); } catch (e) { fail(e); }
    try { yield runHooks(eachHooks(node, 'afterEach'), hookCtx); } catch (e) { fail(e); }
    current = outer;
    if (node.hasUncaught && !failed) { failed = true; error = node.uncaught; unsupportedFail = node.uncaughtUnsupported; }
    if (node.plan === null && node.initialPlan !== null) node.plan = node.initialPlan;
    if (!failed && node.plan !== null && node.plan !== node.planned) { failed = true; error = `Error [ERR_TEST_FAILURE]: plan expected ${node.plan} assertions but received ${node.planned}`; }
    if (node.extras !== null) {
      try { if (node.extras.mock !== null) node.extras.mock.reset(); } catch { /* the package's own mocks */ }
      try { if (node.extras.controller !== null) node.extras.controller.abort(); } catch { /* a listener threw */ }
    }
    if (node.mode === 'todo' || node.dynamicMode === 'todo') return record(node, 'todo', failed ? error : undefined);
    // A test that ran into what the sandbox cannot give is unsupported even if
    // it caught that error: how it would have gone under Node is unknown.
    if (node.needs !== null && (failed || node.dynamicMode !== 'skip')) return record(node, 'unsupported', failed && unsupportedFail ? error : node.needs);
    if (failed) return record(node, unsupportedFail ? 'unsupported' : 'failed', error);
    if (node.failedChildren > 0) return record(node, 'failed', `${node.failedChildren} subtest${node.failedChildren === 1 ? '' : 's'} failed`);
    if (node.dynamicMode === 'skip') return record(node, 'skipped');
    return record(node, 'passed');
  }

  function* runSuite(suite) {
    // Like Node, a skipped suite is reported once, as itself, not per test.
    if (suite.mode === 'skip') return record(suite, 'skipped');
    if (suite.collected !== null) yield suite.collected;
    if (suite.collectError !== null) recordName(pathOf(suite), suite.collectError);
    const hookError = ancestorBeforeError(suite);
    if (hookError !== null) suite.beforeError = hookError;
    else if (suite.mode === null && !stalled && !abandoned) {
      try { yield runHooks(suite.hooks.before, { name: suite.name }); } catch (e) { suite.beforeError = errorText(e); }
    }
    for (let i = 0; i < suite.children.length; i++) yield runNode(suite.children[i]);
    if (suite.mode === null && suite.beforeError === null && !stalled && !abandoned) {
      try { yield runHooks(suite.hooks.after, { name: suite.name }); } catch (e) { recordName(pathOf(suite) + ' > after', errorText(e)); }
    }
    suite.done = true;
  }

  /**
   * An error nothing caught, from code `owner` (a test, or null for the file)
   * scheduled: fails that test while it runs; after it ended, or from code no
   * test scheduled, it fails the file - Node's "generated asynchronous activity
   * after the test ended", which makes `node --test` fail the run.
   */
  function uncaught(e, owner, event) { uncaughtText(errorText(e), owner, event, isUnsupported(e)); }
  function uncaughtText(text, owner, event, unsupported = false) {
    if (!loaded) return fileError(text, unsupported);
    if (owner !== null && owner.kind === 'test') {
      if (!owner.done) {
        if (!owner.hasUncaught) { owner.hasUncaught = true; owner.uncaught = text; owner.uncaughtUnsupported = unsupported; }
        if (owner.cancel !== null) owner.cancel();
        return;
      }
      return lateError(`Error: Test "${owner.name}" generated asynchronous activity after the test ended. This activity created the error "${text}" and would have caused the test to fail, but instead triggered an ${event} event.`);
    }
    lateError(`Error: A resource generated asynchronous activity after the test ended. This activity created the error "${text}" which triggered an ${event} event, caught by the test runner.`);
  }
  function lateError(text) {
    // Node fails the file once, however many late errors it saw.
    if (lateReported) return;
    lateReported = true;
    recordName(file, text);
  }
  /** The file failed to load; `unsupported`: on something the sandbox cannot give (the reason is the text). */
  function fileError(text, unsupported = false) {
    if (abandoned) return;
    recordName(file, text, unsupported ? 'unsupported' : 'failed');
    loaded = true;
    abandoned = true;
    setForEach(stallers, (s) => s());
  }

  // ---- the shim API (read by the node:test / node:assert modules while the host sets up) ----
  const SKIP = { __proto__: null, skip: true };
  const TODO = { __proto__: null, todo: true };
  const named = (name, f) => { defineProperty(f, 'name', { value: name }); return f; };
  function flavour(kind, name, extra, definedIn = null) {
    if (definedIn === null) return named(name, function (...args) { return register(kind, args, extra); });
    return named(name, function (...args) {
      const was = registeringFrom;
      registeringFrom = definedIn;
      try { return register(kind, args, extra); } finally { registeringFrom = was; }
    });
  }
  /**
   * A registration from a module that is not a test file nor test support
   * (sandbox.ts decides): it registers nothing and fails the file, once. The
   * sandbox is stricter than Node here: a library's root beforeEach would reach
   * every test's context (`t.todo()` on each), and a library's own tests would
   * run in the predecessor's files.
   */
  let refusedReported = false;
  function refuse(importer, what) {
    if (!refusedReported) {
      refusedReported = true;
      recordName(file, `Error: ${importer} called node:test ${what}(), but it is not a test file nor under a test folder: only tests may register tests and hooks`);
    }
  }
  function flavourOrRefuse(kind, name, extra, refusedFor, what, definedIn) {
    if (refusedFor === null) return flavour(kind, name, extra, definedIn);
    return named(name, function () { refuse(refusedFor, what); return resolved(); });
  }
  function withVariants(kind, name, refusedFor, definedIn) {
    const f = flavourOrRefuse(kind, name, null, refusedFor, name, definedIn);
    defineProperty(f, 'skip', { value: freeze(flavourOrRefuse(kind, 'skip', SKIP, refusedFor, name + '.skip', definedIn)), enumerable: true });
    defineProperty(f, 'todo', { value: freeze(flavourOrRefuse(kind, 'todo', TODO, refusedFor, name + '.todo', definedIn)), enumerable: true });
    // without --test-only, Node runs `only` tests like any other
    defineProperty(f, 'only', { value: freeze(flavourOrRefuse(kind, 'only', null, refusedFor, name + '.only', definedIn)), enumerable: true });
    return f;
  }
  /** A fresh, frozen node:test export set for one importing module; `refusedFor`: the importer's path when it may not register. */
  let fileMock; // node:test's `mock`: one per file, as one per process under node --test
  function makeTest(refusedFor, importer) {
    if (refusedFor !== null && typeof refusedFor !== 'string') refusedFor = null;
    // `importer`: the registering file, when it is not the running one (its tests are reported under it)
    const definedIn = typeof importer === 'string' && importer !== file ? importer : null;
    const test = withVariants('test', 'test', refusedFor, definedIn);
    const describe = withVariants('suite', 'describe', refusedFor, definedIn);
    const hooks = { __proto__: null };
    for (const kind of ['before', 'after', 'beforeEach', 'afterEach']) {
      hooks[kind] = freeze(named(kind, refusedFor === null ? function (fn) { addHook(kind, fn, null); } : function () { refuse(refusedFor, kind); }));
    }
    const run = freeze(named('run', function run() { throw new ErrorCtor('run() is not available in the gopkgr sandbox'); }));
    fileMock ??= shim.makeMockTracker();
    // node:test's default export carries the other exports as properties.
    const props = { __proto__: null, test, it: test, describe, suite: describe, before: hooks.before, after: hooks.after, beforeEach: hooks.beforeEach, afterEach: hooks.afterEach, run, mock: fileMock };
    for (const k of objectKeys(props)) if (k !== 'test') defineProperty(test, k, { value: props[k], enumerable: true });
    defineProperty(test, 'test', { value: test, enumerable: true });
    freeze(describe);
    freeze(test);
    return freeze({ __proto__: null, ...props, skip: test.skip, todo: test.todo, only: test.only });
  }
  // The texts of the unsupported errors thrown while the file loaded: an
  // evaluation error reaches the host as text only.
  const unsupportedTexts = newSet();
  function thrownUnsupported(text) {
    let found = false;
    setForEach(unsupportedTexts, (t) => { if (text === t || text === 'Error: ' + t || text === t) found = true; });
    return found;
  }
  const shim = {
    __proto__: null,
    unsupported(message) {
      const e = makeUnsupported(message);
      if (!loaded) setAdd(unsupportedTexts, StringCtor(message));
      else if (current !== null && current.needs === null) current.needs = errorText(e);
      return e;
    },
    makeTest,
    queueTick,
    loaded() { loaded = true; },
    inspect,
    errorText,
    settle,
  };
  defineProperty(G, '__gopkgr_shim', { value: shim, configurable: true, enumerable: false, writable: false });

  // ---- the control API (host side) ---------------------------------------------
  const VIRTUAL_LIMIT = config.virtualTimeMs;
  const PULL_BATCH_CHARS = 4 * 1024 * 1024;
  return {
    __proto__: null,
    /** After the shim modules have read it: the package can no longer reach it. */
    seal() { delete G.__gopkgr_shim; },
    /** 1 ran a macrotask, 2 the file is done, 4 new results to pull, 8 virtual time ran out, 16 nothing ran: pull first. */
    tick() {
      let flags = 0;
      if (ended) return 2 | (news ? 4 : 0);
      // Records made by the last macrotask's microtasks (after its flags were
      // read): the host pulls them before anything else runs, so a test that
      // finished is reported even if the next one never returns.
      if (news) return 4 | 16;
      // an import() waits for its module: the host evaluates it before the next macrotask
      if (typeof shim.hasImports === 'function' && shim.hasImports()) return 32;
      const testsOver = loaded && !rootRunning && (abandoned || rootIndex >= root.children.length);
      if (testsOver && !rootAfterDone) {
        rootAfterDone = true;
        flags |= 1;
        lastOwner = null;
        lastInternal = true;
        lastStarted = null;
        safeThen(co(finishRoot, []), undefined, (e) => uncaught(e, null, 'uncaughtException'));
      } else if (testsOver && rootFinished && (abandoned || !hasRefWork())) flags |= 2;
      // Like Node, the file ends when no ref'd timer is left, so a timer that
      // throws after the tests is still run and still fails the file.
      else if (now - startMs > VIRTUAL_LIMIT) {
        if (!(testsOver && rootFinished)) endFile(`Error: the tests ran past ${VIRTUAL_LIMIT} ms of virtual time`, true);
        flags |= 2 | 8;
      }
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
    /**
     * An unhandled rejection the host saw after the last tick: its owner is
     * that macrotask's - for the runner's own, the test it ran (running still,
     * or just ended: a synchronous test that left a rejection behind).
     */
    uncaught(text) { uncaughtText(StringCtor(text), !lastInternal ? lastOwner : current !== null ? current : lastStarted, 'unhandledRejection'); },
    /** `unsupported`: the host refused an import the sandbox cannot give, or the text is that of an unsupported error this runtime threw. */
    loadError(message, unsupported) { const text = StringCtor(message); fileError(text, unsupported === true || thrownUnsupported(text)); },
    /** The host gives up on the file: fail what has not finished (and the file, when `always`). */
    end(message, always) { endFile(StringCtor(message), always === true); },
    /** New outcomes and output as JSON text, built from strings only (no toJSON, no array methods). */
    pull() {
      const q = (v) => JSONStringify(StringCtor(v));
      let text = '{"tests":[';
      // A bounded batch: the host pulls again while there is news.
      const from = pulled;
      while (pulled < records.length && text.length < PULL_BATCH_CHARS) {
        const r = records[pulled];
        text += (pulled > from ? ',' : '') + '{"name":' + q(r.name) + ',"status":' + q(r.status) + (r.error !== null ? ',"error":' + q(r.error) : '') + '}';
        pulled++;
      }
      news = pulled < records.length;
      text += '],"output":[';
      for (let i = 0; i < out.length; i++) text += (i > 0 ? ',' : '') + '[' + q(out[i][0]) + ',' + q(out[i][1]) + ']';
      out.length = 0;
      return text + ']}';
    },
  };
});
