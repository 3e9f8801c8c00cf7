"""Raw RFC 6455 frame bytes for the faults that bypass the websockets library (malformed frames, a stalled
half header, a frame pushed in slow chunks). Pure; server-to-client frames are unmasked unless asked.
"""

from __future__ import annotations

import struct

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def frame_header(opcode: int, length: int, *, fin: bool = True, rsv: int = 0, mask: bytes | None = None) -> bytes:
    first = (0x80 if fin else 0) | ((rsv & 0x7) << 4) | (opcode & 0xF)
    mask_bit = 0x80 if mask is not None else 0
    if length < 126:
        head = struct.pack("!BB", first, mask_bit | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, length)
    return head + (mask or b"")


def frame(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0, mask: bytes | None = None) -> bytes:
    body = payload if mask is None else bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return frame_header(opcode, len(payload), fin=fin, rsv=rsv, mask=mask) + body


def malformed_frame(kind: str) -> bytes:
    """One frame a conforming client must refuse (protocol error 1002)."""
    if kind == "reserved_bits":  # RSV1-3 set without a negotiated extension
        return frame(OP_BINARY, b"rsv", rsv=0x7)
    if kind == "bad_opcode":  # 0x3 is a reserved data opcode
        return frame(0x3, b"op3")
    if kind == "long_control":  # control frames carry at most 125 bytes
        return frame(OP_PING, b"p" * 126)
    if kind == "unmasked_len":  # 64-bit length with the most significant bit set
        return struct.pack("!BBQ", 0x80 | OP_BINARY, 127, 1 << 63)
    if kind == "masked":  # a server must never mask
        return frame(OP_BINARY, b"masked", mask=b"\x01\x02\x03\x04")
    if kind == "stray_continuation":  # a continuation with no fragmented message in progress
        return frame(OP_CONT, b"stray")
    if kind == "data_in_fragment":  # a new data frame before the fragmented message's last frame
        return frame(OP_TEXT, b"first", fin=False) + frame(OP_BINARY, b"second")
    if kind == "fragmented_control":  # control frames must not be fragmented
        return frame(OP_PING, b"ping", fin=False)
    raise ValueError(f"unknown malformed frame kind {kind!r}")


def half_header() -> bytes:
    """The first byte of a binary frame's 2-byte header: a reader waiting for the rest never gets it."""
    return bytes([0x80 | OP_BINARY])


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]
