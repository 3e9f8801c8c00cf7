#!/usr/bin/env python3
"""Decode ESP-IDF panic output in a device log into source locations.

Finds each panic in the log (Guru Meditation, abort(), a failed assert, a stack overflow, a task
watchdog), takes the program counters it printed ("Backtrace:" pairs PC:SP, and the PC/MEPC/RA
registers of the register dump) and turns them into function, file and line with the ELF and
addr2line, through esp-idf-panic-decoder's PcAddressDecoder (the decoder idf.py monitor uses): it
keeps only addresses inside the ELF's executable sections and understands inlining.

With --junit, each decoded report is also appended to the <system-err> of the JUnit test case whose
name is a folder of the log's path (pytest-embedded keeps each test's logs in a folder named after the
test, e.g. test_echo[esp32]/dut.log), so the backtrace travels with the failing test's report.

Xtensa and RISC-V panics print the same kinds of lines, and addr2line does not care about the
architecture, so the same code decodes an i386 ELF with the host's addr2line (--toolchain-prefix ''):
that is how tests/static checks it on this machine.

The parsing is pure (find_panics, program_counters, format_report, attach_to_junit); decode() runs
addr2line and main() does the file I/O.

Usage: ci/decode_panic.py --elf APP.elf [--target esp32 | --toolchain-prefix PREFIX] LOG...
                           [--output FILE] [--junit JUNIT.xml]
Exit status: 0 no panic found, 1 a panic was found (the report says where it happened), 2 bad input
(missing ELF, log or JUnit file, no addr2line, a JUnit file that is not XML).
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

# First lines ESP-IDF prints when a task or the system dies.
PANIC_START = re.compile(
    r"Guru Meditation Error|abort\(\) was called|assert failed:|\*\*\*ERROR\*\*\* A stack overflow"
    r"|Task watchdog got triggered|CPU Cache error|Interrupt wdt timeout")
BACKTRACE = re.compile(r'Backtrace:((?:\s*0x[0-9a-fA-F]{8}:0x[0-9a-fA-F]{8})+)')
# "PC      : 0x400d1234" (Xtensa), "MEPC    : 0x42001234" / "RA : ..." (RISC-V), "abort() was called at PC 0x...".
PC_REGISTER = re.compile(r'(?:\b(?:PC|MEPC|RA)\s*:|\bat PC)\s*(0x[0-9a-fA-F]{8})')
# What follows a panic's backtrace: the ELF hash line, a core dump, a halt or a reboot (ROM banner).
REBOOT_OR_END = re.compile(r'ELF file SHA256|CORE DUMP START|CPU halted|Rebooting\.\.\.|ESP-ROM:|^ets [A-Z][a-z]{2} ')

XTENSA_TARGETS = {'esp32', 'esp32s2', 'esp32s3'}


@dataclass
class Panic:
    reason: str                      # the line that announced the panic
    lines: list[str] = field(default_factory=list)


def find_panics(log: str) -> list[Panic]:
    """Split a log into its panics: each runs from a start line to a reboot or end marker (a panic's
    own follow-up lines, such as the Guru Meditation after a watchdog message, stay in it)."""
    panics: list[Panic] = []
    current: Panic | None = None
    for line in log.splitlines():
        if current is None and PANIC_START.search(line):
            current = Panic(reason=line.strip())
            panics.append(current)
        elif current is not None and REBOOT_OR_END.search(line):
            current = None
            continue
        if current is not None:
            current.lines.append(line)
    return panics


def program_counters(panic: Panic) -> list[str]:
    """The code addresses a panic printed, in order: registers first, then the backtrace's PCs."""
    registers, backtrace = [], []
    for line in panic.lines:
        registers += [m.group(1).lower() for m in PC_REGISTER.finditer(line)]
        for m in BACKTRACE.finditer(line):
            backtrace += [pair.split(':')[0].lower() for pair in m.group(1).split()]
    return list(dict.fromkeys(registers + backtrace))


