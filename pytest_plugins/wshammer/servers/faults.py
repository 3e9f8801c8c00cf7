"""Parse a server request path into a fault plan (docs/hammer-protocol.md, "Server paths"). Pure.

A bad path or parameter raises FaultPathError with a message the server returns as an HTTP 400 body, so a
typo in a test shows as a clear handshake failure instead of a silent echo.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from ..message import HEADER_LEN

MALFORMED_KINDS = (
    "reserved_bits", "bad_opcode", "long_control", "unmasked_len", "masked",
    "stray_continuation", "data_in_fragment", "fragmented_control",
)
HANDSHAKE_KINDS = ("status_500", "bad_accept", "no_upgrade")

# path -> {parameter: default}; None marks a required parameter.
_PATHS: dict[str, dict[str, int | str | None]] = {
    "echo": {"sockbuf": 0},
    "sink": {},
    "stream": {"size": 1024, "interval_ms": 100},
    "close": {"after": 1, "code": 1000},
    "reset": {"after": 1},
    "stall": {"after": 1},
    "malformed": {"after": 1, "kind": None},
    "handshake": {"kind": None},
    "slowframe": {"size": 4096, "chunk": 64, "interval_ms": 10},
}
_CHOICES = {"malformed": MALFORMED_KINDS, "handshake": HANDSHAKE_KINDS}
# Bounds keep a typo from asking for a gigabyte frame or a busy loop.
_RANGES = {
    "after": (0, 10_000_000),
    "code": (1000, 4999),
    "size": (HEADER_LEN, 16 * 1024 * 1024),
    "interval_ms": (1, 600_000),
    "chunk": (1, 1024 * 1024),
    "sockbuf": (0, 16 * 1024 * 1024),
}


class FaultPathError(ValueError):
    pass


@dataclass(frozen=True)
class FaultPlan:
    kind: str  # the path's name: echo, sink, stream, close, reset, stall, malformed, handshake, slowframe
    after: int = 0
    code: int = 1000
    size: int = 0
    interval_ms: int = 0
    chunk: int = 0
    variant: str = ""  # the ``kind=`` parameter of malformed/handshake
    sockbuf: int = 0  # /echo: the connection's kernel send and receive buffers in bytes (0: the kernel's own)

    @property
    def echoes(self) -> bool:
        return self.kind not in ("sink", "handshake")

    @property
    def fires_after_messages(self) -> bool:
        """Faults triggered by a message count (the rest act at connect time or never)."""
        return self.kind in ("close", "reset", "stall", "malformed")


def _int_param(name: str, raw: str) -> int:
    try:
        value = int(raw, 10)
    except ValueError:
        raise FaultPathError(f"parameter {name}={raw!r} is not an integer") from None
    low, high = _RANGES[name]
    if not low <= value <= high:
        raise FaultPathError(f"parameter {name}={value} outside {low}..{high}")
    return value


def parse_fault_path(path: str) -> FaultPlan:
    """``/stall?after=3`` -> FaultPlan(kind='stall', after=3)."""
    parts = urlsplit(path)
    name = parts.path.strip("/")
    if name not in _PATHS:
        raise FaultPathError(f"unknown path {parts.path!r}; known: {', '.join('/' + p for p in _PATHS)}")
    spec = _PATHS[name]
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as exc:
        raise FaultPathError(f"bad query {parts.query!r}: {exc}") from None
    given = dict(pairs)
    if len(given) != len(pairs):
        raise FaultPathError(f"repeated parameter in {parts.query!r}")
    unknown = sorted(set(given) - set(spec))
    if unknown:
        raise FaultPathError(f"/{name} takes no parameter {', '.join(unknown)}; it takes: {', '.join(spec) or 'none'}")

    fields: dict[str, int | str] = {}
    for key, default in spec.items():
        if key not in given:
            if default is None:
                raise FaultPathError(f"/{name} needs {key}=")
            fields[key] = default
        elif key == "kind":
            if given[key] not in _CHOICES[name]:
                raise FaultPathError(f"/{name} kind={given[key]!r} unknown; one of {', '.join(_CHOICES[name])}")
            fields[key] = given[key]
        else:
            fields[key] = _int_param(key, given[key])
    variant = fields.pop("kind", "")
    return FaultPlan(kind=name, variant=str(variant), **fields)  # type: ignore[arg-type]
