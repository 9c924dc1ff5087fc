/**
 * Decoding fuzz: random and mutated byte strings (bit flips, truncations,
 * insertions, splices of valid tx and block encodings, CBOR-ish prefixes, and
 * valid CBOR of wrongly shaped values) fed to decode, decodeTx and decodeBlock
 * never throw anything but a GopkgrError with a decode code; what they accept
 * re-encodes to the exact input bytes, and they accept and refuse exactly what
 * the re-encoding check (decode, then encode and compare) accepts and refuses,
 * with the same codes. Then mutated blocks fed to
 * Chain.importBlock only ever fail with coded errors and never move the head or
 * the state. Deterministic: a fixed seed drives every choice (printed on start).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode as cborEncode, rfc8949EncodeOptions } from 'cborg';
import {
  bigIntToBytes32, buildRewardTx, bytesEqual, concatBytes, decode, decodeTx, encode, encodeTx, fromHex, GopkgrError,
  manifestHash, toHex, DEV_PARAMS, MAX_BLOCK_BYTES, MAX_TX_BYTES, type Canonical, type DecodedBlock, type RewardTx, type SignedTx,
  type Tx,
} from '../../ledger/index.ts';
import { defaultHooks } from '../../node/index.ts';
import { decodeBlock, encodeBlock, encodeHeader, NONCE_BYTES, powSealCodec, type PowBlock } from '../../consensus/pow/index.ts';
import { arrayHead, decodeUnchecked } from '../../ledger/encoding.ts';
import { decodeCanonical } from '../../ledger/canonicalDecoder.ts';
import { readHeader } from '../../ledger/block.ts';
import { readTx } from '../../ledger/tx.ts';
import { extend, hashOf, idBytes, keyPair, mineBlock, openChain, publishBody, signed, stateDump, type TestChain } from '../support/chain.ts';
import { closeAll } from '../support/cleanup.ts';
import { expectConsistent, rotateTx } from '../support/chainChecks.ts';
import { prng, type Prng } from '../support/prng.ts';

const SEED = Number(process.env.GOPKGR_FUZZ_SEED ?? 0x6f70_6b72);
console.log(`fuzz seed ${SEED} (set GOPKGR_FUZZ_SEED to change it)`);

const DECODE_CODES = new Set(['DECODE_ERROR']);
const TX_CODES = new Set(['DECODE_ERROR', 'TX_MALFORMED', 'TX_TOO_LARGE']);
const BLOCK_CODES = new Set(['DECODE_ERROR', 'BLOCK_MALFORMED', 'BLOCK_TOO_LARGE', 'TX_MALFORMED']);

const alice = keyPair('fuzz/alice');
const bob = keyPair('fuzz/bob');
const chainId = fromHex('00'.repeat(31) + '01');

// ---------------------------------------------------------------- the valid corpus

function validTxs(): Tx[] {
  const pkg = hashOf('pkg');
  const manifest: Canonical = { exports: [{ name: 'pad', kind: 'function', hash: new Uint8Array(32).fill(7) }], v: 1 };
  const reward: RewardTx = { v: 1, type: 'reward', height: 12, outputs: [{ to: alice.publicKey, amount: 50 }, { to: bob.publicKey, amount: 100 }] };
  const txs: Tx[] = [
    reward,
    signed(alice, 'claim', { ns: '@acme' }, 0, chainId),
    signed(alice, 'maintainer', { ns: '@acme', op: 'add', who: bob.publicKey }, 1, chainId),
    signed(alice, 'maintainer', { ns: '@acme', op: 'remove', who: bob.publicKey }, 2, chainId),
    signed(alice, 'create', { ns: '@acme', name: 'left-pad' }, 3, chainId),
    signed(alice, 'publish', publishBody(pkg, '1.0.0'), 4, chainId),
    signed(alice, 'publish', publishBody(pkg, '1.1.0', {
      apiHash: manifestHash(manifest), manifest, deps: { '@acme/util': '^2.0.0', '@other/x': '~1.2.3 || >=3' },
      lock: { '@acme/util@2.1.0': hashOf('u'), '@other/x@1.2.9': hashOf('x') },
      repo: 'https://example.com/acme/left-pad.git', commit: 'a'.repeat(40), build: 'npm run build',
    }), 5, chainId),
    signed(alice, 'deprecate', { pkg, version: '1.0.0', deprecated: true }, 6, chainId),
    signed(alice, 'deprecate', { pkg, version: '1.0.0', deprecated: true, reason: 'use 1.1.0 ✓' }, 7, chainId),
    signed(alice, 'bounds', { pkg, version: '1.1.0', deps: { '@acme/util': '^2.1.0' } }, 8, chainId),
    rotateTx(alice, bob, 9, chainId),
    signed(bob, 'attest', {
      pkg, version: '1.1.0', contentHash: hashOf('c'), lockHash: hashOf('l'), passed: 12, failed: 1, skipped: 0, resultHash: hashOf('r'), runtimeMs: 345,
    }, 0, chainId),
  ];
  return txs;
}

function blockOf(txs: Tx[], height: number, r: Prng): Uint8Array {
  return encodeBlock({
    header: { v: 1, height, parent: r.bytes(32), txRoot: r.bytes(32), time: DEV_PARAMS.genesisTime + height * 1000, seal: { kind: 'pow', target: bigIntToBytes32(BigInt('0x' + DEV_PARAMS.powLimit)), nonce: r.bytes(NONCE_BYTES) } },
    txs,
  });
}

// ---------------------------------------------------------------- mutations

const CBOR_HEADS = [0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x38, 0x3b, 0x40, 0x58, 0x5b, 0x5f, 0x60, 0x78, 0x7b, 0x7f,
  0x80, 0x98, 0x9b, 0x9f, 0xa0, 0xb8, 0xbb, 0xbf, 0xc0, 0xc2, 0xd8, 0xd9, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xff];


/** One random byte-level mutation of `input` (`other` for splices). */
function mutateBytes(r: Prng, input: Uint8Array, other: Uint8Array): Uint8Array {
  const b = new Uint8Array(input);
  const at = (): number => r.int(Math.max(1, b.length));
  switch (r.int(12)) {
    case 0: { // flip 1-4 bits
      for (let i = r.int(4); i >= 0 && b.length > 0; i--) b[at()]! ^= 1 << r.int(8);
      return b;
    }
    case 1: { // set a random byte
      if (b.length > 0) b[at()] = r.int(256);
      return b;
    }
    case 2: // truncate
      return b.slice(0, r.int(b.length + 1));
    case 3: // append junk
      return concatBytes(b, r.bytes(1 + r.int(16)));
    case 4: { // insert junk
      const i = r.int(b.length + 1);
      return concatBytes(b.slice(0, i), r.bytes(1 + r.int(8)), b.slice(i));
    }
    case 5: { // delete a range
      const i = r.int(b.length + 1);
      return concatBytes(b.slice(0, i), b.slice(Math.min(b.length, i + 1 + r.int(8))));
    }
    case 6: { // splice with another valid encoding
      return concatBytes(b.slice(0, r.int(b.length + 1)), other.slice(r.int(other.length + 1)));
    }
    case 7: { // duplicate a range
      const i = r.int(b.length + 1);
      const j = Math.min(b.length, i + 1 + r.int(16));
      return concatBytes(b.slice(0, j), b.slice(i, j), b.slice(j));
    }
    case 8: { // a CBOR head byte somewhere
      if (b.length > 0) b[at()] = r.pick(CBOR_HEADS);
      return b;
    }
    case 9: { // nudge a byte by one (length fields, small ints)
      if (b.length > 0) {
        const i = at();
        b[i] = (b[i]! + (r.int(2) === 0 ? 1 : 255)) & 0xff;
      }
      return b;
    }
    case 10: // CBOR-ish prefix before the input
      return concatBytes(new Uint8Array([r.pick(CBOR_HEADS)]), r.bytes(r.int(9)), b);
    default: // a short CBOR-ish string from scratch
      return concatBytes(new Uint8Array([r.pick(CBOR_HEADS)]), r.bytes(r.int(40)));
  }
}

