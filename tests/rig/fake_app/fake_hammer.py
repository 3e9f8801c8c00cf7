"""A stand-in for the C hammer app that speaks docs/hammer-protocol.md over stdin/stdout, so the plugin, the
runner and the log guard can be tested end to end without a C build. FAKE_MODE picks a misbehaviour:
ok, lose (claims one message it never sent), tsan (prints a ThreadSanitizer report), abort (dies on a
signal after RESULT), die_mid_run (dies before its RESULT), hang_quit (ignores quit). With FAKE_ENV_OUT set,
it writes the sanitizer options it was started with to that file."""

import os
import sys
import time

from websockets.sync.client import connect

from wshammer.logscan import parse_fields
from wshammer.message import build, verify

MODE = os.environ.get("FAKE_MODE", "ok")
T0 = time.monotonic()


def log(level, text):
    print(f"{level} ({int((time.monotonic() - T0) * 1000)}) wsh: {text}", flush=True)


def run(fields):
    scenario, tasks, msgs = fields["scenario"], int(fields.get("tasks", 1)), int(fields.get("msgs", 10))
    log("I", f"START scenario={scenario} tasks={tasks} msgs={msgs}")
    sent = echoed = 0
    per_task = {}
    with connect(fields["uri"], compression=None) as ws:
        for task in range(tasks):
            for seq in range(msgs):
                skip = MODE == "lose" and (task, seq) == (0, 3)
                if not skip:
                    ws.send(build(task, seq, 40 + seq))
                    verify(ws.recv(timeout=5))
                    echoed += 1
                sent += 1
                per_task[task] = per_task.get(task, 0) + 1
            log("I", f"STATS scenario={scenario} t_ms={int((time.monotonic() - T0) * 1000)} sent={sent} send_err=0 "
                f"echoed={echoed} corrupt=0 out_of_order=0 reconnects=0 free_heap=1000 min_free_heap=900 open_fds=3")
    if MODE == "die_mid_run":
        os._exit(3)
    if MODE == "tsan":
        print("==================\nWARNING: ThreadSanitizer: data race (pid=42)\n  Write of size 4 at 0x1 by thread T1:\n"
              "SUMMARY: ThreadSanitizer: data race fake.c:1 in f\n==================", flush=True)
    for task, count in per_task.items():
        log("I", f"TASK scenario={scenario} id={task} attempted={count} sent={count} send_err=0 first_seq=0 last_seq={count - 1}")
    log("I", f"RESULT scenario={scenario} verdict=PASS sent={sent} send_err=0 echoed={echoed} corrupt=0 out_of_order=0 "
        "reconnects=0 heap_start=1000 heap_end=1000 min_free_heap=900 fds_start=3 fds_end=3 elapsed_ms=5 reason=\"\"")
    if MODE == "abort":
        os.abort()


def main():
    if os.environ.get("FAKE_ENV_OUT"):
        with open(os.environ["FAKE_ENV_OUT"], "w") as out:
            out.writelines(f"{name}={os.environ.get(name, '')}\n" for name in ("TSAN_OPTIONS", "UBSAN_OPTIONS"))
    log("I", "READY target=linux idf=fake buffer_size_default=1024")
    for line in sys.stdin:
        words = line.strip()
        if words == "quit":
            if MODE == "hang_quit":
                time.sleep(3600)
            log("I", "QUIT passed=1 failed=0")
            return 0
        if words.startswith("run "):
            run(parse_fields(words[4:]))
        elif words and not words.startswith("run "):
            log("E", f'BADCMD reason="unknown command {words.split()[0]}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
