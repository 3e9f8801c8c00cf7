"""The hammer message format (docs/hammer-protocol.md): pure build/parse/verify functions.

A message is a 28-byte ASCII header ``W<task:2><seq:8><len:8><crc:8>:`` (lowercase or uppercase hex; built
lowercase) followed by a payload of ASCII letters and digits. ``len`` counts the whole message, ``crc`` is the
CRC-32 (zlib / IEEE 802.3) of the payload. Shared by the servers, the verdicts and the tests; no I/O here.
"""

from __future__ import annotations

import string
import zlib
from dataclasses import dataclass

HEADER_LEN = 28
# Task id the servers use for the messages they push by themselves (/stream, /slowframe), so the app can tell
# them from echoes of its own messages.
PUSH_TASK = 0xFF
MAX_TASK = 0xFF
MAX_SEQ = 0xFFFFFFFF

_ALPHABET = (string.ascii_letters + string.digits).encode("ascii")
_HEX = frozenset(b"0123456789abcdefABCDEF")


class MessageError(ValueError):
    """A message that does not follow the format; ``kind`` is ``header``, ``length`` or ``crc``."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__(f"{kind}: {text}")
        self.kind = kind


@dataclass(frozen=True)
class Header:
    task: int
    seq: int
    length: int
    crc: int


def crc32(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def payload(seed: int, task: int, seq: int, size: int) -> bytes:
    """Deterministic letters and digits for (seed, task, seq); a 32-bit xorshift keeps it cheap and portable."""
    state = (seed * 0x9E3779B1 ^ task * 0x85EBCA77 ^ seq * 0xC2B2AE3D ^ 0x27D4EB2F) & 0xFFFFFFFF or 1
    out = bytearray(size)
    for i in range(size):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        out[i] = _ALPHABET[state % len(_ALPHABET)]
    return bytes(out)


def build_header(task: int, seq: int, length: int, crc: int) -> bytes:
    if not 0 <= task <= MAX_TASK:
        raise ValueError(f"task {task} out of range 0..{MAX_TASK}")
    if not 0 <= seq <= MAX_SEQ:
        raise ValueError(f"seq {seq} out of range 0..{MAX_SEQ}")
    if not HEADER_LEN <= length <= 0xFFFFFFFF:
        raise ValueError(f"length {length} out of range {HEADER_LEN}..{0xFFFFFFFF}")
    return f"W{task:02x}{seq:08x}{length:08x}{crc & 0xFFFFFFFF:08x}:".encode("ascii")


def build(task: int, seq: int, length: int, seed: int = 1) -> bytes:
    """A whole message of ``length`` bytes (header included); ``length`` is raised to the header size."""
    length = max(length, HEADER_LEN)
    body = payload(seed, task, seq, length - HEADER_LEN)
    return build_header(task, seq, length, crc32(body)) + body


def _hex_field(raw: bytes, name: str) -> int:
    if not raw or any(b not in _HEX for b in raw):
        raise MessageError("header", f"{name} field {raw!r} is not hex")
    return int(raw, 16)


def parse_header(data: bytes) -> Header:
    """The header fields of ``data`` (only the first 28 bytes are looked at)."""
    if len(data) < HEADER_LEN:
        raise MessageError("header", f"message of {len(data)} bytes is shorter than the {HEADER_LEN}-byte header")
    if data[0:1] != b"W" or data[27:28] != b":":
        raise MessageError("header", f"bad framing characters in {bytes(data[:HEADER_LEN])!r}")
    return Header(
        task=_hex_field(data[1:3], "task"),
        seq=_hex_field(data[3:11], "seq"),
        length=_hex_field(data[11:19], "len"),
        crc=_hex_field(data[19:27], "crc"),
    )


def verify(data: bytes | str) -> Header:
    """Parse and check length and CRC; raises MessageError naming what is wrong."""
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else bytes(data)
    header = parse_header(raw)
    if header.length != len(raw):
        raise MessageError("length", f"header says {header.length} bytes, message has {len(raw)}")
    actual = crc32(raw[HEADER_LEN:])
    if actual != header.crc:
        raise MessageError("crc", f"task {header.task} seq {header.seq}: crc {actual:08x} != header {header.crc:08x}")
    return header