const KEYS = ['v', 'type', 'from', 'nonce', 'stamp', 'body', 'sig', 'ns', 'name', 'op', 'who', 'pkg', 'version', 'contentHash', 'size', 'apiHash',
  'manifest', 'deps', 'lock', 'repo', 'commit', 'build', 'deprecated', 'reason', 'to', 'proof', 'height', 'outputs', 'amount', 'lockHash', 'passed',
  'failed', 'skipped', 'resultHash', 'runtimeMs', 'toString', 'valueOf', '__proto__', 'constructor', 'hasOwnProperty', '', '@acme/util', '@acme/util@2.1.0'];
const STRINGS = ['claim', 'maintainer', 'create', 'publish', 'deprecate', 'bounds', 'rotate', 'attest', 'reward', 'add', 'remove', '@acme', '@acme/util',
  'left-pad', '1.0.0', '01.0.0', '1.0.0-beta', '^1.0.0', 'not a range', '@acme/util@2.1.0', '', 'a'.repeat(41), 'x'.repeat(300), '\u0000', '😀', 'a'.repeat(40)];
const INTS = [0, 1, 2, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -24, -25, -(2 ** 32), Number.MIN_SAFE_INTEGER];

function randomValue(r: Prng, depth = 0): Canonical {
  switch (r.int(depth > 3 ? 6 : 8)) {
    case 0: return r.pick([null, true, false]);
    case 1: return r.pick(INTS);
    case 2: return r.int(3) === 0 ? new TextDecoder().decode(r.bytes(r.int(12))) : r.pick(STRINGS);
    case 3: return r.bytes(r.pick([0, 1, 8, 31, 32, 33, 63, 64, 65, r.int(100)]));
    case 4: return r.pick([alice.publicKey, bob.publicKey, new Uint8Array(33).fill(2)]);
    case 5: return r.pick(INTS) === 0 ? 0 : r.int(1_000_000);
    case 6: return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, Canonical> = {};
      for (let i = r.int(6); i > 0; i--) Object.defineProperty(o, r.pick(KEYS), { value: randomValue(r, depth + 1), enumerable: true, writable: true, configurable: true });
      return o;
    }
  }
}

