/** Proof of work's arithmetic: what a target demands and whether an id meets it. */

/** Expected number of hashes to find a block at this target: 2^256 / (target + 1). */
export function workOf(target: bigint): bigint {
  return (1n << 256n) / (target + 1n);
}

/** The id, read as a 256-bit big-endian number, is at most the target (both 32 bytes). */
export function meetsTarget(id: Uint8Array, target: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    if (id[i]! < target[i]!) return true;
    if (id[i]! > target[i]!) return false;
  }
  return true;
}
