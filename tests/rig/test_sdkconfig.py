"""The user's Kconfig options (``--sdkconfig KEY=VALUE``, ``--sdkconfig-defaults FILE``): read as ESP-IDF reads
an sdkconfig defaults file, a mistake named before any build, and an option the build did not take refused
after it (Kconfig drops an unknown option, or one whose dependencies are off, silently)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wshammer import builds
from wshammer.builds import BuildProblem, BuildRequest
from wshammer.idf_build import parallel_platform_args
from wshammer.idf_env import DEFAULT_IDF_VERSION
from wshammer import sdkconfig
from wshammer.sdkconfig import SdkconfigError


@pytest.mark.parametrize(
    "text,setting",
    [
        ("ESP_WS_CLIENT_CHECK_UTF8=n", ("CONFIG_ESP_WS_CLIENT_CHECK_UTF8", "n")),
        ("CONFIG_FREERTOS_HZ=1000", ("CONFIG_FREERTOS_HZ", "1000")),
        ("CONFIG_X=0x1F", ("CONFIG_X", "0x1F")),
        ('CONFIG_NAME="two words"', ("CONFIG_NAME", '"two words"')),
        ('CONFIG_NAME=say "hi"', ("CONFIG_NAME", '"say \\"hi\\""')),
        (" CONFIG_Y = y ", ("CONFIG_Y", "y")),
    ],
)
def test_a_setting_is_read_as_sdkconfig_writes_it(text, setting):
    assert sdkconfig.parse_setting(text) == setting


@pytest.mark.parametrize(
    "text,needle",
    [
        ("ESP_WS_CLIENT_CHECK_UTF8", "expected KEY=VALUE"),
        ("=y", "expected KEY=VALUE"),
        ("esp_ws_client_check_utf8=y", "only A-Z, 0-9 and _"),
        ("CONFIG_A-B=y", "only A-Z, 0-9 and _"),
    ],
)
def test_a_malformed_setting_is_named(text, needle):
    with pytest.raises(SdkconfigError, match=needle) as info:
        sdkconfig.parse_setting(text)
    assert repr(text) in str(info.value)


def test_a_defaults_file_is_read_line_by_line():
    text = "# comment\n\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=\"x\"\n"
    assert sdkconfig.parse_defaults(text, "f") == [("CONFIG_A", "y"), ("CONFIG_B", "n"), ("CONFIG_C", '"x"')]
    with pytest.raises(SdkconfigError, match=r"^f:2: 'B=y' is not an sdkconfig line"):
        sdkconfig.parse_defaults("CONFIG_A=y\nB=y\n", "f")


def test_later_settings_win_and_order_does_not_name_another_build():
    assert sdkconfig.merged([("CONFIG_B", "1"), ("CONFIG_A", "y")], [("CONFIG_B", "2")]) == (("CONFIG_A", "y"), ("CONFIG_B", "2"))
    assert sdkconfig.render_defaults((("CONFIG_A", "y"),)).splitlines()[1:] == ["CONFIG_A=y"]


def test_an_option_the_build_lacks_or_overrides_is_named():
    config = {"ESP_WS_CLIENT_CHECK_UTF8": False, "FREERTOS_HZ": 100, "LOG_TAG": "wsh", "MASK": 16}
    defined = set(config) | {"ESP_WS_CLIENT_ALLOC_IN_EXT_RAM"}  # defined, but it depends on SPIRAM
    settings = (
        ("CONFIG_ESP_WS_CLIENT_CHECK_UTF8", "n"),  # taken
        ("CONFIG_MASK", "0x10"),  # taken (sdkconfig.json writes hex options as numbers)
        ("CONFIG_LOG_TAG", '"wsh"'),  # taken
        ("CONFIG_ESP_WS_CLIENT_ALLOC_IN_EXT_RAM", "n"),  # not offered and asked off: the build has it off
        ("CONFIG_ESP_WS_CLIENT_ALLOC_IN_EXT_RAM", "y"),
        ("CONFIG_ESP_WS_CLIENT_CHEK_UTF8", "n"),  # a typo: the option meant keeps its default
        ("CONFIG_FREERTOS_HZ", "1000"),
    )
    problems = sdkconfig.not_taken(settings, config, defined)
    assert len(problems) == 3, problems
    assert problems[0].startswith("CONFIG_ESP_WS_CLIENT_ALLOC_IN_EXT_RAM=y: not offered in this build")
    assert problems[1].startswith("CONFIG_ESP_WS_CLIENT_CHEK_UTF8=n: no Kconfig of this build defines it")
    assert problems[2].startswith("CONFIG_FREERTOS_HZ=1000: the build has 100")


def test_kconfig_files_are_followed_through_their_sources():
    text = """
menu "x"
    config ESP_WS_CLIENT_CHECK_UTF8
        bool "check"
menuconfig LOG_STUFF
    bool "log"
endmenu
source "$IDF_PATH/components/log/Kconfig"
rsource "./port/${IDF_TARGET}/Kconfig.cpu"
orsource "$COMPONENT_KCONFIGS_SOURCE_FILE"
"""
    assert sdkconfig.kconfig_names(text) == {"ESP_WS_CLIENT_CHECK_UTF8", "LOG_STUFF"}
    env = {"IDF_PATH": "/idf", "IDF_TARGET": "linux"}
    assert sdkconfig.kconfig_includes(text, "/idf/components/esp_system", env) == [
        "/idf/components/log/Kconfig", "/idf/components/esp_system/./port/linux/Kconfig.cpu"]


def test_options_name_their_own_build_folder(tmp_path: Path):
    plain = BuildRequest(tmp_path, "linux")
    with_option = BuildRequest(tmp_path, "linux", sdkconfig=(("CONFIG_A", "y"),))
    other_value = BuildRequest(tmp_path, "linux", sdkconfig=(("CONFIG_A", "n"),))
    names = {builds.linux_build_dir(r).name for r in (plain, with_option, other_value)}
    assert len(names) == 3 and builds.linux_build_dir(plain).name == f"build_linux_par{DEFAULT_IDF_VERSION}_debug"


def test_command_line_options_win_over_files_and_a_bad_file_is_named(tmp_path: Path):
    defaults = tmp_path / "options.defaults"
    defaults.write_text("CONFIG_A=y\nCONFIG_B=1\n")
    assert builds.user_sdkconfig(["B=2"], [defaults]) == (("CONFIG_A", "y"), ("CONFIG_B", "2"))
    with pytest.raises(BuildProblem, match="--sdkconfig-defaults .*missing.defaults: cannot read it"):
        builds.user_sdkconfig([], [tmp_path / "missing.defaults"])
    with pytest.raises(BuildProblem, match="expected KEY=VALUE"):
        builds.user_sdkconfig(["A"], [])


def test_the_options_go_after_the_projects_own_defaults(tmp_path: Path):
    (tmp_path / "sdkconfig.defaults").write_text("CONFIG_A=n\n")
    request = BuildRequest(tmp_path, "linux", sdkconfig=(("CONFIG_A", "y"),))
    build_dir = builds.linux_build_dir(request)
    *platform, arg = builds.linux_cmake_args(request, build_dir)
    assert platform == parallel_platform_args("debug")
    assert arg == f"-DSDKCONFIG_DEFAULTS={tmp_path / 'sdkconfig.defaults'};{build_dir / 'wsh_sdkconfig.defaults'}"
    assert "CONFIG_A=y" in (build_dir / "wsh_sdkconfig.defaults").read_text().splitlines()