type Container = Canonical[] | { [key: string]: Canonical };

function containers(v: Canonical, out: Container[] = []): Container[] {
  if (Array.isArray(v)) {
    out.push(v);
    v.forEach((x) => containers(x, out));
  } else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    out.push(v);
    Object.values(v).forEach((x) => containers(x, out));
  }
  return out;
}

/** Re-encode a valid value after changing one field somewhere inside it (replace, delete or add). */
function mutateValue(r: Prng, bytes: Uint8Array): Uint8Array {
  const value = decode(bytes);
  const all = containers(value);
  const c = r.pick(all);
  if (Array.isArray(c)) {
    const i = r.int(c.length + 1);
    const op = r.int(3);
    if (op === 0 || i === c.length) c.splice(i, 0, randomValue(r));
    else if (op === 1) c.splice(i, 1);
    else c[i] = randomValue(r);
  } else {
    const keys = Object.keys(c);
    const op = r.int(3);
    if (op === 0 || keys.length === 0) Object.defineProperty(c, r.pick(KEYS), { value: randomValue(r), enumerable: true, writable: true, configurable: true });
    else if (op === 1) delete c[r.pick(keys)];
    else Object.defineProperty(c, r.pick(keys), { value: randomValue(r), enumerable: true, writable: true, configurable: true });
  }
  return encode(value);
}

// ---------------------------------------------------------------- checks

const counts = new Map<string, number>();
function count(what: string): void {
  counts.set(what, (counts.get(what) ?? 0) + 1);
}

