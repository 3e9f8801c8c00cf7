"""esp_timer on the host: time base, one-shot and periodic timers, ESP-IDF's stop/delete rules, and
callbacks in the "esp_timer" task."""

from __future__ import annotations

import re

import pytest

from wshammer import host_build

from host_marks import HOST_REIMPLEMENTATION_TSAN

pytestmark = HOST_REIMPLEMENTATION_TSAN


def observations(output: str) -> dict[str, dict[str, str]]:
    """``I (ms) timer_test: NAME k=v ...`` lines as {NAME: {k: v}}."""
    found = {}
    for match in re.finditer(r"^I \(\d+\) timer_test: ([A-Z_]+) (.*)$", output, re.MULTILINE):
        found[match[1]] = dict(field.split("=", 1) for field in match[2].split())
    return found


@pytest.fixture
def obs(host_test_app, run_once, variant):
    returncode, output = run_once(host_test_app("base_timer", variant))
    assert host_build.find_sanitizer_reports(output) == []
    assert returncode == 0, output
    found = observations(output)
    assert "DONE" in found, output
    return found


def test_time_counts_microseconds_since_start(obs):
    assert 0 <= int(obs["TIME"]["start_us"]) < 5_000_000
    assert 95_000 <= int(obs["TIME"]["delta_us"]) <= 600_000


def test_one_shot_fires_once_in_the_esp_timer_task(obs):
    one = obs["ONESHOT"]
    assert one["count"] == "1"
    assert 50_000 <= int(one["delay_us"]) <= 200_000
    assert one["task"] == "esp_timer"
    assert (one["active_before"], one["active_after"]) == ("1", "0")


def test_periodic_fires_at_its_period_and_stops(obs):
    periodic = obs["PERIODIC"]
    # 205 ms at 10 ms: 20 on an idle machine; sanitizers and a loaded machine lose a few.
    assert 12 <= int(periodic["count"]) <= 21
    assert periodic["count_after_stop"] == periodic["count"]


def test_callback_may_stop_or_delete_its_own_timer(obs):
    assert obs["SELFSTOP"] == {"count": "3", "stop_rc": "ESP_OK", "active": "0"}
    assert obs["SELFDELETE"] == {"rc": "ESP_OK"}


def test_delete_waits_for_a_running_callback(obs):
    assert obs["DELETE_WAITS"] == {"rc": "ESP_OK", "finished_when_deleted": "1"}


def test_esp_idf_error_rules(obs):
    assert obs["RULES"] == {
        "first_start": "ESP_OK",
        "double_start": "ESP_ERR_INVALID_STATE",
        "delete_running": "ESP_ERR_INVALID_STATE",
        "restart": "ESP_OK",
        "stop": "ESP_OK",
        "stop_again": "ESP_ERR_INVALID_STATE",
        "short_period": "ESP_ERR_INVALID_ARG",
        "delete": "ESP_OK",
    }
    assert obs["ARGS"] == {
        "delete_null": "ESP_ERR_INVALID_ARG",
        "null_cb": "ESP_ERR_INVALID_ARG",
        "isr": "ESP_ERR_INVALID_ARG",
        "stop_deleted": "ESP_ERR_INVALID_ARG",
    }
    assert obs["DONE"]["next_alarm"] == str(2**63 - 1)  # no timer left running


def test_timers_survive_concurrent_create_start_stop_delete(obs):
    stress = obs["STRESS"]
    assert (stress["done"], stress["errors"]) == ("4", "0")
    # Half the rounds wait 3 ms before stopping a timer due within 2 ms: those must have fired.
    assert int(stress["fired"]) >= 4 * 150 // 2 * 2 // 3
