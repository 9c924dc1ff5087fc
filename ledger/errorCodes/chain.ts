/** Codes of the chain (block import, fork choice, consensus checks), the mempool and the full node. */
import type { ErrorCodeInfo } from './types.ts';

export const CHAIN_CODES = {
  // Block headers and import.
  BLOCK_BAD_POW: { status: 400, blame: 'sender', summary: 'a block id does not meet its target' },
  BLOCK_BAD_TARGET: { status: 400, blame: 'sender', summary: 'a block carries a target other than the retarget gives' },
  BLOCK_BAD_HEIGHT: { status: 400, blame: 'sender', summary: 'a block height does not follow its parent\'s' },
  BLOCK_BAD_TX_ROOT: { status: 400, blame: 'sender', summary: 'a block\'s tx root does not match its txs' },
  BLOCK_DUPLICATE_TX: { status: 400, blame: 'sender', summary: 'a block holds one tx twice' },
  BLOCK_TIME_TOO_OLD: { status: 400, blame: 'sender', summary: 'a block time is not after the median time of its ancestors' },
  BLOCK_TIME_FAR_FUTURE: { status: 400, blame: 'sender', summary: 'a block time further ahead than any honest clock' },
  BLOCK_TIME_TOO_NEW: { status: 400, blame: 'none', summary: 'a block time more than 2 hours ahead of this node\'s clock (it may be our clock)' },
  BLOCK_PARENT_UNKNOWN: { status: 400, blame: 'none', summary: 'a block\'s parent is not known here yet' },
  BLOCK_ORPHAN_CHEAP: { status: 400, blame: 'none', summary: 'an orphan with a fraction of the work of a block here (not chased)' },
  BLOCK_PARENT_INVALID: { status: 400, blame: 'sender', summary: 'a block builds on a block found invalid' },
  BLOCK_KNOWN_INVALID: { status: 400, blame: 'sender', summary: 'a block already found invalid' },
  BLOCK_INVALID: { status: 400, blame: 'sender', summary: 'a block whose txs do not apply' },
  // Authority seals and slots (consensus/authority/).
  BLOCK_SIGNER_UNKNOWN: { status: 400, blame: 'sender', summary: 'a block signed by a key that is not one of the chain\'s authorities' },
  BLOCK_OUT_OF_TURN: { status: 400, blame: 'sender', summary: 'a block signed by an authority whose slot it is not' },
  BLOCK_BAD_SEAL_SIGNATURE: { status: 400, blame: 'sender', summary: 'a block whose authority signature does not verify' },
  BLOCK_SLOT_NOT_AFTER_PARENT: { status: 400, blame: 'sender', summary: 'a block whose slot is not after its parent\'s' },
  BLOCK_TIME_NOT_IN_SLOT: { status: 400, blame: 'sender', summary: 'a block whose time lies outside its slot' },
  BLOCK_SLOT_IN_FUTURE: { status: 400, blame: 'none', summary: 'a block for a slot that has not begun by this node\'s clock (it may be our clock)' },
  // Blame none: the peer that relays an equivocator's block may have seen it first (and the other never).
  BLOCK_EQUIVOCATION: { status: 400, blame: 'none', summary: 'a second block signed by one authority for one slot (kept as evidence)' },
  BLOCK_SIGNER_EQUIVOCATED: { status: 400, blame: 'none', summary: 'a block by an authority this node holds equivocation evidence against' },
  // Anchors of private blocks in the public chain (consensus/authority/anchor.ts, node/anchors.ts).
  BLOCK_ANCHOR_BACKWARDS: { status: 400, blame: 'sender', summary: 'a block anchors at a public block behind its parent\'s anchor' },
  BLOCK_ANCHOR_NO_PARENT: { status: 400, blame: 'sender', summary: 'a block of a chain forked beside no public chain names a public anchor' },
  // Blame none: the anchor may be a public block our replica has not reached yet; the block is held back, not judged.
  BLOCK_ANCHOR_PENDING: { status: 400, blame: 'none', summary: 'a block anchors at a public block this node\'s replica does not hold yet (held back)' },
  BLOCK_ANCHOR_NOT_ON_PARENT: { status: 400, blame: 'sender', summary: 'a block anchors at a public block the public chain replaced (anchorDepth deep)' },
  ANCHOR_UNAVAILABLE: { status: 503, blame: 'none', summary: 'this private node\'s replica of the public chain cannot give an anchor yet' },
  EVIDENCE_INVALID: { status: 400, blame: 'sender', summary: 'two headers that do not prove an equivocation' },
  WORK_NOT_SERVED: { status: 400, blame: 'none', summary: 'an authority chain has no proof-of-work terms to serve' },
  // The consensus (consensus/): which kind runs, and what it reads of the chain.
  CONSENSUS_KIND_UNSUPPORTED: { status: 400, blame: 'none', summary: 'the genesis names a consensus kind this build does not run' },
  CONSENSUS_KIND_MISMATCH: { status: 500, blame: 'none', summary: 'a consensus was handed terms of another kind (a bug here)' },
  CHAIN_INDEX_CORRUPT: { status: 500, blame: 'none', summary: 'a block index entry lacks what the consensus keeps in it' },
  // Mempool and tx admission.
  MEMPOOL_FULL: { status: 503, blame: 'none', summary: 'the mempool is full' },
  MEMPOOL_SENDER_LIMIT: { status: 429, blame: 'none', summary: 'the sender already has the most pending txs a pool holds per sender' },
  TX_ALREADY_PENDING: { status: 409, blame: 'none', summary: 'the tx is already pending' },
  TX_BLOB_MISSING: { status: 400, blame: 'none', summary: 'the tarball of a publish is not on this node' },
  TX_MANIFEST_INVALID: { status: 400, blame: 'sender', summary: 'the API manifest of a publish is invalid' },
  // Chain files (`gopkgr chain export|import`, node/chainFile/).
  CHAIN_FILE_NOT_EXPORT: { status: 400, blame: 'sender', summary: 'a file that is not a gopkgr chain file' },
  CHAIN_FILE_TRUNCATED: { status: 400, blame: 'sender', summary: 'a chain file that ends before its checksum' },
  CHAIN_FILE_CHECKSUM: { status: 400, blame: 'sender', summary: 'a chain file whose bytes do not match its checksum' },
  CHAIN_FILE_CORRUPT: { status: 400, blame: 'sender', summary: 'a chain file whose frames, header, counts or block order are wrong' },
  CHAIN_FILE_WRONG_CHAIN: { status: 400, blame: 'none', summary: 'a chain file of a chain this node does not keep' },
  CHAIN_FILE_GAP: { status: 409, blame: 'none', summary: 'a chain file whose first block builds on a block this node does not have' },
  CHAIN_FILE_BLOB_UNNAMED: { status: 400, blame: 'sender', summary: 'a chain file with a tarball no block before it names' },
  CHAIN_EXPORT_RANGE: { status: 400, blame: 'none', summary: 'an export range outside the node\'s main chain' },
  CHAIN_EXPORT_MOVED: { status: 409, blame: 'none', summary: 'the node\'s main chain changed under an export (a reorg)' },
  // The node's chain files.
  GENESIS_NOT_FOUND: { status: 400, blame: 'none', summary: 'the genesis file cannot be read' },
} as const satisfies Record<string, ErrorCodeInfo>;