/** The code of the GopkgrError `fn` throws ("none" if it returns, the error's text if it is not coded). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (err) {
    return err instanceof GopkgrError ? err.code : `uncoded ${String(err)}`;
  }
}

/** Run `fn`; it either returns, or throws a GopkgrError whose code is in `codes`. */
function expectCoded<T>(what: string, input: Uint8Array, codes: ReadonlySet<string>, fn: () => T): T | undefined {
  try {
    const out = fn();
    count(`${what}:ok`);
    return out;
  } catch (err) {
    if (!(err instanceof GopkgrError) || !codes.has(err.code)) {
      throw new Error(`${what} threw ${err instanceof GopkgrError ? `code ${err.code}` : String(err)} for input ${toHex(input).slice(0, 400)}`, { cause: err });
    }
    count(`${what}:${err.code}`);
    return undefined;
  }
}

/**
 * The oracle for canonical form: strict decoding, then encoding the decoded
 * value (or, for a block, its header and txs as read) again and comparing the
 * bytes. What decode and decodeBlock answer must be what this answers.
 */
function reencodedCode(input: Uint8Array): string {
  return codeOf(() => {
    const value = decodeUnchecked(input);
    if (!bytesEqual(cborEncode(value, rfc8949EncodeOptions), input)) throw new GopkgrError('DECODE_ERROR', 'not canonical');
  });
}

function reencodedBlockCode(input: Uint8Array): string {
  return codeOf(() => {
    if (input.length > MAX_BLOCK_BYTES) throw new GopkgrError('BLOCK_TOO_LARGE', 'too large');
    const value = decodeUnchecked(input);
    if (!Array.isArray(value) || value.length !== 2) throw new GopkgrError('BLOCK_MALFORMED', 'shape');
    const header = readHeader(value[0] as Canonical, powSealCodec);
    const raw = value[1];
    if (!Array.isArray(raw)) throw new GopkgrError('BLOCK_MALFORMED', 'txs');
    if (raw.length > 5_000) throw new GopkgrError('BLOCK_TOO_LARGE', 'txs');
    const txs = raw.map((t) => encodeTx(readTx(t)));
    if (!bytesEqual(concatBytes(arrayHead(2), encodeHeader(header), arrayHead(txs.length), ...txs), input)) throw new GopkgrError('DECODE_ERROR', 'not canonical');
  });
}

function checkAll(input: Uint8Array): void {
  const expected = reencodedCode(input);
  expect(codeOf(() => decode(input)), toHex(input).slice(0, 400)).toBe(expected);
  // The canonical decoder alone (what decode and decodeBlock try first, and what reads the node's own records).
  expect(codeOf(() => decodeCanonical(input)), toHex(input).slice(0, 400)).toBe(expected === 'none' ? 'none' : 'DECODE_ERROR');
  if (expected === 'none') expect(decodeCanonical(input), toHex(input)).toEqual(decodeUnchecked(input));
  expect(codeOf(() => decodeBlock(input)), toHex(input).slice(0, 400)).toBe(reencodedBlockCode(input));
  const value = expectCoded('decode', input, DECODE_CODES, () => decode(input));
  if (value !== undefined) expect(bytesEqual(encode(value), input)).toBe(true);
  const tx = expectCoded('decodeTx', input, TX_CODES, () => decodeTx(input));
  if (tx !== undefined) expect(toHex(encodeTx(tx))).toBe(toHex(input));
  const block = expectCoded('decodeBlock', input, BLOCK_CODES, () => decodeBlock(input));
  if (block !== undefined) {
    expect(toHex(encodeBlock(block))).toBe(toHex(input));
    block.txs.forEach((t, i) => expect(bytesEqual(block.txBytes[i]!, encodeTx(t))).toBe(true));
  }
}

