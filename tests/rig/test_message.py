"""The hammer message format and the fault-path parser (pure functions)."""

from __future__ import annotations

import zlib

import pytest

from wshammer.message import HEADER_LEN, MessageError, build, build_header, parse_header, payload, verify
from wshammer.servers import FaultPathError, parse_fault_path
from wshammer.servers.frames import frame, frame_header, malformed_frame


def test_build_matches_the_documented_layout():
    msg = build(0x1F, 0x1234, 60, seed=7)
    assert len(msg) == 60 and msg[:1] == b"W" and msg[27:28] == b":"
    assert msg[1:3] == b"1f" and msg[3:11] == b"00001234" and msg[11:19] == b"0000003c"
    assert int(msg[19:27], 16) == zlib.crc32(msg[28:])
    assert msg[28:].isalnum()


def test_payload_is_a_function_of_seed_task_and_seq():
    assert payload(1, 2, 3, 50) == payload(1, 2, 3, 50)
    assert len({payload(s, t, q, 32) for s, t, q in [(1, 2, 3), (2, 2, 3), (1, 3, 3), (1, 2, 4)]}) == 4


def test_verify_accepts_uppercase_hex_and_text():
    msg = build(3, 9, 40)
    upper = msg[:HEADER_LEN].upper() + msg[HEADER_LEN:]
    assert verify(upper).seq == 9
    assert verify(msg.decode()).task == 3


@pytest.mark.parametrize(
    "data,kind",
    [
        (b"W00", "header"),
        (b"X" + build(1, 1, 40)[1:], "header"),
        (build(1, 1, 40)[:27] + b";" + build(1, 1, 40)[28:], "header"),
        (b"W0g" + build(1, 1, 40)[3:], "header"),
        (build(1, 1, 40) + b"x", "length"),
        (build(1, 1, 40)[:-1] + b"!", "crc"),
    ],
)
def test_verify_names_what_is_wrong(data, kind):
    with pytest.raises(MessageError) as info:
        verify(data)
    assert info.value.kind == kind


def test_build_refuses_fields_that_do_not_fit():
    with pytest.raises(ValueError):
        build_header(256, 0, 28, 0)
    with pytest.raises(ValueError):
        build_header(0, 1 << 32, 28, 0)
    assert len(build(0, 0, 3)) == HEADER_LEN  # raised to the header size, as the app does
    assert parse_header(build(0, 0, 3)).length == HEADER_LEN


@pytest.mark.parametrize(
    "path,expected",
    [
        ("/echo", ("echo", 0, 1000, "")),
        ("/close", ("close", 1, 1000, "")),
        ("/close?after=5&code=4001", ("close", 5, 4001, "")),
        ("/reset?after=0", ("reset", 0, 1000, "")),
        ("/malformed?kind=masked", ("malformed", 1, 1000, "masked")),
        ("/handshake?kind=no_upgrade", ("handshake", 0, 1000, "no_upgrade")),
    ],
)
def test_fault_paths(path, expected):
    plan = parse_fault_path(path)
    assert (plan.kind, plan.after, plan.code, plan.variant) == expected


def test_echo_takes_a_socket_buffer_size():
    assert parse_fault_path("/echo").sockbuf == 0
    assert parse_fault_path("/echo?sockbuf=8192").sockbuf == 8192
    with pytest.raises(FaultPathError, match="/close takes no parameter sockbuf"):
        parse_fault_path("/close?sockbuf=8192")


@pytest.mark.parametrize(
    "path,needle",
    [
        ("/nope", "unknown path '/nope'"),
        ("/close?after=-1", "after=-1 outside"),
        ("/close?code=999", "code=999 outside"),
        ("/reset?after=1&after=2", "repeated parameter"),
        ("/sink?after=1", "/sink takes no parameter after"),
        ("/handshake", "/handshake needs kind="),
        ("/malformed?kind=odd", "kind='odd' unknown"),
        ("/stream?size=abc", "size='abc' is not an integer"),
        ("/stream?size", "bad query"),
    ],
)
def test_bad_fault_paths(path, needle):
    with pytest.raises(FaultPathError) as info:
        parse_fault_path(path)
    assert needle in str(info.value)


def test_frame_encoding_lengths_and_malformed_kinds():
    assert frame_header(0x2, 125) == b"\x82\x7d"
    assert frame_header(0x2, 126) == b"\x82\x7e\x00\x7e"
    assert frame_header(0x2, 70000)[:2] == b"\x82\x7f" and len(frame_header(0x2, 70000)) == 10
    masked = frame(0x1, b"abcd", mask=b"\x01\x02\x03\x04")
    assert masked[1] & 0x80 and masked[6:] == bytes([0x60, 0x60, 0x60, 0x60])
    assert malformed_frame("reserved_bits")[0] & 0x70 == 0x70
    assert malformed_frame("bad_opcode")[0] & 0x0F == 0x3
    assert malformed_frame("unmasked_len")[2] & 0x80
    assert malformed_frame("stray_continuation")[0] == 0x80  # FIN, opcode 0
    interleaved = malformed_frame("data_in_fragment")
    assert interleaved[0] == 0x01 and interleaved[2 + 5] == 0x82  # TEXT without FIN, then a whole BINARY
    assert malformed_frame("fragmented_control")[0] == 0x09
    with pytest.raises(ValueError):
        malformed_frame("other")