def toolchain_prefix(target: str) -> str:
    """addr2line prefix of ESP-IDF's toolchain for a target ('' for linux: the host's binutils)."""
    if target == 'linux':
        return ''
    return 'xtensa-esp-elf-' if target in XTENSA_TARGETS else 'riscv32-esp-elf-'


def format_report(source: str, panic: Panic, decoded: list[tuple[str, list]]) -> str:
    """Human-readable report for one panic; `decoded` is [(address, [location, ...]), ...]."""
    out = [f'{source}: {panic.reason}']
    if not decoded:
        out.append('  (no address in this panic lies in the ELF\'s code: wrong ELF, or ROM code)')
    for address, trace in decoded:
        first, *inlined = trace
        out.append(f'  {address}: {first.func} at {first.path}:{first.line}')
        out += [f'      (inlined by) {loc.func} at {loc.path}:{loc.line}' for loc in inlined]
    return '\n'.join(out)


def attach_to_junit(junit_xml: str, reports: dict[Path, str]) -> tuple[str, int]:
    """Append each log's report to the <system-err> of the test cases named by a folder of its path."""
    root = ET.fromstring(junit_xml)
    attached = 0
    for case in root.iter('testcase'):
        for log, report in reports.items():
            if case.get('name') in log.parts:
                err = case.find('system-err')
                if err is None:
                    err = ET.SubElement(case, 'system-err')
                err.text = f"{err.text or ''}\n--- decoded panic ({log}) ---\n{report}\n"
                attached += 1
    return ET.tostring(root, encoding='unicode'), attached


def decode(addresses: list[str], elf: Path, prefix: str) -> list[tuple[str, list]]:
    from esp_idf_panic_decoder import PcAddressDecoder
    return PcAddressDecoder(prefix, str(elf)).translate_addresses(' '.join(addresses))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('logs', nargs='+', type=Path)
    parser.add_argument('--elf', type=Path, required=True)
    which = parser.add_mutually_exclusive_group()
    which.add_argument('--target', help='IDF target; picks the toolchain prefix')
    which.add_argument('--toolchain-prefix', help="addr2line prefix, e.g. 'riscv32-esp-elf-'; '' for the host's")
    parser.add_argument('--output', type=Path, help='also write the report here')
    parser.add_argument('--junit', type=Path, help='append each report to the matching test case of this JUnit file')
    args = parser.parse_args(argv)

    prefix = args.toolchain_prefix if args.toolchain_prefix is not None else toolchain_prefix(args.target or 'esp32')
    problems = [f'no such ELF: {args.elf}'] if not args.elf.is_file() else []
    problems += [f'no such log: {log}' for log in args.logs if not log.is_file()]
    if args.junit and not args.junit.is_file():
        problems.append(f'no such JUnit file: {args.junit}')
    if shutil.which(f'{prefix}addr2line') is None:
        problems.append(f'{prefix}addr2line is not on PATH (is the ESP-IDF environment exported?)')
    if problems:
        print('\n'.join(f'decode_panic: {p}' for p in problems), file=sys.stderr)
        return 2

    reports = {}
    for log in args.logs:
        panics = find_panics(log.read_text(encoding='utf-8', errors='replace'))
        if panics:
            reports[log] = '\n\n'.join(format_report(str(log), panic, decode(program_counters(panic), args.elf, prefix))
                                       for panic in panics)
    text = '\n\n'.join(reports.values()) or 'decode_panic: no panic in ' + ', '.join(map(str, args.logs))
    print(text)
    if args.output:
        args.output.write_text(text + '\n')
    if args.junit and reports:
        try:
            junit, attached = attach_to_junit(args.junit.read_text(encoding='utf-8'), reports)
        except ET.ParseError as err:
            print(f'decode_panic: {args.junit} is not JUnit XML ({err}); reports not attached', file=sys.stderr)
            return 2
        args.junit.write_text(junit, encoding='utf-8')
        print(f'decode_panic: attached to {attached} test case(s) in {args.junit}')
    return 1 if reports else 0


if __name__ == '__main__':
    sys.exit(main())