describe('decoding fuzz', () => {
  const r = prng(SEED);
  const txs = validTxs();
  const txBytes = txs.map(encodeTx);
  const blocks = [blockOf(txs, 12, r), blockOf(txs.slice(0, 3), 1, r), blockOf([txs[0]!], 2, r), blockOf(txs.slice(5, 8), 3, r)];
  const corpus = [...txBytes, ...blocks];

  it('accepts the valid corpus and round-trips it exactly', () => {
    for (const bytes of txBytes) {
      const tx = decodeTx(bytes);
      expect(encodeTx(tx)).toEqual(bytes);
      expect(encode(decode(bytes))).toEqual(bytes);
    }
    for (const bytes of blocks) {
      const block = decodeBlock(bytes);
      expect(encodeBlock(block)).toEqual(bytes);
      expect(block.txBytes.length).toBe(block.txs.length);
    }
  });

  it('never throws anything but coded decode errors on 6,000 byte-level mutations', () => {
    counts.clear();
    for (let i = 0; i < 6_000; i++) {
      const base = r.int(2) === 0 ? r.pick(txBytes) : r.pick(blocks);
      let input = mutateBytes(r, base, r.pick(corpus));
      // Stack a few mutations now and then.
      for (let k = r.int(4) === 0 ? r.int(3) : 0; k > 0; k--) input = mutateBytes(r, input, r.pick(corpus));
      checkAll(input);
    }
    // The mutations reach every layer: CBOR, shape checks of txs and blocks.
    for (const key of ['decode:DECODE_ERROR', 'decodeTx:DECODE_ERROR', 'decodeBlock:DECODE_ERROR', 'decodeTx:TX_MALFORMED', 'decodeBlock:BLOCK_MALFORMED']) {
      expect(counts.get(key) ?? 0, key).toBeGreaterThan(0);
    }
  });

  it('never throws anything but coded errors on 2,500 wrongly shaped values that are valid CBOR', () => {
    counts.clear();
    for (let i = 0; i < 2_500; i++) {
      const input = r.int(4) === 0 ? encode(randomValue(r)) : mutateValue(r, r.pick(corpus));
      checkAll(input);
    }
    expect(counts.get('decodeTx:TX_MALFORMED') ?? 0).toBeGreaterThan(500);
    expect(counts.get('decodeBlock:TX_MALFORMED') ?? 0).toBeGreaterThan(50);
    // Some mutations keep a valid shape (a changed nonce, a new manifest): those round-trip above.
    expect(counts.get('decodeTx:ok') ?? 0).toBeGreaterThan(20);
    expect(counts.get('decodeBlock:ok') ?? 0).toBeGreaterThan(20);
  });

  it('rejects oversized and prototype-poking inputs with their codes', () => {
    const bigTx = encode({ v: 1, type: 'claim', pad: new Uint8Array(MAX_TX_BYTES) });
    expect(codeOf(() => decodeTx(bigTx))).toBe('TX_TOO_LARGE');
    expect(codeOf(() => decodeBlock(new Uint8Array(MAX_BLOCK_BYTES + 1)))).toBe('BLOCK_TOO_LARGE');
    expect(codeOf(() => decode(new Uint8Array(4 * 1024 * 1024 + 1)))).toBe('DECODE_ERROR');
    expect(codeOf(() => decode(new Uint8Array(0)))).toBe('DECODE_ERROR');
    // A tx type that cannot be turned into a string must not escape as a TypeError.
    for (const type of [{ toString: 1 }, [{ valueOf: 2, toString: 3 }], { constructor: 'x' }] as Canonical[]) {
      const tx = encode({ v: 1, type, from: alice.publicKey });
      const block = encode([[1, 1, new Uint8Array(32), new Uint8Array(32), 0, new Uint8Array(32), new Uint8Array(8)], [{ v: 1, type }]]);
      expect(codeOf(() => decodeTx(tx))).toBe('TX_MALFORMED');
      expect(codeOf(() => decodeBlock(block))).toBe('TX_MALFORMED');
      checkAll(tx);
      checkAll(block);
    }
    // A "__proto__" map key stays plain data: it never changes an object's prototype.
    const proto = new Uint8Array([0xa1, 0x69, ...new TextEncoder().encode('__proto__'), 0xa1, 0x61, 0x76, 0x01]);
    const v = decode(proto) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(v.v).toBeUndefined();
    expect(codeOf(() => decodeTx(proto))).toBe('TX_MALFORMED');
  });

  it('refuses valid CBOR that is not in canonical form (map order, long integer forms)', () => {
    const sorter = rfc8949EncodeOptions.mapSorter!;
    let reordered = 0;
    for (const bytes of corpus) {
      const other = cborEncode(decode(bytes), { ...rfc8949EncodeOptions, mapSorter: (a, b) => -sorter(a, b) });
      if (bytesEqual(other, bytes)) continue;
      reordered++;
      expect(codeOf(() => decode(other))).toBe('DECODE_ERROR');
      // Each decoder refuses the form of what it decodes; the other one its shape.
      const isBlock = blocks.includes(bytes);
      expect(codeOf(() => decodeTx(other))).toBe('DECODE_ERROR');
      expect(codeOf(() => decodeBlock(other))).toBe(isBlock ? 'DECODE_ERROR' : 'BLOCK_MALFORMED');
      checkAll(other);
    }
    expect(reordered).toBeGreaterThan(10);
    // A block whose header height 12 is written in two bytes (0x18 0x0c) instead of one.
    const block = blocks[0]!;
    expect(Array.from(block.subarray(0, 4))).toEqual([0x82, 0x87, 0x01, 0x0c]);
    const long = concatBytes(block.subarray(0, 3), Uint8Array.of(0x18, 0x0c), block.subarray(4));
    expect(codeOf(() => decodeBlock(long))).toBe('DECODE_ERROR');
    expect(codeOf(() => decode(long))).toBe('DECODE_ERROR');
  });

  it('answers as re-encoding does on text a decoder might repair: byte-order marks, invalid, overlong and surrogate UTF-8', () => {
    const text = (bytes: number[]): Uint8Array => concatBytes(bytes.length < 24 ? Uint8Array.of(0x60 + bytes.length) : Uint8Array.of(0x78, bytes.length), Uint8Array.from(bytes));
    const ascii = (n: number): number[] => Array.from({ length: n }, () => 0x61);
    const strange = [[0xef, 0xbb, 0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xe2, 0x82], [0xf0, 0x9f, 0x98, 0x80], [0xc3, 0xa9]];
    let accepted = 0;
    for (const odd of strange) {
      for (const [before, after] of [[0, 0], [0, 100], [100, 0], [30, 30]] as const) {
        const bytes = [...ascii(before), ...odd, ...ascii(after)];
        // As a value, as a map key, and as a key beside another.
        const inputs = [text(bytes), concatBytes(Uint8Array.of(0xa1), text(bytes), Uint8Array.of(0x01)), concatBytes(Uint8Array.of(0xa2, 0x61, 0x61, 0x00), text(bytes), Uint8Array.of(0x01))];
        for (const input of inputs) {
          checkAll(input);
          if (reencodedCode(input) === 'none') accepted++;
        }
      }
    }
    // Valid UTF-8 (the emoji, é) is accepted, at the start of text and after ASCII.
    expect(accepted).toBeGreaterThan(10);
  });

  it('random byte strings of every length up to 64 decode to coded errors (1,000 inputs)', () => {
    for (let i = 0; i < 1_000; i++) checkAll(r.bytes(i % 65));
  });
});

