"""ci/decode_panic.py on ESP-IDF panic texts (Xtensa and RISC-V formats) against a tiny ELF built here.

ESP-IDF's toolchains are not on this machine, so the ELF is i386 code linked at the chips' flash-text
addresses (0x400d0000 on esp32, 0x42000000 on esp32c3) and decoded with the host's addr2line. The
decoder only sees text and an ELF: the same code path runs with xtensa-esp-elf-/riscv32-esp-elf- in CI.
The panic texts are ESP-IDF's output format with the code addresses left as {symbol+offset} slots,
filled in from the ELF's symbol table, since the addresses depend on the compiler that built it.
"""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import decode_panic

DATA = Path(__file__).parent / 'data'
SLOT = re.compile(r'\{(\w+)\+(\d+)\}')


def build_elf(directory: Path, text_address: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    obj, elf = directory / 'panic_app.o', directory / 'panic_app.elf'
    subprocess.run(['gcc', '-m32', '-g', '-O0', '-ffreestanding', '-fno-pic', '-c', str(DATA / 'panic_app.c'),
                    '-o', str(obj)], check=True)
    subprocess.run(['ld', '-m', 'elf_i386', '-e', 'app_main', f'-Ttext=0x{text_address:x}', '-o', str(elf), str(obj)],
                   check=True)
    return elf


def symbols(elf: Path) -> dict[str, int]:
    out = subprocess.run(['nm', str(elf)], check=True, capture_output=True, text=True).stdout
    return {name: int(addr, 16) for addr, kind, name in (line.split() for line in out.splitlines()) if kind == 'T'}


def recorded_panic(name: str, elf: Path, tmp_path: Path) -> Path:
    table = symbols(elf)
    text = SLOT.sub(lambda m: f'0x{table[m.group(1)] + int(m.group(2)):08x}', (DATA / name).read_text())
    log = tmp_path / name
    log.write_text(text)
    return log


@pytest.mark.parametrize('panic_text, text_address', [
    ('panic_esp32.txt', 0x400D0000),    # Xtensa: PC register, Backtrace with a ROM frame
    ('panic_esp32c3.txt', 0x42000000),  # RISC-V: assert, MEPC/RA registers, eh_frame Backtrace, reboot
], ids=['esp32', 'esp32c3'])
def test_backtrace_is_decoded_to_functions_and_lines(tmp_path, capsys, panic_text, text_address):
    elf = build_elf(tmp_path, text_address)
    log = recorded_panic(panic_text, elf, tmp_path)
    report_file = tmp_path / 'decoded.txt'

    status = decode_panic.main(['--elf', str(elf), '--toolchain-prefix', '', '--output', str(report_file), str(log)])

    assert status == 1, 'a panic was in the log'
    report = capsys.readouterr().out
    assert report_file.read_text().strip() == report.strip()
    source = str(DATA / 'panic_app.c')
    # Innermost frame first, each with the source line of the call or the faulting load.
    frames = re.findall(r'0x[0-9a-f]{8}: (\w+) at (\S+):(\d+)', report)
    assert [(f, p) for f, p, _ in frames] == [('crash_here', source), ('caller', source), ('app_main', source)]
    assert [int(line) for _, _, line in frames] == [7, 12, 17]
    # The ROM address in the Xtensa backtrace lies outside the ELF and is left out, not mis-decoded.
    assert '0x4008a0c5' not in report


def test_panic_boundaries_and_addresses(tmp_path):
    text = (DATA / 'panic_esp32.txt').read_text().replace('{crash_here+8}', '0x400d0008') \
        .replace('{caller+8}', '0x400d0018').replace('{app_main+6}', '0x400d0026')
    panics = decode_panic.find_panics('I (1) wsh: READY\n' + text + 'I (9) wsh: READY again\n')
    assert len(panics) == 1
    assert panics[0].reason.startswith('Guru Meditation Error: Core  1 panic')
    # PC first, then the backtrace's PCs (the PC repeats as the first frame and is kept once).
    assert decode_panic.program_counters(panics[0]) == ['0x400d0008', '0x400d0018', '0x400d0026', '0x4008a0c5']


def test_abort_message_contributes_its_pc():
    panics = decode_panic.find_panics('abort() was called at PC 0x42001234 on core 0\n\nBacktrace: 0x4200aaaa:0x3fc90000\n')
    assert decode_panic.program_counters(panics[0]) == ['0x42001234', '0x4200aaaa']


def test_a_log_without_panic_exits_0(tmp_path, capsys):
    elf = build_elf(tmp_path, 0x400D0000)
    log = tmp_path / 'dut.log'
    log.write_text('I (10) wsh: RESULT scenario=echo verdict=PASS\n')
    assert decode_panic.main(['--elf', str(elf), '--toolchain-prefix', '', str(log)]) == 0
    assert 'no panic' in capsys.readouterr().out


def test_an_elf_that_does_not_match_says_so(tmp_path, capsys):
    log = recorded_panic('panic_esp32.txt', build_elf(tmp_path / 'right', 0x400D0000), tmp_path)
    wrong = build_elf(tmp_path / 'wrong', 0x10000000)
    assert decode_panic.main(['--elf', str(wrong), '--toolchain-prefix', '', str(log)]) == 1
    assert 'no address in this panic lies in the ELF' in capsys.readouterr().out


def test_bad_input_is_refused_with_a_reason(tmp_path, capsys):
    assert decode_panic.main(['--elf', str(tmp_path / 'missing.elf'), '--toolchain-prefix', '',
                              str(tmp_path / 'missing.log')]) == 2
    err = capsys.readouterr().err
    assert 'no such ELF' in err and 'no such log' in err


def test_toolchain_prefix_per_target():
    assert decode_panic.toolchain_prefix('esp32s3') == 'xtensa-esp-elf-'
    assert decode_panic.toolchain_prefix('esp32c6') == 'riscv32-esp-elf-'
    assert decode_panic.toolchain_prefix('linux') == ''
    assert shutil.which('addr2line'), 'the host addr2line used above'


def test_decode_logs_writes_a_report_beside_each_panicking_log_and_to_the_job_summary(repo, tmp_path):
    elf = build_elf(tmp_path / 'elf', 0x400D0000)
    logs = tmp_path / 'logs'
    (logs / 'test_abort_storm').mkdir(parents=True)
    crashed = logs / 'test_abort_storm' / 'dut.log'
    crashed.write_text(recorded_panic('panic_esp32.txt', elf, tmp_path).read_text())
    clean = logs / 'dut.log'
    clean.write_text('I (10) wsh: RESULT scenario=echo verdict=PASS\n')
    summary = tmp_path / 'summary.md'
    junit = tmp_path / 'junit.xml'
    junit.write_text('<testsuites><testsuite name="pytest">'
                     '<testcase classname="pytest_ws_hammer" name="test_echo"/>'
                     '<testcase classname="pytest_ws_hammer" name="test_abort_storm"><failure message="boom"/></testcase>'
                     '</testsuite></testsuites>')

    # Target linux: the host's addr2line, as for the i386 ELF here.
    proc = subprocess.run(['bash', str(repo / 'ci' / 'decode_logs.sh'), str(logs), str(elf), 'linux', str(junit)],
                          env={'PATH': os.environ['PATH'], 'PYTHON': sys.executable, 'GITHUB_STEP_SUMMARY': str(summary)},
                          capture_output=True, text=True, check=True)

    assert '1 log(s) with a panic' in proc.stdout
    assert 'crash_here at' in (logs / 'test_abort_storm' / 'dut.log.panic.txt').read_text()
    assert not (logs / 'dut.log.panic.txt').exists()
    assert f'### Panic in {crashed}' in summary.read_text()
    cases = {case.get('name'): case for case in ET.parse(junit).iter('testcase')}
    assert 'crash_here at' in cases['test_abort_storm'].find('system-err').text
    assert cases['test_echo'].find('system-err') is None


def test_attach_to_junit_appends_to_existing_output():
    junit = ('<testsuite><testcase name="test_echo[esp32]"><system-err>earlier</system-err></testcase>'
             '<testcase name="test_partial[esp32]"/></testsuite>')
    out, attached = decode_panic.attach_to_junit(junit, {Path('logs/2026/test_echo[esp32]/dut.log'): 'REPORT'})
    assert attached == 1
    err = ET.fromstring(out).find('testcase').find('system-err').text
    assert err.startswith('earlier') and 'REPORT' in err


def test_a_junit_file_that_is_not_xml_is_refused(tmp_path, capsys):
    log = recorded_panic('panic_esp32.txt', build_elf(tmp_path / 'elf', 0x400D0000), tmp_path)
    junit = tmp_path / 'junit.xml'
    junit.write_text('not <xml')
    status = decode_panic.main(['--elf', str(tmp_path / 'elf' / 'panic_app.elf'), '--toolchain-prefix', '',
                                '--junit', str(junit), str(log)])
    assert status == 2
    assert 'is not JUnit XML' in capsys.readouterr().err
    assert junit.read_text() == 'not <xml'
