"""Loopback peers for the hammer: ws/wss echo servers with fault paths and a ledger, a silent TCP peer and a
port whose connects are never answered."""

from .blackhole import BlackholePeer
from .echo import EchoServer
from .faults import FaultPathError, FaultPlan, parse_fault_path
from .ledger import ConnectionRecord, Ledger, LedgerSnapshot, Rejected
from .silent import SilentServer

__all__ = [
    "BlackholePeer",
    "ConnectionRecord",
    "EchoServer",
    "FaultPathError",
    "FaultPlan",
    "Ledger",
    "LedgerSnapshot",
    "Rejected",
    "SilentServer",
    "parse_fault_path",
]