// ---------------------------------------------------------------- import fuzz

describe('importing mutated blocks', () => {
  let t: TestChain;
  let sibling: PowBlock;
  let badChild: PowBlock;
  let goodChild: DecodedBlock;
  let goodTxs: SignedTx[];

  beforeAll(async () => {
    t = await openChain(undefined, { hooks: defaultHooks });
    const id = t.chain.chainId;
    const create = signed(alice, 'create', { ns: '@acme', name: 'lib' }, 1, id);
    await extend(t.chain, [signed(alice, 'claim', { ns: '@acme' }, 0, id)]);
    const parentOfHead = t.chain.head.id;
    await extend(t.chain, [create, signed(alice, 'publish', publishBody(idBytes(create), '1.0.0'), 2, id)]);
    // A valid rival of the head (equal work: at best stored as a side block).
    sibling = mineBlock(t.chain, [signed(bob, 'claim', { ns: '@acme' }, 0, id), signed(bob, 'claim', { ns: '@bob' }, 1, id)], { parent: parentOfHead });
    // A child of the head whose tx breaks a state rule (nonce gap), so no mutation of it can be valid.
    badChild = mineBlock(t.chain, [signed(bob, 'claim', { ns: '@bob' }, 5, id), signed(alice, 'deprecate', { pkg: idBytes(create), version: '1.0.0', deprecated: true }, 3, id)]);
    // A valid child of the head, never imported as is: its deliberately broken variants are.
    goodTxs = [signed(alice, 'claim', { ns: '@more' }, 3, id), signed(bob, 'claim', { ns: '@bob' }, 0, id)];
    goodChild = mineBlock(t.chain, goodTxs);
  });

  afterAll(closeAll);

  it('only coded errors come out of 400 mutated blocks, and the head and state never move', async () => {
    const r = prng(SEED ^ 0x1b10c);
    const head = t.chain.head.id;
    const state = stateDump(await t.chain.readState());
    const codes = new Map<string, number>();
    const statuses = new Map<string, number>();
    const tryImport = async (bytes: Uint8Array): Promise<void> => {
      try {
        const res = await t.chain.importBlock(bytes);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(['side', 'duplicate']).toContain(res.status);
      } catch (err) {
        if (!(err instanceof GopkgrError)) throw new Error(`importBlock threw ${String(err)} for ${toHex(bytes).slice(0, 300)}`, { cause: err });
        expect(err.code).toMatch(/^[A-Z][A-Z_]+$/);
        // BLOCK_INVALID is the fallback for a non-coded failure inside the state rules.
        expect(err.code).not.toBe('BLOCK_INVALID');
        expect(err.code).not.toBe('INTERNAL');
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
      }
      expect(t.chain.head.id).toBe(head);
    };

    // 300 byte-level mutations of the rival and of the invalid child.
    for (let i = 0; i < 300; i++) {
      const base = r.int(2) === 0 ? sibling.bytes : badChild.bytes;
      await tryImport(mutateBytes(r, base, r.pick([sibling.bytes, badChild.bytes, goodChild.bytes])));
    }
    // Their nonces moved: re-sealed variants get past proof of work into the deeper checks.
    for (let i = 0; i < 50; i++) {
      const base = r.int(2) === 0 ? sibling : badChild;
      const nonce = r.bytes(NONCE_BYTES);
      const parent = toHex(base.header.parent);
      const again = mineBlock(t.chain, base.txs.slice(1) as SignedTx[], { parent, time: base.header.time + r.int(3) });
      await tryImport(r.int(2) === 0 ? again.bytes : encodeBlock({ header: { ...base.header, seal: { ...base.header.seal, nonce } }, txs: base.txs }));
    }

    // 100 structured breakages of the valid child, each re-sealed with a proper proof of work.
    const id = t.chain.chainId;
    const reward = goodChild.txs[0] as RewardTx;
    // Each variant gets its own time, so no two are the same block (a block once found invalid is refused as known).
    let vt = 0;
    const variants: Array<[string, () => DecodedBlock]> = [
      ['TX_BAD_SIGNATURE', () => {
        const tx = { ...goodTxs[0]!, sig: new Uint8Array(goodTxs[0]!.sig) };
        tx.sig[r.int(64)]! ^= 1 << r.int(8);
        return mineBlock(t.chain, [tx, goodTxs[1]!], { time: vt });
      }],
      ['TX_BAD_STAMP|TX_BAD_SIGNATURE', () => mineBlock(t.chain, [{ ...goodTxs[0]!, nonce: 4 + r.int(100) } as SignedTx], { time: vt })],
      ['TX_BAD_NONCE', () => mineBlock(t.chain, [signed(alice, 'claim', { ns: '@gap' }, 4 + r.int(10), id)], { time: vt })],
      ['TX_NAME_TAKEN', () => mineBlock(t.chain, [signed(bob, 'claim', { ns: '@acme' }, 0, id)], { time: vt })],
      ['BLOCK_BAD_REWARD', () => mineBlock(t.chain, goodTxs, { time: vt, reward: { ...reward, outputs: [{ ...reward.outputs[0]!, amount: reward.outputs[0]!.amount + 1 + r.int(10) }] } })],
      ['BLOCK_BAD_REWARD', () => mineBlock(t.chain, goodTxs, { time: vt, reward: buildRewardTx(goodChild.header.height + 1 + r.int(5), alice.publicKey, goodTxs, t.chain.params) })],
      ['BLOCK_BAD_REWARD', () => mineBlock(t.chain, goodTxs, { time: vt, reward: null })],
      ['BLOCK_BAD_REWARD', () => mineBlock(t.chain, [], { time: vt, allTxs: [reward, goodTxs[0]!, { ...reward, height: reward.height + 1 }] })],
      ['BLOCK_DUPLICATE_TX', () => mineBlock(t.chain, [], { time: vt, allTxs: [reward, goodTxs[0]!, goodTxs[0]!] })],
      ['BLOCK_BAD_HEIGHT', () => mineBlock(t.chain, goodTxs, { time: vt, header: { height: goodChild.header.height + 1 + r.int(3) } })],
      ['BLOCK_BAD_TARGET', () => mineBlock(t.chain, goodTxs, { time: vt, header: { target: bigIntToBytes32(BigInt('0x' + DEV_PARAMS.powLimit) * 2n + BigInt(r.int(1000))) } })],
      ['BLOCK_TIME_TOO_OLD', () => mineBlock(t.chain, goodTxs, { time: t.chain.medianTimeAfter(t.chain.head.id) - r.int(5) })],
      ['BLOCK_TIME_TOO_NEW', () => mineBlock(t.chain, goodTxs, { time: Date.now() + 3 * 3600 * 1000 + r.int(1000) })],
      ['BLOCK_BAD_TX_ROOT', () => mineBlock(t.chain, goodTxs, { time: vt, header: { txRoot: r.bytes(32) } })],
      ['BLOCK_PARENT_UNKNOWN', () => mineBlock(t.chain, goodTxs, { time: vt, header: { parent: r.bytes(32) } })],
      ['BLOCK_BAD_POW', () => mineBlock(t.chain, goodTxs, { time: vt, badPow: true })],
    ];
    for (let i = 0; i < 100; i++) {
      const [expected, make] = variants[i % variants.length]!;
      vt = t.chain.head.time + 1000 + i;
      const block = make();
      const seen = new Map(codes);
      await tryImport(block.bytes);
      const got = [...codes.entries()].find(([code, n]) => n !== (seen.get(code) ?? 0))?.[0];
      expect(expected.split('|'), `variant ${i}`).toContain(got);
    }

    expect(t.chain.head.id).toBe(head);
    expect(stateDump(await t.chain.readState())).toEqual(state);
    await expectConsistent(t.chain, t.store);
    // The fuzz reached the deep checks, not just the decoder.
    for (const code of ['DECODE_ERROR', 'BLOCK_BAD_POW', 'BLOCK_BAD_TX_ROOT', 'TX_BAD_NONCE', 'BLOCK_BAD_TARGET']) expect(codes.get(code) ?? 0, code).toBeGreaterThan(0);
    // The untouched good child is still accepted afterwards: nothing was poisoned.
    expect((await t.chain.importBlock(goodChild.bytes)).status).toBe('connected');
    await expectConsistent(t.chain, t.store);
  });
});
