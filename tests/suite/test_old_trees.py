"""Old client trees (tests/trees/README.md): the hammer app finds out at build time what API the tree under
test has (test_apps/ws_hammer/main/CMakeLists.txt), so one app builds against a tree with the API of
esp_websocket_client 1.1 on ESP-IDF's own linux target, skips the runs that need what the tree lacks, naming it
and the release that added it, and runs the rest.
"""

from __future__ import annotations

import re

import pytest

import suite_cli

from wshammer.idf_env import DEFAULT_IDF_VERSION

pytestmark = pytest.mark.slow  # whole runs of wshammer

SELECTION = "echo or partial or wss_reconnect or lifecycle or stop_latency"
SKIPPED = {
    "partial": r"this client tree has no partial API .*\(esp_websocket_client 1\.2\.0 and later\)",
    "wss_reconnect": r"this client tree has no enable_close_reconnect .*\(esp_websocket_client 1\.5\.0 and later\)",
}
# lifecycle's destroy_on_exit and stop_latency's start_failed wait for the task's end, which a tree without
# FINISH tells otherwise; wss_reconnect over /reset needs no reconnect after a CLOSE.
PASSED = ("echo", "wss_reconnect reset_large", "lifecycle", "stop_latency")


def old_tree():
    return suite_cli.patched_copy(suite_cli.TREES_DIR / "api_1_1.patch")


def test_a_1_1_tree_runs_on_esp_idf_and_skips_what_it_lacks(tmp_path):
    args = ["--platform", "idf", "--idf-version", DEFAULT_IDF_VERSION, "-k", SELECTION, "--component", str(old_tree())]
    run = suite_cli.run_cli(args, tmp_path / "report", 600)
    assert run.returncode == 0, run.tail()
    records = suite_cli.records_by_name(suite_cli.read_report(run.report_dir))
    assert sorted(records) == sorted([*SKIPPED, *PASSED])
    for name, why in SKIPPED.items():
        assert records[name]["ok"] and re.search(why, records[name]["skipped"] or ""), records[name]
    for name in PASSED:
        assert records[name]["ok"] and records[name]["skipped"] is None, records[name]
    assert re.search(r"│ partial\s+│ linux/idf\S+\s+│ SKIP", run.output), run.tail()

