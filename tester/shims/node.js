// Node's module systems and deterministic built-ins for the sandbox: one
// function expression, called in each fresh context after runtime.js and
// assert.js with the runtime's shim object and the vendored libraries
// (tester/vendor.ts: buffer, path, string_decoder, readable-stream and
// @noble/hashes, bundled once per process). It returns the host's control
// functions for this part: defineModules (the CommonJS registry the host
// prepared) and exportNames (a built-in's named exports, for its ES facade).
//
// What it adds:
//  - web globals: global, process (fixed values), Buffer, TextEncoder and
//    TextDecoder, URL and URLSearchParams, structuredClone, EventTarget, Event,
//    AbortController, AbortSignal, atob, btoa, crypto.getRandomValues and
//    randomUUID (seeded per test file);
//  - the built-ins that can be deterministic (BUILTINS below); the others
//    throw an error the runtime records as `unsupported`, never as a pass;
//  - CommonJS as Node runs it: module wrapper, require (with the resolutions
//    the host made, see tester/sandbox/cjs.ts), module.exports, exports,
//    __filename/__dirname under a fixed root (/pkg), JSON, require.cache, and
//    interop with ES modules through facades the host builds.
//
// None of this records outcomes: the runner's bookkeeping stays in
// runtime.js's closure, and whatever the package does to these objects
// changes only what its own tests observe, as it would under Node.
(function gopkgrNode(shim, vendorFactory, configText) {
  'use strict';
  const config = JSON.parse(configText);
  const G = globalThis;
  const { defineProperty, freeze, keys: objectKeys, getPrototypeOf, create: objectCreate } = Object;
  const ReflectApply = Reflect.apply;
  const indirectEval = eval;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const JSONParse = JSON.parse;
  const JSONStringify = JSON.stringify;
  const StringCtor = String;
  const unsupported = shim.unsupported; // (message) => an Error the runtime records as `unsupported`
  const ROOT = '/pkg';

  // ---- seeded randomness for crypto (its own stream, so Math.random's is unchanged) ----
  let h = 2166136261;
  const seedText = String(config.seed) + ':crypto:' + String(config.file);
  for (let i = 0; i < seedText.length; i++) h = Math.imul(h ^ seedText.charCodeAt(i), 16777619);
  let s0 = h >>> 0, s1 = 0x9e3779b9, s2 = 0x85ebca6b, s3 = 0xc2b2ae35;
  function randomByte() {
    const t = s1 << 9;
    let r = s0 * 5;
    r = ((r << 7) | (r >>> 25)) * 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    return (r >>> 24) & 255;
  }
  function fillRandom(view) {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let i = 0; i < bytes.length; i++) bytes[i] = randomByte();
    return view;
  }
  const hex2 = (b) => (b < 16 ? '0' : '') + b.toString(16);
  function randomUUID() {
    const b = fillRandom(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let s = '';
    for (let i = 0; i < 16; i++) s += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + hex2(b[i]);
    return s;
  }

  // ---- vendored libraries, with our built-ins for what they require ----
  let vendor;
  const vendorLib = (name) => {
    vendor ??= vendorFactory((n) => builtin(n));
    return vendor[name]();
  };

  /**
   * The vendored buffer (feross/buffer 6) knows no 'base64url', which Node's
   * Buffer has had since 15.7: it is base64 with '-' and '_' and no padding.
   */
  let base64urlDone = false;
  function withBase64url(lib) {
    if (base64urlDone) return lib;
    base64urlDone = true;
    const B = lib.Buffer;
    const isUrl = (e) => typeof e === 'string' && e.toLowerCase() === 'base64url';
    const toB64 = (s) => String(s).replace(/-/g, '+').replace(/_/g, '/');
    const from = B.from;
    B.from = function (value, enc, len) { return isUrl(enc) && typeof value === 'string' ? from.call(this, toB64(value), 'base64') : ReflectApply(from, this, [value, enc, len]); };
    const byteLength = B.byteLength;
    B.byteLength = function (s, enc) { return isUrl(enc) ? byteLength.call(this, toB64(s), 'base64') : byteLength.call(this, s, enc); };
    const isEncoding = B.isEncoding;
    B.isEncoding = (e) => isUrl(e) || isEncoding(e);
    const toString = B.prototype.toString;
    B.prototype.toString = function (enc, start, end) { return isUrl(enc) ? toString.call(this, 'base64', start, end).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : ReflectApply(toString, this, arguments); };
    const write = B.prototype.write;
    B.prototype.write = function (str, ...rest) { const i = rest.findIndex(isUrl); if (i < 0) return ReflectApply(write, this, [str, ...rest]); rest[i] = 'base64'; return ReflectApply(write, this, [toB64(str), ...rest]); };
    // Node's per-encoding methods (libraries call them to skip toString's dispatch)
    for (const enc of ['ascii', 'base64', 'base64url', 'hex', 'latin1', 'ucs2', 'utf8']) {
      defineProperty(B.prototype, enc + 'Slice', { value: function (start = 0, end = this.length) { return this.toString(enc, start, end); }, writable: true, configurable: true });
      defineProperty(B.prototype, enc + 'Write', { value: function (string, offset = 0, length = this.length - offset) { return this.write(string, offset, length, enc); }, writable: true, configurable: true });
    }
    return lib;
  }

  // ---- TextEncoder / TextDecoder (UTF-8, plus what Buffer decodes) ----
  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input = '') {
      const s = String(input);
      const out = [];
      for (let i = 0; i < s.length; i++) {
        let c = s.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
          const d = s.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; } else c = 0xfffd;
        } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
        if (c < 0x80) out.push(c);
        else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
        else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
      return new Uint8Array(out);
    }
    encodeInto(input, dest) {
      const bytes = this.encode(input);
      const n = Math.min(bytes.length, dest.length);
      dest.set(bytes.subarray(0, n));
      return { read: String(input).length, written: n };
    }
  }
  function utf8Decode(bytes, fatal) {
    let s = '';
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i];
      let c = 0xfffd, n = 1;
      if (b < 0x80) c = b;
      else if (b >= 0xc2 && b < 0xe0 && i + 1 < bytes.length && (bytes[i + 1] & 0xc0) === 0x80) { c = ((b & 31) << 6) | (bytes[i + 1] & 63); n = 2; }
      else if (b >= 0xe0 && b < 0xf0 && i + 2 < bytes.length && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80) {
        c = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63); n = 3;
        if (c < 0x800 || (c >= 0xd800 && c <= 0xdfff)) { c = 0xfffd; n = 1; }
      } else if (b >= 0xf0 && b < 0xf5 && i + 3 < bytes.length && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80 && (bytes[i + 3] & 0xc0) === 0x80) {
        c = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63); n = 4;
        if (c < 0x10000 || c > 0x10ffff) { c = 0xfffd; n = 1; }
      }
      if (c === 0xfffd && fatal && !(b === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd)) throw new TypeErrorCtor('The encoded data was not valid for encoding utf-8');
      if (c >= 0x10000) { c -= 0x10000; s += String.fromCharCode(0xd800 + (c >> 10), 0xdc00 + (c & 1023)); } else s += String.fromCharCode(c);
      i += n;
    }
    return s;
  }
  class TextDecoder {
    #encoding; #fatal; #ignoreBOM;
    constructor(label = 'utf-8', options = {}) {
      const l = String(label).trim().toLowerCase();
      const enc = l === 'utf8' || l === 'utf-8' || l === 'unicode-1-1-utf-8' ? 'utf-8' : l === 'utf-16le' || l === 'utf-16' ? 'utf-16le' : l === 'latin1' || l === 'iso-8859-1' || l === 'ascii' || l === 'us-ascii' || l === 'windows-1252' ? 'windows-1252' : null;
      if (enc === null) throw new RangeError(`The "${label}" encoding is not supported`);
      this.#encoding = enc;
      this.#fatal = !!(options && options.fatal);
      this.#ignoreBOM = !!(options && options.ignoreBOM);
    }
    get encoding() { return this.#encoding; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }
    decode(input) {
      if (input === undefined) return '';
      const bytes = ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
      if (this.#encoding === 'utf-8') {
        const start = !this.#ignoreBOM && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
        return utf8Decode(start ? bytes.subarray(start) : bytes, this.#fatal);
      }
      let s = '';
      if (this.#encoding === 'utf-16le') for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
      else for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
      return s;
    }
  }

  // ---- atob / btoa ----
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function btoa(data) {
    if (arguments.length === 0) throw new TypeErrorCtor('The "data" argument must be specified');
    const s = String(data);
    let out = '';
    for (let i = 0; i < s.length; i += 3) {
      const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) throw new DOMException('Invalid character', 'InvalidCharacterError');
      out += B64[a >> 2] + B64[((a & 3) << 4) | (i + 1 < s.length ? b >> 4 : 0)] + (i + 1 < s.length ? B64[((b & 15) << 2) | (i + 2 < s.length ? c >> 6 : 0)] : '=') + (i + 2 < s.length ? B64[c & 63] : '=');
    }
    return out;
  }
  function atob(data) {
    if (arguments.length === 0) throw new TypeErrorCtor('The "data" argument must be specified');
    let s = String(data).replace(/[\t\n\f\r ]/g, '');
    if (s.length % 4 === 0) s = s.replace(/==?$/, '');
    if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) throw new DOMException('The string to be decoded is not correctly encoded.', 'InvalidCharacterError');
    let out = '', bits = 0, n = 0;
    for (let i = 0; i < s.length; i++) {
      bits = (bits << 6) | B64.indexOf(s[i]); n += 6;
      if (n >= 8) { n -= 8; out += String.fromCharCode((bits >> n) & 255); }
    }
    return out;
  }
  class DOMException extends ErrorCtor {
    #name;
    constructor(message = '', name = 'Error') { super(message); this.#name = String(name); }
    get name() { return this.#name; }
    get code() { return { IndexSizeError: 1, NotFoundError: 8, InvalidCharacterError: 5, SyntaxError: 12, InvalidStateError: 11, AbortError: 20, TimeoutError: 23, DataCloneError: 25 }[this.#name] ?? 0; }
  }

  // ---- Event, EventTarget, AbortController, AbortSignal ----
  class Event {
    #type; #target = null; #stop = false; #defaultPrevented = false; #cancelable;
    constructor(type, init = {}) {
      if (arguments.length === 0) throw new TypeErrorCtor('The "type" argument must be specified');
      this.#type = String(type);
      this.#cancelable = !!(init && init.cancelable);
      this.bubbles = !!(init && init.bubbles);
      this.timeStamp = G.performance.now();
    }
    get type() { return this.#type; }
    get target() { return this.#target; }
    get currentTarget() { return this.#target; }
    get srcElement() { return this.#target; }
    get cancelable() { return this.#cancelable; }
    get defaultPrevented() { return this.#cancelable && this.#defaultPrevented; }
    get isTrusted() { return false; }
    preventDefault() { this.#defaultPrevented = true; }
    stopImmediatePropagation() { this.#stop = true; }
    stopPropagation() {}
    static _dispatch(ev, target) { ev.#target = target; return () => ev.#stop; }
  }
  const dispatchInit = Event._dispatch;
  delete Event._dispatch;
  const kListeners = Symbol('listeners');
  class EventTarget {
    constructor() { defineProperty(this, kListeners, { value: new Map() }); }
    addEventListener(type, listener, options) {
      if (listener == null) return;
      const once = typeof options === 'object' && options !== null && !!options.once;
      const signal = typeof options === 'object' && options !== null ? options.signal : undefined;
      if (signal && signal.aborted) return;
      const map = this[kListeners];
      const list = map.get(type) ?? [];
      if (list.some((l) => l.listener === listener)) return;
      const entry = { listener, once };
      list.push(entry);
      map.set(type, list);
      if (signal) signal.addEventListener('abort', () => this.removeEventListener(type, listener), { once: true });
    }
    removeEventListener(type, listener) {
      const list = this[kListeners].get(type);
      if (!list) return;
      const i = list.findIndex((l) => l.listener === listener);
      if (i >= 0) list.splice(i, 1);
    }
    dispatchEvent(event) {
      const stopped = dispatchInit(event, this);
      const list = (this[kListeners].get(event.type) ?? []).slice();
      for (const l of list) {
        if (l.once) this.removeEventListener(event.type, l.listener);
        try {
          if (typeof l.listener === 'function') ReflectApply(l.listener, this, [event]);
          else if (l.listener && typeof l.listener.handleEvent === 'function') l.listener.handleEvent(event);
        } catch (e) {
          G.queueMicrotask(() => { throw e; });
        }
        if (stopped()) break;
      }
      const handler = this['on' + event.type];
      if (typeof handler === 'function' && !list.length) ReflectApply(handler, this, [event]);
      return !event.defaultPrevented;
    }
  }
  const signalState = new WeakMap();
  class AbortSignal extends EventTarget {
    constructor(key) {
      if (key !== signalState) throw new TypeErrorCtor('Illegal constructor');
      super();
      signalState.set(this, { aborted: false, reason: undefined });
      this.onabort = null;
    }
    get aborted() { return signalState.get(this).aborted; }
    get reason() { return signalState.get(this).reason; }
    throwIfAborted() { const s = signalState.get(this); if (s.aborted) throw s.reason; }
    static abort(reason) { const s = new AbortSignal(signalState); abortSignal(s, reason); return s; }
    static timeout(ms) {
      const s = new AbortSignal(signalState);
      G.setTimeout(() => abortSignal(s, new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms).unref();
      return s;
    }
    static any(signals) {
      const s = new AbortSignal(signalState);
      for (const x of signals) {
        if (x.aborted) { abortSignal(s, x.reason); return s; }
        x.addEventListener('abort', () => abortSignal(s, x.reason), { once: true });
      }
      return s;
    }
  }
  function abortSignal(signal, reason) {
    const s = signalState.get(signal);
    if (s.aborted) return;
    s.aborted = true;
    s.reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    const ev = new Event('abort');
    signal.dispatchEvent(ev);
  }
  class AbortController {
    #signal = new AbortSignal(signalState);
    get signal() { return this.#signal; }
    abort(reason) { abortSignal(this.#signal, reason); }
  }

  // ---- structuredClone ----
  function structuredClone(value, options) {
    const seen = new Map();
    const fail = (what) => { throw new DOMException(`${what} could not be cloned.`, 'DataCloneError'); };
    const clone = (v) => {
      if (v === null || (typeof v !== 'object' && typeof v !== 'function')) {
        if (typeof v === 'symbol') fail(String(v));
        return v;
      }
      if (typeof v === 'function') fail(String(v));
      if (seen.has(v)) return seen.get(v);
      const tag = Object.prototype.toString.call(v);
      let out;
      if (Array.isArray(v)) { out = new Array(v.length); seen.set(v, out); for (const k of objectKeys(v)) out[k] = clone(v[k]); return out; }
      if (tag === '[object Date]') out = new Date(v.getTime());
      else if (tag === '[object RegExp]') out = new RegExp(v.source, v.flags);
      else if (tag === '[object Map]') { out = new Map(); seen.set(v, out); for (const [k, x] of v) out.set(clone(k), clone(x)); return out; }
      else if (tag === '[object Set]') { out = new Set(); seen.set(v, out); for (const x of v) out.add(clone(x)); return out; }
      else if (tag === '[object ArrayBuffer]') out = v.slice(0);
      else if (ArrayBuffer.isView(v)) {
        const buf = clone(v.buffer);
        out = tag === '[object DataView]' ? new DataView(buf, v.byteOffset, v.byteLength) : new (getPrototypeOf(getPrototypeOf(v)) === getPrototypeOf(Uint8Array.prototype) ? G[tag.slice(8, -1)] : Uint8Array)(buf, v.byteOffset, v.length);
      } else if (v instanceof ErrorCtor) {
        const Ctor = { EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError }[v.name] ?? ErrorCtor;
        out = new Ctor(v.message);
        seen.set(v, out);
        if (v.stack !== undefined) out.stack = v.stack;
        if ('cause' in v) out.cause = clone(v.cause);
        return out;
      } else if (tag === '[object Boolean]' || tag === '[object Number]' || tag === '[object String]') out = Object(v.valueOf());
      else if (tag === '[object Object]' || tag === '[object Arguments]') {
        out = {};
        seen.set(v, out);
        for (const k of objectKeys(v)) out[k] = clone(v[k]);
        return out;
      } else fail(tag);
      seen.set(v, out);
      return out;
    };
    if (options && options.transfer && options.transfer.length) throw unsupported('structuredClone with transfer is not available in the gopkgr sandbox');
    return clone(value);
  }

  // ---- URL / URLSearchParams (WHATWG, the common cases) ----
  const SPECIAL = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443', 'ftp:': '21', 'file:': '' };
  const enc = (s, keep) => {
    let out = '';
    for (const ch of s) {
      if (keep.test(ch)) out += ch;
      else for (const b of new TextEncoder().encode(ch)) out += '%' + (b < 16 ? '0' : '') + b.toString(16).toUpperCase();
    }
    return out;
  };
  const PATH_KEEP = /[A-Za-z0-9\-._~!$&'()*+,;=:@/%\[\]|^`{}\\]/;
  const QUERY_KEEP = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?%\[\]|^`{}\\]/;
  const FRAG_KEEP = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?%\[\]|^{}\\#]/;
  const USER_KEEP = /[A-Za-z0-9\-._~!$&'()*+,%]/;
  function normalisePath(path, special) {
    const segs = path.split(special ? /[/\\]/ : '/');
    const out = [];
    for (let i = 1; i < segs.length; i++) {
      const s = segs[i].toLowerCase();
      if (s === '..' || s === '.%2e' || s === '%2e.' || s === '%2e%2e') { out.pop(); if (i === segs.length - 1) out.push(''); }
      else if (s === '.' || s === '%2e') { if (i === segs.length - 1) out.push(''); }
      else out.push(segs[i]);
    }
    return '/' + out.map((s) => enc(s, PATH_KEEP)).join('/');
  }
  const urlState = new WeakMap();
  function parseURL(input, base) {
    let s = String(input).replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(s);
    let u;
    if (m) {
      const protocol = m[1].toLowerCase() + ':';
      let rest = m[2];
      u = { protocol, username: '', password: '', hostname: '', port: '', pathname: '', search: '', hash: '', opaque: false };
      const special = protocol in SPECIAL;
      if (special && base && base.protocol === protocol && !/^[/\\]/.test(rest)) return parseURL(rest, base);
      const hashAt = rest.indexOf('#');
      if (hashAt >= 0) { u.hash = rest.slice(hashAt); rest = rest.slice(0, hashAt); }
      const qAt = rest.indexOf('?');
      if (qAt >= 0) { u.search = rest.slice(qAt); rest = rest.slice(0, qAt); }
      if (special ? /^[/\\]{2}/.test(rest) || protocol !== 'file:' : rest.startsWith('//')) {
        // a file: URL's host ends where its third slash starts (file:///pkg/x has none)
        rest = rest.replace(protocol === 'file:' ? /^[/\\]{2}/ : special ? /^[/\\]*/ : /^\/\//, '');
        const end = rest.search(special ? /[/\\]/ : /\//);
        let auth = end < 0 ? rest : rest.slice(0, end);
        rest = end < 0 ? '' : rest.slice(end);
        const at = auth.lastIndexOf('@');
        if (at >= 0) {
          const cred = auth.slice(0, at);
          auth = auth.slice(at + 1);
          const colon = cred.indexOf(':');
          u.username = enc(colon < 0 ? cred : cred.slice(0, colon), USER_KEEP);
          u.password = colon < 0 ? '' : enc(cred.slice(colon + 1), USER_KEEP);
        }
        const pm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(auth);
        if (!pm) throw invalidURL(input);
        u.hostname = special ? decodeURIComponent(pm[1]).toLowerCase() : pm[1];
        if (special && protocol !== 'file:' && u.hostname === '') throw invalidURL(input);
        if (/[\s<>^|%]/.test(u.hostname) && u.hostname[0] !== '[') throw invalidURL(input);
        if (pm[2] !== undefined && pm[2] !== '') {
          const port = Number(pm[2]);
          if (port > 65535) throw invalidURL(input);
          u.port = String(port) === SPECIAL[protocol] ? '' : String(port);
        }
        if (protocol === 'file:' && u.hostname === 'localhost') u.hostname = '';
        u.pathname = special ? normalisePath(rest === '' ? '/' : rest, true) : rest === '' ? '' : normalisePath(rest, false);
      } else if (special) {
        u.pathname = normalisePath(rest.startsWith('/') ? rest : '/' + rest, true);
      } else {
        u.opaque = !rest.startsWith('/');
        u.pathname = u.opaque ? enc(rest, /[^\u0000-\u001f\u007f-\uffff]/) : normalisePath(rest, false);
      }
    } else {
      if (!base || base.opaque) throw invalidURL(input);
      u = { ...base, search: '', hash: '' };
      let rest = s;
      const hashAt = rest.indexOf('#');
      if (hashAt >= 0) { u.hash = rest.slice(hashAt); rest = rest.slice(0, hashAt); } else u.hash = '';
      const qAt = rest.indexOf('?');
      if (qAt >= 0) { u.search = rest.slice(qAt); rest = rest.slice(0, qAt); } else if (rest === '') u.search = base.search;
      const special = u.protocol in SPECIAL;
      if (/^[/\\]{2}/.test(rest) && special) return parseURL(u.protocol + rest, undefined);
      if (rest.startsWith('//')) return parseURL(u.protocol + rest, undefined);
      if (rest === '') u.pathname = base.pathname;
      else if (/^[/\\]/.test(rest)) u.pathname = normalisePath(rest, special);
      else u.pathname = normalisePath(base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1) + rest, special);
    }
    if (u.search === '?') u.search = '';
    else if (u.search) u.search = '?' + enc(u.search.slice(1), QUERY_KEEP);
    if (u.hash === '#') u.hash = '';
    else if (u.hash) u.hash = '#' + enc(u.hash.slice(1), FRAG_KEEP);
    return u;
  }
  function invalidURL(input) {
    const e = new TypeErrorCtor('Invalid URL');
    e.code = 'ERR_INVALID_URL';
    e.input = String(input);
    return e;
  }
  class URL {
    constructor(input, base) {
      const b = base === undefined ? undefined : urlState.get(base instanceof URL ? base : new URL(base));
      urlState.set(this, parseURL(input, b));
    }
    static canParse(input, base) { try { new URL(input, base); return true; } catch { return false; } }
    get href() {
      const u = urlState.get(this);
      const auth = u.username || u.password ? u.username + (u.password ? ':' + u.password : '') + '@' : '';
      const hasHost = u.hostname !== '' || u.protocol === 'file:' || u.protocol in SPECIAL;
      return u.protocol + (hasHost && !u.opaque ? '//' + auth + this.host : '') + u.pathname + u.search + u.hash;
    }
    set href(v) { urlState.set(this, parseURL(v)); }
    get origin() { const u = urlState.get(this); return u.protocol in SPECIAL && u.protocol !== 'file:' ? u.protocol + '//' + this.host : 'null'; }
    get protocol() { return urlState.get(this).protocol; }
    set protocol(v) { const p = String(v).replace(/:.*$/, '').toLowerCase() + ':'; const u = urlState.get(this); if ((p in SPECIAL) === (u.protocol in SPECIAL)) u.protocol = p; }
    get username() { return urlState.get(this).username; }
    set username(v) { urlState.get(this).username = enc(String(v), USER_KEEP); }
    get password() { return urlState.get(this).password; }
    set password(v) { urlState.get(this).password = enc(String(v), USER_KEEP); }
    get host() { const u = urlState.get(this); return u.hostname + (u.port ? ':' + u.port : ''); }
    set host(v) { const [hn, p] = String(v).split(':'); const u = urlState.get(this); u.hostname = hn.toLowerCase(); if (p !== undefined) u.port = p === SPECIAL[u.protocol] ? '' : p; }
    get hostname() { return urlState.get(this).hostname; }
    set hostname(v) { urlState.get(this).hostname = String(v).toLowerCase(); }
    get port() { return urlState.get(this).port; }
    set port(v) { const u = urlState.get(this); const p = String(v); u.port = p === '' || p === SPECIAL[u.protocol] ? '' : String(parseInt(p, 10)); }
    get pathname() { return urlState.get(this).pathname; }
    set pathname(v) { const u = urlState.get(this); u.pathname = normalisePath(String(v).startsWith('/') ? String(v) : '/' + v, u.protocol in SPECIAL); }
    get search() { return urlState.get(this).search; }
    set search(v) { const s = String(v); urlState.get(this).search = s === '' || s === '?' ? '' : '?' + enc(s.replace(/^\?/, ''), QUERY_KEEP); searchParamsOf(this)._reset(); }
    get searchParams() { return searchParamsOf(this); }
    get hash() { return urlState.get(this).hash; }
    set hash(v) { const s = String(v); urlState.get(this).hash = s === '' || s === '#' ? '' : '#' + enc(s.replace(/^#/, ''), FRAG_KEEP); }
    toString() { return this.href; }
    toJSON() { return this.href; }
  }
  defineProperty(URL.prototype, Symbol.toStringTag, { value: 'URL', configurable: true });
  const paramsOfURL = new WeakMap();
  function searchParamsOf(url) {
    let p = paramsOfURL.get(url);
    if (!p) {
      p = new URLSearchParams(url.search);
      p._url = url;
      paramsOfURL.set(url, p);
    }
    return p;
  }
  const formEncode = (s) => enc(String(s), /[A-Za-z0-9*\-._ ]/).replace(/ /g, '+');
  const formDecode = (s) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s.replace(/\+/g, ' '); } };
  class URLSearchParams {
    #list = [];
    constructor(init = '') {
      if (typeof init === 'object' && init !== null) {
        if (typeof init[Symbol.iterator] === 'function') for (const pair of init) { const [k, v] = [...pair]; this.#list.push([String(k), String(v)]); }
        else for (const k of objectKeys(init)) this.#list.push([k, String(init[k])]);
      } else this.#parse(String(init));
    }
    #parse(s) {
      this.#list = [];
      for (const part of s.replace(/^\?/, '').split('&')) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        this.#list.push(eq < 0 ? [formDecode(part), ''] : [formDecode(part.slice(0, eq)), formDecode(part.slice(eq + 1))]);
      }
    }
    _reset() { this.#parse(urlState.get(this._url).search); }
    #update() { if (this._url) { const s = this.toString(); urlState.get(this._url).search = s ? '?' + s : ''; } }
    get size() { return this.#list.length; }
    append(k, v) { this.#list.push([String(k), String(v)]); this.#update(); }
    delete(k, v) { this.#list = this.#list.filter(([a, b]) => !(a === String(k) && (v === undefined || b === String(v)))); this.#update(); }
    get(k) { const e = this.#list.find(([a]) => a === String(k)); return e ? e[1] : null; }
    getAll(k) { return this.#list.filter(([a]) => a === String(k)).map(([, b]) => b); }
    has(k, v) { return this.#list.some(([a, b]) => a === String(k) && (v === undefined || b === String(v))); }
    set(k, v) {
      const key = String(k);
      const i = this.#list.findIndex(([a]) => a === key);
      if (i < 0) this.#list.push([key, String(v)]);
      else { this.#list[i][1] = String(v); this.#list = this.#list.filter(([a], j) => a !== key || j === i); }
      this.#update();
    }
    sort() { this.#list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); this.#update(); }
    forEach(fn, self) { for (const [k, v] of this.#list) ReflectApply(fn, self, [v, k, this]); }
    keys() { return this.#list.map(([k]) => k)[Symbol.iterator](); }
    values() { return this.#list.map(([, v]) => v)[Symbol.iterator](); }
    entries() { return this.#list.map(([k, v]) => [k, v])[Symbol.iterator](); }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return this.#list.map(([k, v]) => formEncode(k) + '=' + formEncode(v)).join('&'); }
  }
  defineProperty(URLSearchParams.prototype, Symbol.toStringTag, { value: 'URLSearchParams', configurable: true });

  // ---- process (fixed values) ----
  let events;
  const EE = () => (events ??= builtin('events'));
  const processObj = {
    title: 'node', version: 'v20.20.0', versions: { node: '20.20.0', v8: '11.3.244.8-node.33', uv: '1.46.0', modules: '115' },
    arch: 'x64', platform: 'linux', release: { name: 'node' }, argv: ['/usr/local/bin/node', ROOT + '/' + config.file], execArgv: [], argv0: 'node',
    execPath: '/usr/local/bin/node', pid: 42, ppid: 1, exitCode: undefined,
    env: { NODE_ENV: 'test' },
    cwd: () => ROOT,
    chdir() { throw unsupported('process.chdir is not available in the gopkgr sandbox'); },
    exit(code) { throw unsupported(`process.exit(${code === undefined ? '' : code}) is not available in the gopkgr sandbox`); },
    abort() { throw unsupported('process.abort is not available in the gopkgr sandbox'); },
    kill() { throw unsupported('process.kill is not available in the gopkgr sandbox'); },
    nextTick(fn, ...args) { if (typeof fn !== 'function') { const e = new TypeErrorCtor('The "callback" argument must be of type function'); e.code = 'ERR_INVALID_ARG_TYPE'; throw e; } shim.queueTick(fn, args); },
    hrtime: Object.assign(function hrtime(prev) {
      const ns = Math.round(G.performance.now() * 1e6);
      const t = [Math.floor(ns / 1e9), ns % 1e9];
      if (!prev) return t;
      let sec = t[0] - prev[0], nsec = t[1] - prev[1];
      if (nsec < 0) { sec--; nsec += 1e9; }
      return [sec, nsec];
    }, { bigint: () => BigInt(Math.round(G.performance.now() * 1e6)) }),
    uptime: () => G.performance.now() / 1000,
    memoryUsage: Object.assign(() => ({ rss: 50e6, heapTotal: 20e6, heapUsed: 10e6, external: 1e6, arrayBuffers: 1e5 }), { rss: () => 50e6 }),
    cpuUsage: () => ({ user: 0, system: 0 }),
    /** Node's order: the 'warning' event on a later tick, and the text on stderr. */
    emitWarning(warning, type, code) {
      let w = warning;
      if (typeof w === 'string') {
        const opts = type !== null && typeof type === 'object' ? type : { type, code };
        w = new ErrorCtor(w);
        w.name = typeof opts.type === 'string' ? opts.type : 'Warning';
        if (opts.code !== undefined) w.code = opts.code;
        if (opts.detail !== undefined) w.detail = opts.detail;
      }
      G.process.nextTick(() => {
        processObj.emit('warning', w);
        G.console.error(`(node:42) ${w.code ? '[' + w.code + '] ' : ''}${w.name}: ${w.message}`);
      });
    },
    umask: () => 0o22,
    getuid: () => 1000, getgid: () => 1000, geteuid: () => 1000, getegid: () => 1000,
    config: { variables: {} }, features: {},
    stdout: { write(s) { G.console.log(String(s).replace(/\n$/, '')); return true; }, isTTY: false, columns: 80 },
    stderr: { write(s) { G.console.error(String(s).replace(/\n$/, '')); return true; }, isTTY: false, columns: 80 },
    stdin: { isTTY: false },
  };
  for (const m of ['on', 'once', 'off', 'addListener', 'removeListener', 'removeAllListeners', 'emit', 'listeners', 'listenerCount', 'prependListener', 'prependOnceListener']) {
    processObj[m] = function (...a) {
      const ee = (processEmitter ??= new (EE().EventEmitter)());
      const r = ReflectApply(ee[m], ee, a);
      return r === ee ? processObj : r;
    };
  }
  let processEmitter;

  // ---- globals ----
  // Node 20 defines Symbol.dispose and Symbol.asyncDispose (explicit resource management) before V8 has them
  for (const name of ['dispose', 'asyncDispose']) if (!(name in Symbol)) defineProperty(Symbol, name, { value: Symbol(`Symbol.${name}`), writable: false, enumerable: false, configurable: false });
  const globals = { global: G, process: processObj, TextEncoder, TextDecoder, URL, URLSearchParams, structuredClone, Event, EventTarget, AbortController, AbortSignal, DOMException, atob, btoa };
  for (const k of objectKeys(globals)) defineProperty(G, k, { value: globals[k], writable: true, configurable: true, enumerable: k === 'global' || k === 'process' ? false : false });
  defineProperty(G, 'Buffer', { get() { const B = builtin('buffer').Buffer; defineProperty(G, 'Buffer', { value: B, writable: true, configurable: true }); return B; }, set(v) { defineProperty(G, 'Buffer', { value: v, writable: true, configurable: true }); }, configurable: true });
  const webcrypto = { getRandomValues(v) { if (!ArrayBuffer.isView(v) || v instanceof Float32Array || v instanceof Float64Array) throw new TypeErrorCtor('The data argument must be an integer-type TypedArray'); if (v.byteLength > 65536) throw new DOMException('The ArrayBufferView\'s byte length exceeds 65536', 'QuotaExceededError'); return fillRandom(v); }, randomUUID };
  defineProperty(G, 'crypto', { value: webcrypto, writable: true, configurable: true });

  // ---- built-ins ----
  const cache = new Map();
  const UNSUPPORTED = {
    child_process: 'child processes', cluster: 'child processes', worker_threads: 'threads', net: 'the network', http: 'the network', https: 'the network', http2: 'the network', dgram: 'the network', dns: 'the network', tls: 'the network',
    inspector: 'the inspector', repl: 'a REPL', readline: 'a terminal', tty: 'a terminal', v8: "V8's internals", vm: 'new contexts', wasi: 'WebAssembly', async_hooks: 'async hooks', perf_hooks: 'performance hooks', trace_events: 'trace events', diagnostics_channel: 'diagnostics channels', module: 'the module loader', process: 'process', domain: 'domains', punycode: 'punycode', constants: 'constants', sys: 'sys', 'test/reporters': 'test reporters', sea: 'single executables', sqlite: 'sqlite',
  };
  function builtin(name) {
    const bare = name.startsWith('node:') ? name.slice(5) : name;
    if (cache.has(bare)) return cache.get(bare);
    const make = BUILTINS[bare];
    if (make === undefined) {
      const what = UNSUPPORTED[bare.split('/')[0]];
      throw unsupported(`node:${bare} is not available in the gopkgr sandbox${what ? ` (${what} cannot be deterministic)` : ''}`);
    }
    const value = make();
    cache.set(bare, value);
    return value;
  }
  function inherits(ctor, superCtor) {
    defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }
  const customInspect = Symbol.for('nodejs.util.inspect.custom');
  const customPromisify = Symbol.for('nodejs.util.promisify.custom');
  function inspect(v, opts) {
    const depth = typeof opts === 'object' && opts !== null && typeof opts.depth === 'number' ? opts.depth : 2;
    if (v !== null && typeof v === 'object' && typeof v[customInspect] === 'function') return String(v[customInspect](depth, { depth }, inspect));
    return shim.inspect(v, depth === Infinity || depth === null ? 20 : depth);
  }
  inspect.custom = customInspect;
  inspect.defaultOptions = { depth: 2 };
  function format(f, ...args) {
    if (typeof f !== 'string') return [f, ...args].map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ');
    let i = 0;
    let s = f.replace(/%([sdifjoOc%])/g, (m, c) => {
      if (c === '%') return '%';
      if (i >= args.length) return m;
      const a = args[i++];
      switch (c) {
        case 's': return typeof a === 'string' ? a : typeof a === 'bigint' ? a + 'n' : typeof a === 'object' && a !== null ? inspect(a, { depth: 0 }) : String(a);
        case 'd': return typeof a === 'bigint' ? a + 'n' : typeof a === 'object' ? 'NaN' : String(Number(a));
        case 'i': return typeof a === 'bigint' ? a + 'n' : String(parseInt(a, 10));
        case 'f': return String(parseFloat(a));
        case 'j': try { return JSON.stringify(a); } catch { return '[Circular]'; }
        case 'c': return '';
        default: return inspect(a);
      }
    });
    for (; i < args.length; i++) s += ' ' + (typeof args[i] === 'string' ? args[i] : inspect(args[i]));
    return s;
  }
  function promisify(fn) {
    if (typeof fn !== 'function') throw new TypeErrorCtor('The "original" argument must be of type function');
    if (typeof fn[customPromisify] === 'function') return fn[customPromisify];
    const p = function (...args) {
      return new Promise((resolve, reject) => ReflectApply(fn, this, [...args, (err, ...values) => (err ? reject(err) : resolve(values.length > 1 ? values : values[0]))]));
    };
    Object.setPrototypeOf(p, getPrototypeOf(fn));
    return Object.defineProperties(p, Object.getOwnPropertyDescriptors(fn));
  }
  promisify.custom = customPromisify;
  const tag = (v) => Object.prototype.toString.call(v).slice(8, -1);
  const types = {
    isPromise: (v) => tag(v) === 'Promise', isRegExp: (v) => tag(v) === 'RegExp', isDate: (v) => tag(v) === 'Date', isMap: (v) => tag(v) === 'Map', isSet: (v) => tag(v) === 'Set',
    isNativeError: (v) => v instanceof ErrorCtor, isTypedArray: (v) => ArrayBuffer.isView(v) && tag(v) !== 'DataView', isUint8Array: (v) => tag(v) === 'Uint8Array',
    isArrayBuffer: (v) => tag(v) === 'ArrayBuffer', isAnyArrayBuffer: (v) => tag(v) === 'ArrayBuffer', isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isAsyncFunction: (v) => tag(v) === 'AsyncFunction' || tag(v) === 'AsyncGeneratorFunction', isGeneratorFunction: (v) => tag(v) === 'GeneratorFunction' || tag(v) === 'AsyncGeneratorFunction',
    isGeneratorObject: (v) => tag(v) === 'Generator', isWeakMap: (v) => tag(v) === 'WeakMap', isWeakSet: (v) => tag(v) === 'WeakSet', isProxy: () => false,
    isBoxedPrimitive: (v) => ['Number', 'String', 'Boolean', 'BigInt', 'Symbol'].includes(tag(v)) && typeof v === 'object', isDataView: (v) => tag(v) === 'DataView',
  };
  const BUILTINS = {
    __proto__: null,
    test: () => shim.makeTest(null).test,
    assert: () => shim.makeAssert(),
    'assert/strict': () => shim.makeAssert().strict,
    events: () => makeEvents(),
    util: () => ({
      format, inspect, promisify, inherits, types, isDeepStrictEqual: shim.isDeepStrictEqual, TextEncoder, TextDecoder,
      formatWithOptions: (o, ...a) => format(...a),
      callbackify: (fn) => function (...args) { const cb = args.pop(); ReflectApply(fn, this, args).then((v) => G.process.nextTick(cb, null, v), (e) => G.process.nextTick(cb, e)); },
      deprecate: (fn, msg) => { let warned = false; return function (...a) { if (!warned) { warned = true; G.process.emitWarning(msg, 'DeprecationWarning'); } return new.target ? Reflect.construct(fn, a, new.target) : ReflectApply(fn, this, a); }; },
      debuglog: () => Object.assign(() => {}, { enabled: false }), debug: () => Object.assign(() => {}, { enabled: false }),
      isArray: Array.isArray, isError: (e) => e instanceof ErrorCtor, isFunction: (f) => typeof f === 'function', isString: (s) => typeof s === 'string', isObject: (o) => o !== null && typeof o === 'object',
      isNumber: (n) => typeof n === 'number', isUndefined: (v) => v === undefined, isNullOrUndefined: (v) => v == null, isPrimitive: (v) => v === null || (typeof v !== 'object' && typeof v !== 'function'),
      stripVTControlCharacters: (s) => String(s).replace(/\u001b\[[0-9;]*[A-Za-z]/g, ''), toUSVString: (s) => String(s).toWellFormed(),
      parseArgs: () => { throw unsupported('util.parseArgs is not available in the gopkgr sandbox'); },
    }),
    'util/types': () => types,
    path: () => { const p = vendorLib('path'); return { ...p, posix: p, win32: undefined }; },
    'path/posix': () => vendorLib('path'),
    buffer: () => withBase64url(vendorLib('buffer')),
    string_decoder: () => vendorLib('string_decoder'),
    stream: () => { const s = withReadableFrom(vendorLib('stream')); const Stream = s.Stream ?? s; const m = Object.assign(function Stream() {}, s, { Stream, promises: { pipeline: promisify(s.pipeline), finished: promisify(s.finished) } }); return m; },
    'stream/promises': () => { const s = vendorLib('stream'); return { pipeline: promisify(s.pipeline), finished: promisify(s.finished) }; },
    querystring: () => makeQuerystring(),
    url: () => ({
      URL, URLSearchParams,
      fileURLToPath(u) { const url = typeof u === 'string' ? new URL(u) : u; if (url.protocol !== 'file:') { const e = new TypeErrorCtor('The URL must be of scheme file'); e.code = 'ERR_INVALID_URL_SCHEME'; throw e; } return decodeURIComponent(url.pathname); },
      pathToFileURL(p) { const abs = builtin('path').resolve(String(p)); return new URL('file://' + enc(abs, /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/)); },
      parse: (s) => { const u = new URL(s, 'http://x'); return { protocol: u.protocol, host: u.host, hostname: u.hostname, port: u.port || null, pathname: u.pathname, search: u.search || null, query: u.search ? u.search.slice(1) : null, hash: u.hash || null, href: String(s), path: u.pathname + u.search }; },
      format: (u) => (typeof u === 'string' ? u : u instanceof URL ? u.href : `${u.protocol ? u.protocol + '//' : ''}${u.host ?? u.hostname ?? ''}${u.pathname ?? ''}${u.search ?? ''}${u.hash ?? ''}`),
    }),
    timers: () => ({ setTimeout: G.setTimeout, clearTimeout: G.clearTimeout, setInterval: G.setInterval, clearInterval: G.clearInterval, setImmediate: G.setImmediate, clearImmediate: G.clearImmediate }),
    'timers/promises': () => makeTimersPromises(),
    crypto: () => makeCrypto(),
    os: () => ({
      EOL: '\n', platform: () => 'linux', type: () => 'Linux', arch: () => 'x64', release: () => '6.1.0', hostname: () => 'gopkgr-sandbox', homedir: () => '/home/gopkgr', tmpdir: () => '/tmp',
      cpus: () => [{ model: 'sandbox', speed: 2000, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } }], availableParallelism: () => 1, totalmem: () => 8 * 2 ** 30, freemem: () => 4 * 2 ** 30,
      uptime: () => 1000, loadavg: () => [0, 0, 0], endianness: () => 'LE', userInfo: () => ({ uid: 1000, gid: 1000, username: 'gopkgr', homedir: '/home/gopkgr', shell: '/bin/sh' }),
      networkInterfaces: () => ({}), constants: { signals: {}, errno: {} }, devNull: '/dev/null', machine: () => 'x86_64', version: () => '#1 SMP',
    }),
    child_process: () => unavailable('child_process', ['ChildProcess', 'exec', 'execFile', 'execFileSync', 'execSync', 'fork', 'spawn', 'spawnSync']),
    worker_threads: () => unavailable('worker_threads', ['BroadcastChannel', 'MessageChannel', 'MessagePort', 'Worker', 'getEnvironmentData', 'receiveMessageOnPort', 'setEnvironmentData'], { isMainThread: true, parentPort: null, workerData: null, threadId: 0, resourceLimits: {}, SHARE_ENV: Symbol.for('nodejs.worker_threads.SHARE_ENV'), markAsUntransferable() {} }),
    net: () => unavailable('net', ['BlockList', 'Server', 'Socket', 'SocketAddress', 'connect', 'createConnection', 'createServer'], { isIP, isIPv4, isIPv6 }),
    dns: () => unavailable('dns', DNS_CALLS, { promises: unavailable('dns', DNS_CALLS) }),
    'dns/promises': () => unavailable('dns', DNS_CALLS),
    tls: () => unavailable('tls', ['Server', 'TLSSocket', 'checkServerIdentity', 'connect', 'createSecureContext', 'createServer', 'getCiphers'], { DEFAULT_MIN_VERSION: 'TLSv1.2', DEFAULT_MAX_VERSION: 'TLSv1.3', DEFAULT_ECDH_CURVE: 'auto' }),
    http: () => makeHttp(),
    https: () => ({ ...makeHttp(), globalAgent: {} }),
    fs: () => makeFs(),
    'fs/promises': () => makeFs().promises,
    // not Node's: the test APIs of vitest and jest, served in their place (the resolver maps them here)
    vitest: () => makeVitest(),
    '@jest/globals': () => makeVitest(),
  };

  // ---- vitest / jest: their API on the runtime's test model ----
  // describe/it/test and hooks register through node:test's runner (the
  // runtime records outcomes); expect is @vitest/expect (chai with Jest's
  // matchers), spies are @vitest/spy, fake timers are mock.timers.
  let vitestApi;
  /** `refusedFor`: an importer that is not a test file nor test support registers nothing (runtime.js makeTest). */
  function makeVitest(refusedFor = null) {
    if (refusedFor === null && vitestApi) return vitestApi;
    const nt = refusedFor === null ? builtin('test') : shim.makeTest(refusedFor).test;
    const ve = vendorLib('expect');
    const spy = vendorLib('spy');
    const { chai } = ve;
    chai.use(ve.JestExtend);
    chai.use(ve.JestChaiExpect);
    chai.use(ve.JestAsymmetricMatchers);
    const fresh = () => ({ assertionCalls: 0, isExpectingAssertions: false, isExpectingAssertionsError: null, expectedAssertionsNumber: null, expectedAssertionsNumberErrorGen: null, currentTestName: undefined, testPath: undefined });
    const expect = function expect(value, message) {
      const st = ve.getState(expect);
      ve.setState({ assertionCalls: st.assertionCalls + 1 }, expect);
      return chai.expect(value, message);
    };
    Object.assign(expect, chai.expect);
    expect.getState = () => ve.getState(expect);
    expect.setState = (state) => ve.setState(state, expect);
    expect.extend = (matchers) => chai.expect.extend(expect, matchers);
    expect.addEqualityTesters = (testers) => ve.addCustomEqualityTesters(testers);
    expect.assertions = (n) => ve.setState({ expectedAssertionsNumber: n, expectedAssertionsNumberErrorGen: () => new ErrorCtor(`expected number of assertions to be ${n}, but got ${ve.getState(expect).assertionCalls}`) }, expect);
    expect.hasAssertions = () => ve.setState({ isExpectingAssertions: true, isExpectingAssertionsError: new ErrorCtor('expected any number of assertion, but got none') }, expect);
    expect.soft = (value, message) => expect(value, message);
    expect.unreachable = (message) => { throw new ErrorCtor(`expected${message ? ` "${message}"` : ''} not to be reached`); };
    ve.setState(fresh(), expect);
    ve.GLOBAL_EXPECT && (G[ve.GLOBAL_EXPECT] = expect);
    const titles = { current: [], suites: [] };
    const snapshots = makeSnapshots(ve, chai, titles);
    expect.addSnapshotSerializer = snapshots.addSerializer;

    // jest (not vitest) passes a `done` callback to a test or hook that declares a parameter
    const jestDone = config.runner === 'jest';
    /** Call a jest test or hook that takes `done`: settles when done() is called, fails on done(error). */
    const callWithDone = (fn) => new Promise((resolve, reject) => {
      let called = false;
      const done = (err) => {
        if (called) return;
        called = true;
        if (err === undefined || err === null || err === false) resolve();
        else reject(err instanceof ErrorCtor ? err : new ErrorCtor(`Failed: ${format('%o', err)}`));
      };
      done.fail = (message) => done(new ErrorCtor(`Failed: ${message === undefined ? '' : String(message)}`));
      const r = ReflectApply(fn, undefined, [done]);
      if (r !== undefined) reject(new ErrorCtor("Test functions cannot both take a 'done' callback and return something. Either use a 'done' callback, or return a promise."));
    });
    const hook = (fn) => (jestDone && typeof fn === 'function' && fn.length > 0 ? () => callWithDone(fn) : fn);
    /**
     * Run the test's function with vitest's context (or jest's done), then
     * check expect.assertions()/hasAssertions(). `path`: the titles of its
     * suites and its own, taken when it was registered (snapshot keys).
     */
    const wrap = (fn, name, path) => (typeof fn !== 'function' ? fn : async function (t) {
      titles.current = path;
      ve.setState({ ...fresh(), currentTestName: snapshots.testName(path) }, expect);
      const ctx = { expect, task: { name }, skip: (note) => t.skip(note), signal: t.signal, onTestFailed() {}, onTestFinished() {} };
      if (jestDone && fn.length > 0) await callWithDone(fn);
      else await ReflectApply(fn, undefined, [ctx]);
      const st = ve.getState(expect);
      if (st.expectedAssertionsNumber !== null && st.assertionCalls !== st.expectedAssertionsNumber) throw st.expectedAssertionsNumberErrorGen();
      if (st.isExpectingAssertions && st.assertionCalls === 0) throw st.isExpectingAssertionsError;
    });
    const fmtName = (name, args, i) => {
      let k = 0;
      let out = String(name).replace(/%[sdifjoO#%]/g, (m) => {
        if (m === '%%') return '%';
        if (m === '%#') return String(i);
        const a = args[k++];
        return m === '%d' || m === '%i' ? String(m === '%i' ? Math.trunc(a) : Number(a)) : m === '%f' ? String(a) : m === '%j' ? JSON.stringify(a) : typeof a === 'string' && m === '%s' ? a : format('%o', a).replace(/^'|'$/g, m === '%s' ? '' : "'");
      });
      if (args.length === 1 && args[0] !== null && typeof args[0] === 'object' && !Array.isArray(args[0])) out = out.replace(/\$([\w.]+)/g, (m, path) => { let v = args[0]; for (const p of path.split('.')) v = v == null ? undefined : v[p]; return typeof v === 'string' ? v : format('%o', v); });
      return out;
    };
    /** A tagged template table (jest's and vitest's): a heading row `a | b`, then one object per row of values. */
    const templateRows = (strings, values) => {
      const headings = String(strings[0]).split('|').map((h) => h.trim()).filter((h) => h !== '');
      const rows = [];
      if (headings.length === 0) return rows;
      for (let i = 0; i + headings.length <= values.length; i += headings.length) {
        const row = {};
        headings.forEach((h, j) => { row[h] = values[i + j]; });
        rows.push(row);
      }
      return rows;
    };
    const parse = (args) => {
      let name = args[0], options, fn;
      for (let i = 1; i < args.length; i++) { const a = args[i]; if (typeof a === 'function') fn = a; else if (a !== null && typeof a === 'object') options = a; else if (typeof a === 'number') options = { ...options, timeout: a }; }
      return { name: typeof name === 'function' ? name.name : String(name), options, fn };
    };
    const testTimeout = { ms: 5000 };
    const variant = (base, extra, isSuite) => {
      const run = (...args) => {
        const { name, options, fn } = parse(args);
        const o = { ...options, ...extra };
        // vitest and jest time a test out after 5 s (virtual time here) and go on
        // with the next one: a promise or `done` that never settles fails that test only
        if (!isSuite && o.timeout === undefined && (config.runner === 'jest' || config.runner === 'vitest')) o.timeout = testTimeout.ms;
        if (!isSuite) return base(name, o, wrap(fn, name, [...titles.suites, name]));
        // a suite's body runs while it is collected: its tests see its title
        const body = typeof fn !== 'function' ? fn : function (...a) {
          titles.suites.push(name);
          try { return ReflectApply(fn, this, a); } finally { titles.suites.pop(); }
        };
        return base(name, o, body);
      };
      // A row's cells are the function's arguments (a row that is not an array
      // is one argument), and nothing else: vitest passes no test context to
      // an .each function. jest (jest-each) also passes `done` when the
      // function declares more parameters than the row has cells; vitest
      // passes none, so a `done` there is undefined, as under vitest.
      run.each = (table, ...rest) => (name, a, b) => {
        const rows = Array.isArray(table) && table.raw !== undefined ? templateRows(table, rest) : Array.isArray(table) && table.every((r) => typeof r !== 'string' || rest.length === 0) ? table : [table];
        rows.forEach((row, i) => {
          const cells = Array.isArray(row) ? row : [row];
          const fn = typeof a === 'function' ? a : b;
          const opts = typeof a === 'object' && a !== null ? a : undefined;
          const takesDone = !isSuite && jestDone && typeof fn === 'function' && fn.length > cells.length;
          const body = takesDone ? function (done) { return ReflectApply(fn, undefined, [...cells, done]); } : () => ReflectApply(fn, undefined, cells);
          run(fmtName(name, cells, i), opts ?? {}, body);
        });
      };
      run.for = (table) => (name, fn) => table.forEach((row, i) => run(fmtName(name, Array.isArray(row) ? row : [row], i), (ctx) => fn(row, ctx)));
      return run;
    };
    const make = (base, isSuite) => {
      const f = variant(base, {}, isSuite);
      f.skip = variant(base, { skip: true }, isSuite);
      f.only = variant(base, {}, isSuite);
      f.todo = (name) => base(String(name), { todo: true });
      f.concurrent = f;
      f.sequential = f;
      f.fails = variant(base, {}, isSuite);
      f.skipIf = (cond) => (cond ? f.skip : f);
      f.runIf = (cond) => (cond ? f : f.skip);
      f.extend = () => f;
      return f;
    };
    const test = make(nt, false);
    const describe = make(nt.describe, true);
    const fakeTimers = makeMockTimers();
    let fakeOn = false;
    const vi = {
      fn: (impl) => spy.fn(impl),
      spyOn: (obj, method, access) => spy.spyOn(obj, method, access),
      isMockFunction: (f) => spy.isMockFunction(f),
      clearAllMocks() { spy.clearAllMocks?.(); return vi; },
      resetAllMocks() { spy.resetAllMocks?.(); return vi; },
      restoreAllMocks() { spy.restoreAllMocks?.(); return vi; },
      mocked: (x) => x,
      useFakeTimers(opts) { if (!fakeOn) { fakeTimers.enable({ apis: ['setTimeout', 'setInterval', 'setImmediate', 'Date'], now: opts && opts.now !== undefined ? opts.now : Date.now() }); fakeOn = true; } return vi; },
      useRealTimers() { if (fakeOn) { fakeTimers.reset(); fakeOn = false; } return vi; },
      isFakeTimers: () => fakeOn,
      advanceTimersByTime(ms) { fakeTimers.tick(ms); return vi; },
      async advanceTimersByTimeAsync(ms) { fakeTimers.tick(ms); await null; return vi; },
      runAllTimers() { fakeTimers.runAll(); return vi; },
      async runAllTimersAsync() { fakeTimers.runAll(); await null; return vi; },
      runOnlyPendingTimers() { fakeTimers.runAll(); return vi; },
      advanceTimersToNextTimer() { fakeTimers.tick(1); return vi; },
      setSystemTime(t) { fakeTimers.setTime(t instanceof Date ? t.getTime() : Number(t)); return vi; },
      getMockedSystemTime: () => (fakeOn ? new Date(Date.now()) : null),
      getRealSystemTime: () => Date.now(),
      mock() { throw unsupported('vi.mock (module mocking) is not available in the gopkgr sandbox'); },
      doMock() { throw unsupported('vi.doMock (module mocking) is not available in the gopkgr sandbox'); },
      stubGlobal(name, value) { G[name] = value; return vi; },
      unstubAllGlobals() { return vi; },
      stubEnv(name, value) { processObj.env[name] = value; return vi; },
      unstubAllEnvs() { return vi; },
      waitFor: async (fn) => fn(),
      setConfig(c) { if (c && typeof c.testTimeout === 'number') testTimeout.ms = c.testTimeout; return vi; },
      resetConfig() { testTimeout.ms = 5000; return vi; },
      hoisted: (fn) => fn(),
    };
    const jest = {
      ...vi, fn: vi.fn, spyOn: vi.spyOn, useFakeTimers: () => vi.useFakeTimers(), advanceTimersByTime: vi.advanceTimersByTime,
      // module mocks with a factory (jest hoists jest.mock above the requires: tester/transpile.ts hoistJestMocks)
      mock(spec, factory) { mockModule(spec, factory); return jest; },
      doMock(spec, factory) { mockModule(spec, factory); return jest; },
      unmock(spec) { mockFactories.delete(mockKey(spec)); return jest; },
      dontMock(spec) { mockFactories.delete(mockKey(spec)); return jest; },
      requireActual: (spec) => requireActual(spec),
      setTimeout(ms) { if (typeof ms === 'number') testTimeout.ms = ms; return jest; },
      requireMock(spec) { const k = mockKey(spec); if (!mockFactories.has(k)) throw unsupported(`jest.requireMock('${spec}'): automatic mocks are not available in the gopkgr sandbox`); return mocked(k); },
    };
    const api = {
      test, it: test, describe, suite: describe, expect, vi, vitest: vi, jest, assert: chai.assert, chai,
      beforeAll: (fn) => nt.before(hook(fn)), afterAll: (fn) => nt.after(hook(fn)),
      beforeEach: (fn) => nt.beforeEach(hook(fn)), afterEach: (fn) => nt.afterEach(hook(fn)),
      expectTypeOf: () => new Proxy(function () {}, { get: (t, k) => (k === 'then' ? undefined : api.expectTypeOf()), apply: () => api.expectTypeOf() }),
      assertType: () => {},
      onTestFailed() {}, onTestFinished() {},
    };
    if (refusedFor === null) vitestApi = api;
    return api;
  }
  // ---- snapshots (vitest's and jest's), read from the package, never written ----
  // The test file's `__snapshots__/<file>.snap` comes from the host
  // (config.snapshot, null when the package has none); inline snapshots are the
  // matcher's argument. As under CI (`jest --ci`, vitest with CI set), a
  // snapshot that is not there fails its test instead of being written.
  // Values are serialised as both runners do: pretty-format with the snapshot
  // plugins, escapeRegex, no function names; jest before 29 kept
  // `Object {`/`Array [` and escaped strings (config.legacySnapshotFormat).
  // Keys: the test's titles joined with ' ' (jest) or ' > ' (vitest), then a
  // counter per name.
  function makeSnapshots(ve, chai, titles) {
    const snap = vendorLib('snapshot');
    const { format } = vendorLib('prettyFormat');
    const jestKeys = config.runner === 'jest';
    const legacy = config.legacySnapshotFormat === true;
    let data = null;
    const stored = () => {
      if (data !== null) return data;
      data = objectCreate(null);
      // a .snap file is a CommonJS-like script of `exports[key] = template;`,
      // run as both runners run it; vitest ignores an error in it (keeping what
      // was defined before), jest fails the test that reads it
      if (typeof config.snapshot !== 'string') return data;
      const fill = data;
      try {
        indirectEval('(function (exports) {' + config.snapshot + '\n})')(fill);
      } catch (e) {
        if (jestKeys) { data = null; throw e; }
      }
      return data;
    };
    const counters = new Map();
    const testName = (path) => path.join(jestKeys ? ' ' : ' > ');
    const serialize = (value) => {
      const text = format(value, { escapeRegex: true, indent: 2, plugins: snap.getSerializers(), printFunctionName: false, printBasicPrototype: legacy, escapeString: legacy }).replace(/\r\n|\r/g, '\n');
      return text.includes('\n') ? `\n${text}\n` : text;
    };
    /** `properties` replaced into the value (matchers in place of what they matched), as both runners print it. */
    const merged = (value, properties) => {
      if (Array.isArray(value) && Array.isArray(properties)) return value.map((v, i) => (i in properties ? merged(v, properties[i]) : v));
      if (value === null || typeof value !== 'object' || properties === null || typeof properties !== 'object' || typeof properties.asymmetricMatch === 'function') return properties;
      const out = { ...value };
      for (const k of objectKeys(properties)) out[k] = k in value ? merged(value[k], properties[k]) : properties[k];
      return out;
    };
    const missing = (key) => new ErrorCtor(`Snapshot \`${key}\` is missing. New snapshot was not written: snapshots are not written in the gopkgr sandbox (as under --ci); the package must ship its snapshots.`);
    function check(received, { inline, inlineSnapshot, properties, hint }) {
      const name = testName(titles.current) + (hint ? (jestKeys ? ': ' : ' > ') + hint : '');
      const count = (counters.get(name) ?? 0) + 1;
      counters.set(name, count);
      const key = `${name} ${count}`;
      let value = received;
      if (properties !== undefined && properties !== null && typeof properties === 'object') {
        if (value === null || typeof value !== 'object') throw new ErrorCtor('Received value must be an object when the matcher has properties');
        if (!ve.equals(value, properties, [ve.iterableEquality, ve.subsetEquality])) throw new ErrorCtor(`Snapshot properties mismatched for \`${key}\``);
        value = merged(value, properties);
      }
      const expected = inline ? (inlineSnapshot === undefined ? undefined : snap.stripSnapshotIndentation(inlineSnapshot)) : stored()[key];
      if (expected === undefined) throw missing(key);
      const actual = serialize(value);
      if (expected.trim() !== actual.trim()) {
        const e = new ErrorCtor(`Snapshot \`${key}\` mismatched`);
        e.actual = actual.trim();
        e.expected = expected.trim();
        throw e;
      }
    }
    const utils = chai.util;
    /** What a thrown-error snapshot holds: jest keeps the error's message, vitest the thrown value itself. */
    const thrown = (assertion) => {
      const obj = utils.flag(assertion, 'object');
      const kept = (e) => (jestKeys && e !== null && typeof e === 'object' && typeof e.message === 'string' ? e.message : e);
      // after .rejects the value is the rejection itself
      if (utils.flag(assertion, 'promise') === 'rejects') return kept(obj);
      if (typeof obj !== 'function') throw new TypeErrorCtor('received value must be a function');
      try { obj(); } catch (e) { return kept(e); }
      throw new ErrorCtor('Received function did not throw');
    };
    chai.Assertion.addMethod('toMatchSnapshot', function (properties, hint) {
      if (typeof properties === 'string') { hint = properties; properties = undefined; }
      check(utils.flag(this, 'object'), { inline: false, properties, hint });
    });
    chai.Assertion.addMethod('toMatchInlineSnapshot', function (properties, inlineSnapshot) {
      if (typeof properties === 'string') { inlineSnapshot = properties; properties = undefined; }
      check(utils.flag(this, 'object'), { inline: true, inlineSnapshot, properties });
    });
    chai.Assertion.addMethod('toThrowErrorMatchingSnapshot', function (hint) { check(thrown(this), { inline: false, hint }); });
    chai.Assertion.addMethod('toThrowErrorMatchingInlineSnapshot', function (inlineSnapshot) { check(thrown(this), { inline: true, inlineSnapshot }); });
    chai.Assertion.addMethod('toMatchFileSnapshot', function () { throw unsupported('toMatchFileSnapshot is not available in the gopkgr sandbox'); });
    return { testName, addSerializer: (plugin) => snap.addSerializer(plugin) };
  }

  shim.vitestFor = (refusedFor) => makeVitest(typeof refusedFor === 'string' ? refusedFor : null);
  shim.installJestGlobals = () => {
    const api = makeVitest();
    for (const k of ['describe', 'it', 'test', 'expect', 'jest', 'beforeAll', 'afterAll', 'beforeEach', 'afterEach']) defineProperty(G, k, { value: api[k], writable: true, configurable: true });
  };

  /** readable-stream's browser build has no Readable.from: Node's semantics, on an iterable or async iterable. */
  function withReadableFrom(s) {
    const Readable = s.Readable;
    if (Readable.from && !/browser/.test(String(Readable.from))) return s;
    Readable.from = function from(iterable, opts) {
      if (typeof iterable === 'string' || (iterable && ArrayBuffer.isView(iterable))) return new Readable({ objectMode: true, ...opts, read() { this.push(iterable); this.push(null); } });
      const it = iterable && typeof iterable[Symbol.asyncIterator] === 'function' ? iterable[Symbol.asyncIterator]() : iterable && typeof iterable[Symbol.iterator] === 'function' ? iterable[Symbol.iterator]() : null;
      if (it === null) { const e = new TypeErrorCtor('The "iterable" argument must be an instance of Iterable.'); e.code = 'ERR_INVALID_ARG_TYPE'; throw e; }
      let reading = false;
      const r = new Readable({
        objectMode: true, highWaterMark: 1, ...opts,
        read() {
          if (reading) return;
          reading = true;
          const next = () => Promise.resolve(it.next()).then(({ value, done }) => {
            if (done) { this.push(null); return; }
            Promise.resolve(value).then((v) => { if (v === null) { reading = false; this.destroy(new TypeErrorCtor('May not write null values to stream')); return; } if (this.push(v)) next(); else reading = false; }, (e) => this.destroy(e));
          }, (e) => this.destroy(e));
          next();
        },
        destroy(err, cb) { if (typeof it.return === 'function') Promise.resolve(it.return()).then(() => cb(err), cb); else cb(err); },
      });
      return r;
    };
    return s;
  }

  function makeEvents() {
    const kCapture = Symbol('kCapture');
    function EventEmitter(opts) { EventEmitter.init.call(this, opts); }
    EventEmitter.prototype._events = undefined;
    EventEmitter.prototype._eventsCount = 0;
    EventEmitter.prototype._maxListeners = undefined;
    EventEmitter.defaultMaxListeners = 10;
    EventEmitter.captureRejections = false;
    EventEmitter.errorMonitor = Symbol('events.errorMonitor');
    EventEmitter.captureRejectionSymbol = Symbol.for('nodejs.rejection');
    EventEmitter.init = function (opts) {
      if (this._events === undefined || this._events === getPrototypeOf(this)._events) { this._events = objectCreate(null); this._eventsCount = 0; }
      this._maxListeners = this._maxListeners || undefined;
      this[kCapture] = !!(opts && opts.captureRejections);
    };
    const P = EventEmitter.prototype;
    P.setMaxListeners = function (n) { this._maxListeners = n; return this; };
    P.getMaxListeners = function () { return this._maxListeners === undefined ? EventEmitter.defaultMaxListeners : this._maxListeners; };
    P.emit = function (type, ...args) {
      const events = this._events;
      if (type === 'error' && events !== undefined && events[EventEmitter.errorMonitor] !== undefined) this.emit(EventEmitter.errorMonitor, ...args);
      const handler = events !== undefined ? events[type] : undefined;
      if (handler === undefined) {
        if (type === 'error') {
          const er = args[0];
          if (er instanceof ErrorCtor) throw er;
          const err = new ErrorCtor('Unhandled error.' + (er === undefined ? '' : ` (${inspect(er)})`));
          err.code = 'ERR_UNHANDLED_ERROR';
          err.context = er;
          throw err;
        }
        return false;
      }
      if (typeof handler === 'function') ReflectApply(handler, this, args);
      else { const list = handler.slice(); for (let i = 0; i < list.length; i++) ReflectApply(list[i], this, args); }
      return true;
    };
    function add(target, type, listener, prepend) {
      if (typeof listener !== 'function') { const e = new TypeErrorCtor(`The "listener" argument must be of type function. Received ${inspect(listener)}`); e.code = 'ERR_INVALID_ARG_TYPE'; throw e; }
      let events = target._events;
      if (events === undefined) { events = target._events = objectCreate(null); target._eventsCount = 0; }
      else if (events.newListener !== undefined) { target.emit('newListener', type, listener.listener ? listener.listener : listener); events = target._events; }
      const existing = events[type];
      if (existing === undefined) { events[type] = listener; ++target._eventsCount; }
      else if (typeof existing === 'function') events[type] = prepend ? [listener, existing] : [existing, listener];
      else if (prepend) existing.unshift(listener); else existing.push(listener);
      return target;
    }
    P.addListener = P.on = function (type, listener) { return add(this, type, listener, false); };
    P.prependListener = function (type, listener) { return add(this, type, listener, true); };
    function onceWrap(target, type, listener) {
      const state = { fired: false, target, type, listener };
      const wrapped = function (...args) {
        if (!state.fired) { state.target.removeListener(state.type, wrapped); state.fired = true; return ReflectApply(state.listener, state.target, args); }
      };
      wrapped.listener = listener;
      return wrapped;
    }
    P.once = function (type, listener) { if (typeof listener !== 'function') return add(this, type, listener); return this.on(type, onceWrap(this, type, listener)); };
    P.prependOnceListener = function (type, listener) { return this.prependListener(type, onceWrap(this, type, listener)); };
    P.removeListener = P.off = function (type, listener) {
      const events = this._events;
      if (events === undefined) return this;
      const list = events[type];
      if (list === undefined) return this;
      if (list === listener || list.listener === listener) {
        if (--this._eventsCount === 0) this._events = objectCreate(null);
        else { delete events[type]; }
        if (events.removeListener) this.emit('removeListener', type, list.listener || listener);
      } else if (typeof list !== 'function') {
        let pos = -1;
        for (let i = list.length - 1; i >= 0; i--) if (list[i] === listener || list[i].listener === listener) { pos = i; break; }
        if (pos < 0) return this;
        list.splice(pos, 1);
        if (list.length === 1) events[type] = list[0];
        if (events.removeListener !== undefined) this.emit('removeListener', type, listener);
      }
      return this;
    };
    P.removeAllListeners = function (type) {
      const events = this._events;
      if (events === undefined) return this;
      if (arguments.length === 0) { this._events = objectCreate(null); this._eventsCount = 0; }
      else if (events[type] !== undefined) { if (--this._eventsCount === 0) this._events = objectCreate(null); else delete events[type]; }
      return this;
    };
    const unwrap = (l, raw) => (typeof l === 'function' ? [raw ? l : l.listener || l] : l.map((x) => (raw ? x : x.listener || x)));
    P.listeners = function (type) { const l = this._events && this._events[type]; return l === undefined ? [] : unwrap(l, false); };
    P.rawListeners = function (type) { const l = this._events && this._events[type]; return l === undefined ? [] : unwrap(l, true); };
    P.listenerCount = function (type, listener) { const l = this._events && this._events[type]; if (l === undefined) return 0; const all = unwrap(l, false); return listener ? all.filter((x) => x === listener).length : all.length; };
    P.eventNames = function () { return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : []; };
    EventEmitter.EventEmitter = EventEmitter;
    EventEmitter.listenerCount = (em, type) => em.listenerCount(type);
    EventEmitter.once = function (emitter, name, options) {
      return new Promise((resolve, reject) => {
        const signal = options && options.signal;
        if (signal && signal.aborted) { reject(abortError(signal.reason)); return; }
        if (typeof emitter.addEventListener === 'function' && typeof emitter.on !== 'function') {
          emitter.addEventListener(name, (ev) => resolve([ev]), { once: true });
          return;
        }
        const onError = (err) => { emitter.removeListener(name, resolver); reject(err); };
        const resolver = (...args) => { if (name !== 'error') emitter.removeListener('error', onError); resolve(args); };
        emitter.once(name, resolver);
        if (name !== 'error') emitter.once('error', onError);
        if (signal) signal.addEventListener('abort', () => { emitter.removeListener(name, resolver); emitter.removeListener('error', onError); reject(abortError(signal.reason)); }, { once: true });
      });
    };
    EventEmitter.on = function (emitter, name) {
      const queue = [];
      const waiting = [];
      let error = null;
      const handler = (...args) => { const w = waiting.shift(); if (w) w.resolve({ value: args, done: false }); else queue.push(args); };
      const onErr = (err) => { const w = waiting.shift(); if (w) w.reject(err); else error = err; };
      emitter.on(name, handler);
      if (name !== 'error') emitter.on('error', onErr);
      return {
        next() {
          if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
          if (error) { const e = error; error = null; return Promise.reject(e); }
          return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
        },
        return() { emitter.removeListener(name, handler); emitter.removeListener('error', onErr); return Promise.resolve({ value: undefined, done: true }); },
        [Symbol.asyncIterator]() { return this; },
      };
    };
    EventEmitter.getEventListeners = (em, name) => (typeof em.listeners === 'function' ? em.listeners(name) : []);
    EventEmitter.setMaxListeners = () => {};
    EventEmitter.EventTarget = EventTarget;
    EventEmitter.Event = Event;
    return EventEmitter;
  }
  function abortError(cause) {
    const e = new ErrorCtor('The operation was aborted');
    e.name = 'AbortError';
    e.code = 'ABORT_ERR';
    if (cause !== undefined) e.cause = cause;
    return e;
  }

  /** http's constants are deterministic; its servers and requests are the network. */
  /**
   * A built-in that reaches outside the sandbox (child processes, threads, the
   * network): it loads, so a test file that requires it at the top still runs
   * its other tests, and each of its functions (constructors too) throws the
   * error the runtime records as `unsupported` when a test calls it. `values`:
   * what it can give deterministically.
   */
  function unavailable(bare, calls, values = {}) {
    const what = UNSUPPORTED[bare];
    const m = { ...values };
    for (const name of calls) {
      m[name] = function () { throw unsupported(`node:${bare} is not available in the gopkgr sandbox (${what} cannot be deterministic): ${name}() was called`); };
      defineProperty(m[name], 'name', { value: name });
    }
    return m;
  }
  const DNS_CALLS = ['Resolver', 'getServers', 'lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse', 'setDefaultResultOrder', 'setServers'];
  const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
  function isIPv4(s) { return typeof s === 'string' && IPV4.test(s); }
  function isIPv6(s) {
    if (typeof s !== 'string' || s.length > 45) return false;
    let t = s.replace(/%[0-9A-Za-z._~-]+$/, '');
    let groups = 8;
    const v4 = /:((?:\d{1,3}\.){3}\d{1,3})$/.exec(t);
    if (v4) { if (!isIPv4(v4[1])) return false; t = t.slice(0, v4.index + 1) + '0'; groups = 7; }
    const halves = t.split('::');
    if (halves.length > 2) return false;
    const part = (h) => (h === '' ? [] : h.split(':'));
    const head = part(halves[0]);
    const tail = halves.length === 2 ? part(halves[1]) : [];
    if (![...head, ...tail].every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
    return halves.length === 2 ? head.length + tail.length < groups : head.length === groups;
  }
  function isIP(s) { return isIPv4(s) ? 4 : isIPv6(s) ? 6 : 0; }
  function makeHttp() {
    const STATUS_CODES = { 100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints', 200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content', 205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used', 300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed', 418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Entity', 423: 'Locked', 424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates', 507: 'Insufficient Storage', 508: 'Loop Detected', 509: 'Bandwidth Limit Exceeded', 510: 'Not Extended', 511: 'Network Authentication Required' };
    const METHODS = ['ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH', 'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE'];
    const net = (name) => function () { throw unsupported(`http.${name} is not available in the gopkgr sandbox (the network cannot be deterministic)`); };
    return { STATUS_CODES, METHODS, maxHeaderSize: 16384, createServer: net('createServer'), request: net('request'), get: net('get'), Agent: net('Agent'), Server: net('Server'), globalAgent: {}, validateHeaderName: () => {}, validateHeaderValue: () => {} };
  }

  function makeQuerystring() {
    const escape = (s) => enc(String(s), /[A-Za-z0-9\-_.!~*'()]/);
    const unescape = (s) => { try { return decodeURIComponent(String(s).replace(/\+/g, ' ')); } catch { return String(s); } };
    const str = (v) => (typeof v === 'string' ? v : typeof v === 'number' && isFinite(v) ? String(v) : typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : '');
    return {
      escape, unescape,
      parse(s, sep = '&', eq = '=', opts) {
        const out = objectCreate(null);
        if (typeof s !== 'string' || s.length === 0) return out;
        const max = opts && typeof opts.maxKeys === 'number' ? opts.maxKeys : 1000;
        let parts = s.split(sep);
        if (max > 0) parts = parts.slice(0, max);
        for (const part of parts) {
          if (part === '') continue;
          const i = part.indexOf(eq);
          const k = unescape(i < 0 ? part : part.slice(0, i));
          const v = i < 0 ? '' : unescape(part.slice(i + eq.length));
          if (k in out) { if (Array.isArray(out[k])) out[k].push(v); else out[k] = [out[k], v]; } else out[k] = v;
        }
        return out;
      },
      stringify(obj, sep = '&', eq = '=') {
        if (obj === null || typeof obj !== 'object') return '';
        return objectKeys(obj).map((k) => { const v = obj[k]; const ek = escape(k) + eq; return Array.isArray(v) ? v.map((x) => ek + escape(str(x))).join(sep) : ek + escape(str(v)); }).filter((x) => x !== '').join(sep);
      },
      decode: undefined, encode: undefined,
    };
  }

  function makeTimersPromises() {
    const wait = (schedule, clear) => (value, options) => new Promise((resolve, reject) => {
      const signal = options && options.signal;
      if (signal && signal.aborted) return reject(abortError(signal.reason));
      const id = schedule(() => resolve(value));
      if (options && options.ref === false && id && typeof id.unref === 'function') id.unref();
      if (signal) signal.addEventListener('abort', () => { clear(id); reject(abortError(signal.reason)); }, { once: true });
    });
    const tp = {
      setTimeout: (ms, value, options) => wait((f) => G.setTimeout(f, ms), G.clearTimeout)(value, options),
      setImmediate: (value, options) => wait((f) => G.setImmediate(f), G.clearImmediate)(value, options),
      setInterval(ms, value) {
        let pending = 0;
        const waiting = [];
        const id = G.setInterval(() => { const w = waiting.shift(); if (w) w({ value, done: false }); else pending++; }, ms);
        return {
          next() { if (pending > 0) { pending--; return Promise.resolve({ value, done: false }); } return new Promise((r) => waiting.push(r)); },
          return() { G.clearInterval(id); return Promise.resolve({ value: undefined, done: true }); },
          [Symbol.asyncIterator]() { return this; },
        };
      },
      scheduler: { wait: (ms, options) => tp.setTimeout(ms, undefined, options), yield: () => tp.setImmediate() },
    };
    return tp;
  }

  function makeCrypto() {
    const { Buffer } = builtin('buffer');
    const h = vendorLib('hashes');
    const ALGOS = { md5: h.md5, sha1: h.sha1, sha224: h.sha224, sha256: h.sha256, sha384: h.sha384, sha512: h.sha512, ripemd160: h.ripemd160, 'sha512-256': h.sha512_256, 'sha3-256': h.sha3_256, 'sha3-512': h.sha3_512 };
    const algo = (name) => {
      const a = ALGOS[String(name).toLowerCase().replace(/^rsa-/, '')];
      if (!a) { const e = new ErrorCtor('Digest method not supported'); e.code = 'ERR_CRYPTO_INVALID_DIGEST'; throw e; }
      return a;
    };
    const toBytes = (data, encoding) => (typeof data === 'string' ? Buffer.from(data, encoding || 'utf8') : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : (() => { const e = new TypeErrorCtor('The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView.'); e.code = 'ERR_INVALID_ARG_TYPE'; throw e; })());
    class Hash {
      #h; #done = false;
      constructor(inner) { this.#h = inner; }
      update(data, encoding) { if (this.#done) { const e = new ErrorCtor('Digest already called'); e.code = 'ERR_CRYPTO_HASH_FINALIZED'; throw e; } this.#h.update(toBytes(data, encoding)); return this; }
      digest(encoding) { if (this.#done) { const e = new ErrorCtor('Digest already called'); e.code = 'ERR_CRYPTO_HASH_FINALIZED'; throw e; } this.#done = true; const b = Buffer.from(this.#h.digest()); return encoding ? b.toString(encoding) : b; }
      copy() { return new Hash(this.#h.clone()); }
    }
    const keyBytes = (key) => (typeof key === 'string' ? Buffer.from(key, 'utf8') : key && key.export ? key.export() : toBytes(key));
    return {
      createHash: (name) => new Hash(algo(name).create()),
      createHmac: (name, key) => new Hash(h.hmac.create(algo(name), keyBytes(key))),
      hash: (name, data, enc = 'hex') => { const b = Buffer.from(algo(name)(toBytes(data))); return enc === 'buffer' ? b : b.toString(enc); },
      getHashes: () => objectKeys(ALGOS),
      randomBytes(n, cb) { const b = fillRandom(Buffer.alloc(n)); if (typeof cb === 'function') { G.process.nextTick(cb, null, b); return undefined; } return b; },
      randomFillSync: (buf) => fillRandom(buf),
      randomInt(min, max, cb) { if (max === undefined || typeof max === 'function') { cb = max; max = min; min = 0; } const r = min + Math.floor((((randomByte() << 24) >>> 0) + (randomByte() << 16) + (randomByte() << 8) + randomByte()) / 4294967296 * (max - min)); if (typeof cb === 'function') { G.process.nextTick(cb, null, r); return undefined; } return r; },
      randomUUID, getRandomValues: (v) => webcrypto.getRandomValues(v), webcrypto,
      timingSafeEqual(a, b) { if (a.byteLength !== b.byteLength) { const e = new RangeError('Input buffers must have the same byte length'); e.code = 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH'; throw e; } let d = 0; const x = toBytes(a), y = toBytes(b); for (let i = 0; i < x.length; i++) d |= x[i] ^ y[i]; return d === 0; },
      createCipheriv() { throw unsupported('ciphers are not available in the gopkgr sandbox'); },
      generateKeyPairSync() { throw unsupported('key generation is not available in the gopkgr sandbox'); },
      createSign() { throw unsupported('signatures are not available in the gopkgr sandbox'); },
    };
  }

  // ---- fs: reads inside the package, read-only ----
  let pkgFiles = null; // path under ROOT -> text (package files and the locked deps' under node_modules)
  function makeFs() {
    const { Buffer } = builtin('buffer');
    const path = builtin('path');
    const norm = (p) => {
      const s = p instanceof URL ? builtin('url').fileURLToPath(p) : Buffer.isBuffer(p) ? p.toString() : String(p);
      return path.resolve(ROOT, s);
    };
    const rel = (abs) => (abs === ROOT ? '' : abs.startsWith(ROOT + '/') ? abs.slice(ROOT.length + 1) : null);
    const errno = (code, syscall, p, text) => { const e = new ErrorCtor(`${code}: ${text}, ${syscall} '${p}'`); e.code = code; e.errno = -2; e.syscall = syscall; e.path = p; return e; };
    const files = () => pkgFiles ?? new Map();
    const outside = (syscall, p) => unsupported(`fs.${syscall}('${p}'): only the package's own files can be read in the gopkgr sandbox`);
    const isDir = (r) => { if (r === '') return true; for (const k of files().keys()) if (k.startsWith(r + '/')) return true; return false; };
    function stat(p, syscall) {
      const abs = norm(p);
      const r = rel(abs);
      if (r === null) throw outside(syscall, abs);
      const f = files().get(r);
      if (f === undefined && !isDir(r)) throw errno('ENOENT', syscall, abs, 'no such file or directory');
      const file = f !== undefined;
      const t = new Date(946684800000);
      return { isFile: () => file, isDirectory: () => !file, isSymbolicLink: () => false, isFIFO: () => false, isSocket: () => false, isBlockDevice: () => false, isCharacterDevice: () => false, size: file ? Buffer.byteLength(f) : 4096, mode: file ? 0o100644 : 0o40755, mtime: t, ctime: t, atime: t, birthtime: t, mtimeMs: t.getTime(), ctimeMs: t.getTime(), atimeMs: t.getTime(), uid: 1000, gid: 1000, nlink: 1, dev: 1, ino: 1, blksize: 4096, blocks: 8 };
    }
    function readFileSync(p, options) {
      const abs = norm(p);
      const r = rel(abs);
      if (r === null) throw outside('readFileSync', abs);
      const f = files().get(r);
      if (f === undefined) throw isDir(r) ? errno('EISDIR', 'read', abs, 'illegal operation on a directory') : errno('ENOENT', 'open', abs, 'no such file or directory');
      const encoding = typeof options === 'string' ? options : options && options.encoding;
      return encoding ? Buffer.from(f, 'utf8').toString(encoding) : Buffer.from(f, 'utf8');
    }
    function readdirSync(p, options) {
      const abs = norm(p);
      const r = rel(abs);
      if (r === null) throw outside('readdirSync', abs);
      if (files().has(r)) throw errno('ENOTDIR', 'scandir', abs, 'not a directory');
      if (!isDir(r)) throw errno('ENOENT', 'scandir', abs, 'no such file or directory');
      const prefix = r === '' ? '' : r + '/';
      const names = new Map();
      for (const k of files().keys()) if (k.startsWith(prefix)) { const rest = k.slice(prefix.length); const i = rest.indexOf('/'); names.set(i < 0 ? rest : rest.slice(0, i), i >= 0); }
      const sorted = [...names.keys()].sort();
      if (options && options.withFileTypes) return sorted.map((n) => ({ name: n, parentPath: abs, path: abs, isFile: () => !names.get(n), isDirectory: () => names.get(n), isSymbolicLink: () => false }));
      return sorted;
    }
    const existsSync = (p) => { try { stat(p, 'stat'); return true; } catch { return false; } };
    const denied = (name) => function () { throw unsupported(`fs.${name} is not available in the gopkgr sandbox: the package's files are read-only`); };
    const cbify = (f) => function (...args) { const cb = args.pop(); let v, e = null; try { v = ReflectApply(f, undefined, args); } catch (err) { e = err; } G.process.nextTick(() => (e ? cb(e) : cb(null, v))); };
    const pify = (f) => (...args) => new Promise((resolve, reject) => { try { resolve(ReflectApply(f, undefined, args)); } catch (e) { reject(e); } });
    const statSync = (p, o) => { try { return stat(p, 'stat'); } catch (e) { if (o && o.throwIfNoEntry === false && e.code === 'ENOENT') return undefined; throw e; } };
    const accessSync = (p, mode) => { stat(p, 'access'); if (mode & 2) throw errno('EACCES', 'access', norm(p), 'permission denied'); };
    const realpathSync = (p) => { stat(p, 'realpath'); return norm(p); };
    realpathSync.native = realpathSync;
    // Reading through a file descriptor: the package's files, read-only (a
    // descriptor is a position in the file's bytes; nothing is opened on the host)
    const fds = new Map();
    let nextFd = 20;
    const READ_FLAGS = new Set([undefined, null, 0, 'r', 'rs', 'sr']);
    function openSync(p, flags) {
      if (!READ_FLAGS.has(flags)) throw unsupported(`fs.openSync with flags '${String(flags)}' is not available in the gopkgr sandbox: the package's files are read-only`);
      const abs = norm(p);
      if (rel(abs) === null) throw outside('openSync', abs);
      const bytes = readFileSync(abs);
      const fd = nextFd++;
      fds.set(fd, { bytes, pos: 0, path: abs });
      return fd;
    }
    const fdOf = (fd, syscall) => { const f = fds.get(fd); if (f === undefined) { const e = new ErrorCtor(`EBADF: bad file descriptor, ${syscall}`); e.code = 'EBADF'; e.errno = -9; e.syscall = syscall; throw e; } return f; };
    function readSync(fd, buffer, offset, length, position) {
      const f = fdOf(fd, 'read');
      if (offset !== null && typeof offset === 'object') ({ offset = 0, length = buffer.byteLength - offset, position = null } = offset);
      offset = offset === undefined ? 0 : Number(offset);
      length = length === undefined ? buffer.byteLength - offset : Number(length);
      const from = position === null || position === undefined || position === -1 ? f.pos : Number(position);
      const n = Math.max(0, Math.min(length, f.bytes.length - from));
      const view = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      view.set(f.bytes.subarray(from, from + n), offset);
      if (position === null || position === undefined || position === -1) f.pos += n;
      return n;
    }
    function closeSync(fd) { fdOf(fd, 'close'); fds.delete(fd); }
    const fstatSync = (fd) => stat(fdOf(fd, 'fstat').path, 'fstat');
    function read(fd, buffer, offset, length, position, cb) {
      const args = [fd, buffer, offset, length, position, cb];
      const callback = args.pop() ?? cb;
      while (args.length > 1 && args[args.length - 1] === undefined) args.pop();
      let n, err = null;
      try { n = ReflectApply(readSync, undefined, args); } catch (e) { err = e; }
      G.process.nextTick(() => (err ? callback(err) : callback(null, n, buffer)));
    }
    /** A readable stream of a package file's bytes, in chunks of highWaterMark (64 KiB), from start to end inclusive. */
    function createReadStream(p, options) {
      const o = typeof options === 'string' ? { encoding: options } : options || {};
      const abs = norm(p);
      if (rel(abs) === null) throw outside('createReadStream', abs);
      const { Readable } = builtin('stream');
      const hwm = o.highWaterMark || 64 * 1024;
      let bytes = null;
      let failure = null;
      try { bytes = readFileSync(abs); } catch (e) { failure = e; }
      let at = o.start === undefined ? 0 : o.start;
      const end = o.end === undefined || bytes === null ? (bytes === null ? 0 : bytes.length) : Math.min(bytes.length, o.end + 1);
      const stream = new Readable({
        highWaterMark: hwm,
        encoding: o.encoding,
        read() {
          if (at >= end) { this.push(null); return; }
          const chunk = bytes.subarray(at, Math.min(end, at + hwm));
          at += chunk.length;
          stream.bytesRead += chunk.length;
          this.push(Buffer.from(chunk));
        },
      });
      stream.path = typeof p === 'string' ? p : abs;
      stream.bytesRead = 0;
      stream.pending = true;
      stream.close = function (cb) { this.destroy(); if (typeof cb === 'function') this.once('close', cb); };
      G.process.nextTick(() => {
        if (failure !== null) { stream.destroy(failure); return; }
        stream.pending = false;
        stream.fd = nextFd++;
        stream.emit('open', stream.fd);
        stream.emit('ready');
      });
      return stream;
    }
    const fs = {
      constants: { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, O_RDONLY: 0 }, F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1,
      readFileSync, readdirSync, existsSync, statSync, lstatSync: statSync, accessSync, realpathSync,
      openSync, readSync, closeSync, fstatSync, createReadStream, read,
      open: cbify(openSync), close: cbify(closeSync), fstat: cbify(fstatSync),
      readFile: cbify(readFileSync), readdir: cbify(readdirSync), stat: cbify(statSync), lstat: cbify(statSync), access: cbify(accessSync), realpath: cbify(realpathSync),
      exists: (p, cb) => G.process.nextTick(cb, existsSync(p)),
      promises: { readFile: pify(readFileSync), readdir: pify(readdirSync), stat: pify(statSync), lstat: pify(statSync), access: pify(accessSync), realpath: pify(realpathSync), constants: { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 } },
    };
    for (const n of ['writeFileSync', 'appendFileSync', 'mkdirSync', 'rmSync', 'rmdirSync', 'unlinkSync', 'renameSync', 'copyFileSync', 'symlinkSync', 'chmodSync', 'createWriteStream', 'watch', 'watchFile', 'mkdtempSync', 'writeFile', 'appendFile', 'mkdir', 'rm', 'unlink', 'rename', 'mkdtemp', 'copyFile', 'utimesSync', 'cpSync', 'writeSync', 'write']) fs[n] = denied(n);
    for (const n of ['writeFile', 'appendFile', 'mkdir', 'rm', 'rmdir', 'unlink', 'rename', 'open', 'mkdtemp', 'copyFile', 'cp', 'opendir']) fs.promises[n] = denied('promises.' + n);
    return fs;
  }

  // ---- CommonJS ----
  // The host's registry: key -> { kind: 'cjs'|'json'|'esm', file (path under ROOT), source?,
  // requires: { specifier: key | { error, unsupported } }, mayRegister }.
  let registry = objectCreate(null);
  const modules = new Map(); // key -> module record
  const namespaces = new Map(); // ESM key -> namespace (require(esm))
  const requireCache = objectCreate(null);
  function Module(id, parent) { this.id = id; this.path = id.slice(0, id.lastIndexOf('/')) || '/'; this.exports = {}; this.filename = id; this.loaded = false; this.children = []; this.paths = []; this.parent = parent; }
  // ---- jest.mock(spec, factory): the factory's value in place of the module, for every require() of it ----
  const mockFactories = new Map(); // module key -> factory
  const mockValues = new Map(); // module key -> what its factory returned
  /** The key a specifier names from the test file (the host resolved jest.mock's literal specifiers with its requires). */
  function mockKey(spec) {
    const self = registry['pkg:' + config.file];
    const target = self === undefined ? undefined : self.requires[spec];
    if (typeof target === 'string') return target;
    if (target !== undefined && target !== null) { const e = new ErrorCtor(target.error); e.code = 'MODULE_NOT_FOUND'; throw e; }
    throw unsupported(`jest.mock('${spec}'): only a literal specifier required from the test file can be mocked in the gopkgr sandbox`);
  }
  function mockModule(spec, factory) {
    const k = mockKey(spec);
    if (typeof factory !== 'function') throw unsupported(`jest.mock('${spec}') without a factory (an automatic mock) is not available in the gopkgr sandbox`);
    mockFactories.set(k, factory);
    mockValues.delete(k);
  }
  function mocked(k) {
    if (!mockValues.has(k)) mockValues.set(k, ReflectApply(mockFactories.get(k), undefined, []));
    return mockValues.get(k);
  }
  function requireActual(spec) {
    const k = mockKey(spec);
    return k.startsWith('builtin:') ? requireBuiltin(k.slice(8), registry['pkg:' + config.file]) : load(k, null, true);
  }
  function load(key, parent, actual = false) {
    if (!actual && mockFactories.has(key)) return mocked(key);
    const entry = registry[key];
    if (entry === undefined) throw new ErrorCtor(`Cannot find module '${key}'`);
    // require.cache decides, as in Node: a module deleted from it loads afresh, one put there is returned
    const cached = requireCache[entry.file];
    if (cached !== undefined && cached !== null && (entry.kind === 'cjs' || entry.kind === 'json')) return cached.exports;
    const have = modules.get(key);
    if (have !== undefined && (entry.kind === 'esm' || have !== cached)) { if (entry.kind === 'esm') return have.exports; modules.delete(key); }
    if (entry.kind === 'esm') {
      if (!namespaces.has(key)) { const e = new ErrorCtor(`require() of ES Module ${entry.file} is not available here`); e.code = 'ERR_REQUIRE_ESM'; throw e; }
      return namespaces.get(key);
    }
    const module = new Module(entry.file, parent ?? null);
    modules.set(key, module);
    requireCache[entry.file] = module;
    if (parent) parent.children.push(module);
    try {
      if (entry.kind === 'json') {
        try { module.exports = JSONParse(entry.source); } catch (e) { e.message = entry.file + ': ' + e.message; throw e; }
      } else {
        const dirname = entry.file.slice(0, entry.file.lastIndexOf('/'));
        const wrapper = indirectEval('(function (exports, require, module, __filename, __dirname) {' + entry.source + '\n})\n//# sourceURL=file://' + entry.file);
        ReflectApply(wrapper, module.exports, [module.exports, makeRequire(key, entry, module), module, entry.file, dirname]);
      }
      module.loaded = true;
    } catch (e) {
      modules.delete(key);
      delete requireCache[entry.file];
      throw e;
    }
    return module.exports;
  }
  function makeRequire(key, entry, module) {
    const req = function require(spec) {
      if (typeof spec !== 'string') { const e = new TypeErrorCtor('The "id" argument must be of type string'); e.code = 'ERR_INVALID_ARG_TYPE'; throw e; }
      const target = entry.requires[spec];
      if (typeof target === 'string') {
        if (mockFactories.has(target)) return mocked(target);
        if (target.startsWith('builtin:')) return requireBuiltin(target.slice(8), entry);
        return load(target, module);
      }
      if (target !== undefined && target !== null) {
        if (target.unsupported) throw unsupported(target.error);
        const e = new ErrorCtor(target.error);
        e.code = 'MODULE_NOT_FOUND';
        throw e;
      }
      const computed = requireComputed(spec, entry, module);
      if (computed !== NOT_FOUND) return computed;
      const e = new ErrorCtor(`Cannot find module '${spec}' from ${entry.file}: the sandbox resolves only require() calls with a literal specifier`);
      e.code = 'MODULE_NOT_FOUND';
      throw e;
    };
    req.resolve = (spec) => { const t = entry.requires[spec]; if (typeof t === 'string') return t.startsWith('builtin:') ? t.slice(8) : registry[t].file; const e = new ErrorCtor(`Cannot find module '${spec}'`); e.code = 'MODULE_NOT_FOUND'; throw e; };
    req.cache = requireCache;
    req.main = undefined;
    return req;
  }
  const NOT_FOUND = {};
  /**
   * require() of a path the host could not see (a computed specifier, such as
   * `require(path.join(dir, 'package.json'))`): a module the host prepared
   * for this file under that path, or a JSON file of the package (when the
   * file reads the package, so its files are here); a JavaScript file of the
   * package the host did not prepare is unsupported, not missing.
   */
  function requireComputed(spec, entry, module) {
    if (!spec.startsWith('/') && !spec.startsWith('./') && !spec.startsWith('../')) return NOT_FOUND;
    const abs = builtin('path').resolve(entry.file.slice(0, entry.file.lastIndexOf('/')), spec);
    const candidates = [abs, abs + '.js', abs + '.json', abs + '/index.js', abs + '/index.json'];
    for (const c of candidates) {
      for (const k of objectKeys(registry)) if (registry[k].file === c) return load(k, module);
    }
    if (pkgFiles === null || !abs.startsWith(ROOT + '/')) return NOT_FOUND;
    for (const c of candidates) {
      const text = pkgFiles.get(c.slice(ROOT.length + 1));
      if (text === undefined) continue;
      if (!c.endsWith('.json')) throw unsupported(`require('${spec}') from ${entry.file}: a module required by a computed path is not available in the gopkgr sandbox`);
      if (requireCache[c] !== undefined) return requireCache[c].exports;
      const m = new Module(c, module);
      try { m.exports = JSONParse(text); } catch (e) { e.message = c + ': ' + e.message; throw e; }
      m.loaded = true;
      requireCache[c] = m;
      return m.exports;
    }
    return NOT_FOUND;
  }
  function requireBuiltin(name, entry) {
    const bare = name.replace(/^node:/, '');
    // node:test and node:assert: fresh copies, as for ES importers (tester/shims.ts)
    if (bare === 'test') return shim.makeTest(entry.mayRegister ? null : entry.file.slice(ROOT.length + 1), entry.file.slice(ROOT.length + 1)).test;
    if (bare === 'assert') return shim.makeAssert();
    if (bare === 'assert/strict') return shim.makeAssert().strict;
    if (bare === 'vitest' || bare === '@jest/globals') return makeVitest(entry.mayRegister ? null : entry.file.slice(ROOT.length + 1));
    return builtin(bare);
  }
  // ---- node:test's MockTracker (mock.fn, mock.method, getters/setters, mock.timers) ----
  function makeMockTracker() {
    const restorers = [];
    const mockState = new WeakMap();
    function MockFunctionContext(state) { this._s = state; }
    const MFC = MockFunctionContext.prototype;
    defineProperty(MFC, 'calls', { get() { return this._s.calls.slice(); } });
    MFC.callCount = function () { return this._s.calls.length; };
    MFC.mockImplementation = function (fn) { this._s.impl = fn; };
    MFC.mockImplementationOnce = function (fn, onCall) { this._s.once.set(onCall === undefined ? this._s.calls.length : onCall, fn); };
    MFC.resetCalls = function () { this._s.calls.length = 0; };
    MFC.restore = function () { this._s.restore(); };
    function makeMock(original, implementation, options, restore) {
      const state = { calls: [], impl: implementation, once: new Map(), times: options && options.times, restore: restore || (() => { state.impl = original; }) };
      const ctx = new MockFunctionContext(state);
      const mock = function (...args) {
        const n = state.calls.length;
        let impl = state.impl;
        if (state.once.has(n)) { impl = state.once.get(n); state.once.delete(n); }
        else if (state.times !== undefined && n >= state.times) impl = original;
        const call = { arguments: args, error: undefined, result: undefined, stack: new ErrorCtor(), target: new.target, this: this };
        state.calls.push(call);
        try {
          call.result = new.target ? Reflect.construct(impl, args, new.target) : ReflectApply(impl, this, args);
          return call.result;
        } catch (e) {
          call.error = e;
          throw e;
        }
      };
      defineProperty(mock, 'mock', { value: ctx, enumerable: false });
      defineProperty(mock, 'name', { value: original && original.name ? original.name : 'mock' });
      defineProperty(mock, 'length', { value: original ? original.length : 0 });
      mockState.set(mock, state);
      return mock;
    }
    const noop = function () {};
    const tracker = {
      fn(original = noop, implementation = original, options) {
        if (implementation !== null && typeof implementation === 'object') { options = implementation; implementation = original; }
        return makeMock(original, implementation, options);
      },
      method(object, methodName, implementation, options) {
        if (implementation !== null && typeof implementation === 'object' && typeof implementation !== 'function') { options = implementation; implementation = undefined; }
        const getter = !!(options && options.getter), setter = !!(options && options.setter);
        let owner = object, desc;
        while (owner !== null && (desc = Object.getOwnPropertyDescriptor(owner, methodName)) === undefined) owner = getPrototypeOf(owner);
        if (desc === undefined) throw new TypeErrorCtor(`The argument 'methodName' must be a method. Received ${String(methodName)}`);
        const original = getter ? desc.get : setter ? desc.set : desc.value;
        if (typeof original !== 'function') throw new TypeErrorCtor(`The argument 'methodName' must be a method. Received ${String(methodName)}`);
        const own = Object.getOwnPropertyDescriptor(object, methodName);
        const restore = () => { if (own) defineProperty(object, methodName, own); else delete object[methodName]; };
        const mock = makeMock(original, implementation === undefined ? original : implementation, options, restore);
        const d = { configurable: true, enumerable: desc.enumerable };
        if (getter) { d.get = mock; d.set = desc.set; } else if (setter) { d.set = mock; d.get = desc.get; } else { d.value = mock; d.writable = true; }
        defineProperty(object, methodName, d);
        restorers.push(restore);
        return mock;
      },
      getter(object, methodName, implementation, options) { return tracker.method(object, methodName, implementation, { ...options, getter: true }); },
      setter(object, methodName, implementation, options) { return tracker.method(object, methodName, implementation, { ...options, setter: true }); },
      reset() { tracker.restoreAll(); tracker.timers.reset(); },
      restoreAll() { while (restorers.length) restorers.pop()(); },
      timers: makeMockTimers(),
    };
    return tracker;
  }
  /** mock.timers: its own clock, moved only by tick()/runAll()/setTime(), on top of the sandbox's virtual time. */
  function makeMockTimers() {
    let saved = null;
    let clock = 0;
    let seq = 0;
    let queue = [];
    const fire = (t) => { if (t.interval) { t.at += t.ms; queue.push(t); } ReflectApply(t.fn, undefined, t.args); };
    const due = (limit) => {
      queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const t = queue[0];
      if (t === undefined || t.at > limit) return null;
      queue.shift();
      return t;
    };
    const api = {
      enable(options = {}) {
        if (saved !== null) throw new ErrorCtor('MockTimers is already enabled!');
        const apis = options.apis ?? ['setInterval', 'setTimeout', 'setImmediate', 'Date'];
        clock = typeof options.now === 'number' ? options.now : options.now instanceof Date ? options.now.getTime() : 0;
        saved = { __proto__: null };
        const add = (fn, ms, args, interval) => { const t = { id: ++seq, fn, ms: Math.max(1, Number(ms) || 1), at: 0, args, interval }; t.at = clock + t.ms; queue.push(t); return { id: t.id, ref() { return this; }, unref() { return this; }, hasRef: () => true, refresh() { t.at = clock + t.ms; return this; }, [Symbol.toPrimitive]: () => t.id }; };
        const clear = (h) => { const id = h !== null && typeof h === 'object' ? h.id : Number(h); queue = queue.filter((t) => t.id !== id); };
        const swap = (name, value) => { saved[name] = G[name]; G[name] = value; };
        if (apis.includes('setTimeout')) { swap('setTimeout', (fn, ms, ...a) => add(fn, ms, a, false)); swap('clearTimeout', clear); }
        if (apis.includes('setInterval')) { swap('setInterval', (fn, ms, ...a) => add(fn, ms, a, true)); swap('clearInterval', clear); }
        if (apis.includes('setImmediate')) { swap('setImmediate', (fn, ...a) => add(fn, 0, a, false)); swap('clearImmediate', clear); }
        if (apis.includes('Date')) {
          const RealDate = G.Date;
          const MockDate = function Date(...a) { if (!new.target) return new RealDate(clock).toString(); return a.length === 0 ? Reflect.construct(RealDate, [clock], new.target) : Reflect.construct(RealDate, a, new.target); };
          MockDate.prototype = RealDate.prototype;
          MockDate.now = () => clock;
          MockDate.parse = RealDate.parse;
          MockDate.UTC = RealDate.UTC;
          swap('Date', MockDate);
        }
      },
      tick(ms = 1) {
        if (saved === null) throw new ErrorCtor('You should enable MockTimers first by calling the .enable function');
        const target = clock + ms;
        for (let t = due(target); t !== null; t = due(target)) { clock = Math.max(clock, t.at); fire(t); }
        clock = target;
      },
      runAll() { for (let i = 0, t = due(Infinity); t !== null && i < 100000; i++, t = due(Infinity)) { clock = Math.max(clock, t.at); fire(t); } },
      setTime(ms) { clock = ms; },
      reset() { if (saved !== null) { for (const k of objectKeys(saved)) G[k] = saved[k]; } saved = null; queue = []; },
      [Symbol.dispose]() { api.reset(); },
    };
    return api;
  }
  shim.makeMockTracker = makeMockTracker;
  shim.makeAbortController = () => new AbortController();
  shim.cjs = (key) => load(key, null);
  shim.builtin = (name) => builtin(name);
  shim.setNamespace = (key, ns) => {
    namespaces.set(key, ns);
    const w = importWaiters.get(key);
    if (w !== undefined) { importWaiters.delete(key); for (const x of w) x.resolve(ns); }
  };
  // import() of an ES module only import() reaches: the host evaluates it when the call asks (as Node evaluates it then, not before the file)
  const importWaiters = new Map(); // key -> [{ resolve, reject }]
  let importsAsked = [];
  shim.hasImports = () => importsAsked.length > 0;
  function importLazy(key) {
    return new Promise((resolve, reject) => {
      const w = importWaiters.get(key);
      if (w !== undefined) return void w.push({ resolve, reject });
      importWaiters.set(key, [{ resolve, reject }]);
      importsAsked.push(key);
    });
  }
  /** What import() gives for a CommonJS module or a built-in: its exports as `default`, and its own keys. */
  function namespaceOf(exp) {
    const ns = objectCreate(null);
    if (exp !== null && (typeof exp === 'object' || typeof exp === 'function')) for (const k of objectKeys(exp)) if (k !== 'default') ns[k] = exp[k];
    ns.default = exp;
    defineProperty(ns, Symbol.toStringTag, { value: 'Module' });
    return freeze(ns);
  }
  function importKey(key) {
    const entry = registry[key];
    if (entry === undefined) throw new ErrorCtor(`Cannot find module '${key}'`);
    if (entry.kind === 'esm' && entry.lazy && !namespaces.has(key)) return importLazy(key);
    return entry.kind === 'esm' ? load(key, null) : namespaceOf(load(key, null));
  }
  // import('literal'), rewritten by the host (tester/sandbox/dynamicImport.ts) to name the module key it resolved
  defineProperty(G, '__gopkgr_import', {
    value: function __gopkgr_import(key) {
      return new Promise((resolve) => resolve(importKey(key)));
    },
    writable: false, enumerable: false, configurable: false,
  });
  /**
   * Any other import() (a computed specifier, a built-in, a literal the host
   * could not resolve), resolved here as it runs: a built-in the sandbox gives;
   * a file the host prepared for this test file (as a literal import() of it
   * would load it); a file that does not exist rejects as in Node; anything
   * else (a bare package name, a file the host did not prepare) is unsupported.
   */
  defineProperty(G, '__gopkgr_import_dynamic', {
    value: function __gopkgr_import_dynamic(importer, specifier) {
      return new Promise((resolve) => {
        const spec = String(specifier);
        const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
        if (spec.startsWith('node:') || BUILTINS[bare] !== undefined || UNSUPPORTED[bare.split('/')[0]] !== undefined) {
          let entry;
          for (const k of objectKeys(registry)) if (registry[k].file === importer) entry = registry[k];
          return resolve(namespaceOf(requireBuiltin(bare, entry ?? { mayRegister: false, file: importer })));
        }
        const path = spec.startsWith('file://') ? decodeURIComponent(spec.slice(7)) : spec;
        if (!path.startsWith('/') && !path.startsWith('./') && !path.startsWith('../')) {
          throw unsupported(`import('${spec}') from ${importer}: a package imported by a computed specifier is not available in the gopkgr sandbox`);
        }
        const abs = builtin('path').resolve(importer.slice(0, importer.lastIndexOf('/')), path);
        for (const k of objectKeys(registry)) if (registry[k].file === abs) return resolve(importKey(k));
        if (pkgFiles !== null && abs.startsWith(ROOT + '/') && !pkgFiles.has(abs.slice(ROOT.length + 1))) {
          const e = new ErrorCtor(`Cannot find module '${abs}' imported from ${importer}`);
          e.code = 'ERR_MODULE_NOT_FOUND';
          throw e;
        }
        throw unsupported(`import('${spec}') from ${importer}: a module the sandbox did not prepare for this file (a computed specifier) is not available in the gopkgr sandbox`);
      });
    },
    writable: false, enumerable: false, configurable: false,
  });

  // jest puts its API on the global object (describe, it, expect, jest, ...)
  if (config.runner === 'jest') shim.installJestGlobals();

  return {
    __proto__: null,
    /** The CommonJS registry and the package's readable files, as JSON text. */
    defineModules(text, filesText) {
      registry = JSONParse(text);
      if (typeof filesText === 'string') pkgFiles = new Map(JSONParse(filesText));
    },
    /** The modules import() calls wait for, as JSON text; each is asked for once. */
    takeImports() {
      const keys = importsAsked;
      importsAsked = [];
      return JSONStringify(keys);
    },
    /** The module `key` threw while it was evaluated: its import() calls reject with that. */
    importFailed(key, message) {
      const w = importWaiters.get(key);
      if (w === undefined) return;
      importWaiters.delete(key);
      const e = new ErrorCtor(StringCtor(message));
      for (const x of w) x.reject(e);
    },
    /** A built-in's named exports (own enumerable keys), for its ES facade; '' when it is not available. */
    exportNames(name) {
      try {
        const m = builtin(name);
        return JSON.stringify(objectKeys(m).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default'));
      } catch {
        return '';
      }
    },
  };
});
