"""The audit chain's hashing rules, with no Django imports.

Each entry's hash is SHA-256 over the previous entry's hash and the canonical JSON of
the entry (sorted keys, no whitespace, UTF-8). The first entry's previous hash is
GENESIS. Changing, inserting or deleting any entry breaks the link after it.
"""

import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical(entry: dict) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link_hash(prev_hash: str, entry: dict) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(entry)).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    entry_id: int | None
    problem: str

    def __str__(self):
        where = f"entry #{self.seq}" + (f" (id {self.entry_id})" if self.entry_id else "")
        return f"{where}: {self.problem}"


def verify(rows, head_seq: int, head_hash: str) -> Break | None:
    """Walk (seq, id, prev_hash, hash, entry-dict) rows in seq order; return the first break.

    ``head_seq``/``head_hash`` are the chain head's record of the last entry, which is how
    a deleted tail is noticed.
    """
    expected_seq = 1
    prev = GENESIS
    for seq, entry_id, prev_hash, stored_hash, entry in rows:
        if seq != expected_seq:
            if seq > expected_seq:
                return Break(expected_seq, None, f"missing (deleted); next entry is #{seq}")
            return Break(seq, entry_id, "duplicate sequence number (inserted)")
        if seq > head_seq:
            return Break(seq, entry_id, f"beyond the chain head #{head_seq} (inserted)")
        if prev_hash != prev:
            return Break(seq, entry_id, "previous-hash link does not match (inserted or reordered)")
        if link_hash(prev_hash, entry) != stored_hash:
            return Break(seq, entry_id, "content does not match its hash (edited)")
        prev = stored_hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if last_seq != head_seq:
        if last_seq < head_seq:
            return Break(last_seq + 1, None, f"missing (deleted); chain head records #{head_seq}")
        return Break(head_seq + 1, None, "entries after the recorded chain head (inserted)")
    if prev != head_hash:
        return Break(last_seq, None, "last entry does not match the chain head")
    return None
