"""The host build system (host/tools/cmake) builds standard ESP-IDF projects as ESP-IDF would.

The sample project host/test_apps/build_system prints one line of facts decided at build time; each test
checks one behaviour a project author relies on. Configure-only checks run CMake without compiling.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wshammer import host_build

from host_marks import HOST_REIMPLEMENTATION_TSAN

pytestmark = HOST_REIMPLEMENTATION_TSAN

REPO = Path(__file__).resolve().parents[2]
TEST_APPS = REPO / "host" / "test_apps"
BUILD_SYSTEM_APP = TEST_APPS / "build_system"
BAD_REQUIRES_APP = TEST_APPS / "build_system_bad_requires"
MAIN_ALL_APP = TEST_APPS / "build_system_main_all"
HOST_COMPONENTS = REPO / "host" / "components"


def parse_facts(output: str) -> dict[str, str]:
    """The key=value fields of the app's single "BS ..." line."""
    lines = [line for line in output.splitlines() if line.startswith("BS ")]
    assert len(lines) == 1, f"expected one BS line in:\n{output}"
    return dict(field.split("=", 1) for field in lines[0][3:].split())


def configure(project: Path, build_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """CMake configure only; returns the finished process (output in .stdout)."""
    env = {**os.environ, "IDF_PATH": str(host_build.default_idf_path())}
    return subprocess.run(
        ["cmake", "-S", str(project), "-B", str(build_dir), "-G", "Ninja", f"-DWSH_PYTHON={sys.executable}", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
    )


def test_sample_project_runs_with_build_time_facts(host_app, run_host_elf, variant):
    elf = host_app(BUILD_SYSTEM_APP, variant)
    returncode, output = run_host_elf(elf, timeout=30)
    assert host_build.find_sanitizer_reports(output) == []
    assert returncode == 0, output
    facts = parse_facts(output)
    assert facts["greeting"] == "from-defaults"       # sdkconfig.defaults beats the Kconfig default
    assert facts["number"] == "3"                     # the later defaults file beats the earlier
    assert facts["feature"] == "on"                   # if(CONFIG_BS_FEATURE) in a component's CMakeLists
    assert facts["greeter"] == "project"              # <project>/components overrides EXTRA_COMPONENT_DIRS
    assert facts["embedded"] == "hello-embedded"      # EMBED_TXTFILES
    assert facts["embedded_nul"] == "1"               # ... NUL-terminated
    assert facts["registrar"] == "1"                  # SRC_DIRS; a constructor in an unreferenced archive survives
    assert facts["target"] == "linux"
    assert facts["idf"] == "5.5.5"
    assert facts["version_check"] == "1"              # ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 0, 0)
    assert facts["compile_opt"] == "42"               # target_compile_options(${COMPONENT_LIB} PRIVATE ...)
    assert facts["build_define"] == "7"               # idf_build_set_property(COMPILE_DEFINITIONS ... APPEND)


def test_build_outputs_have_the_shape_pytest_embedded_needs(host_app, variant):
    elf = host_app(BUILD_SYSTEM_APP, variant)
    build_dir = elf.parent
    assert elf.name == "build_system.elf"
    assert [p.name for p in build_dir.glob("*.elf")] == ["build_system.elf"]
    assert os.access(elf, os.X_OK)

    sdkconfig = json.loads((build_dir / "config" / "sdkconfig.json").read_text())
    assert sdkconfig["IDF_TARGET"] == "linux"
    assert sdkconfig["IDF_TARGET_LINUX"] is True
    assert sdkconfig["APP_BUILD_TYPE_ELF_ONLY"] is True
    assert sdkconfig["WSH_VARIANT"] == variant
    assert sdkconfig["LOG_DEFAULT_LEVEL"] == 3

    header = (build_dir / "config" / "sdkconfig.h").read_text()
    assert '#define CONFIG_IDF_TARGET "linux"' in header
    assert "#define CONFIG_BS_NUMBER 3" in header
    assert 'set(CONFIG_BS_GREETING "from-defaults")' in (build_dir / "config" / "sdkconfig.cmake").read_text()

    description = json.loads((build_dir / "project_description.json").read_text())
    assert description["project_name"] == "build_system"
    assert description["target"] == "linux"
    assert description["app_elf"] == "build_system.elf"
    assert Path(description["build_dir"]) == build_dir
    assert description["idf_ver"] == "v5.5.5"
    assert description["wsh_variant"] == variant
    assert [Path(p).name for p in description["config_defaults"]] == ["sdkconfig.defaults", "sdkconfig.override"]
    # COMPONENTS pruning: the requested ones, their requirements, the common ones; not the rest.
    built = set(description["build_components"])
    assert {"main", "registrar", "empty", "greeter", "secret", "feature", "embedded", "log", "freertos"} <= built
    assert "mbedtls" not in built and "esp_timer" not in built
    # PRIV_REQUIRES stays private: greeter's sources see secret's header, greeter's users do not.
    commands = {Path(c["file"]).name: c["command"] for c in json.loads((build_dir / "compile_commands.json").read_text())}
    secret_include = f"-I{BUILD_SYSTEM_APP / 'components' / 'secret' / 'include'}"
    assert secret_include in commands["greeter.c"]
    assert secret_include not in commands["build_system_main.c"]
    assert f"-I{BUILD_SYSTEM_APP / 'extra_components' / 'greeter' / 'include'}" in commands["build_system_main.c"]
    # The project directory stays clean: the configuration lives in the build directory.
    assert not (BUILD_SYSTEM_APP / "sdkconfig").exists()


def test_unknown_requirement_is_a_clear_configure_error(tmp_path):
    result = configure(BAD_REQUIRES_APP, tmp_path / "build")
    assert result.returncode != 0
    assert "Failed to resolve component 'no_such_component' required by component 'needy'" in " ".join(
        result.stdout.split()
    ), result.stdout


def test_unknown_variant_is_rejected(tmp_path):
    result = configure(MAIN_ALL_APP, tmp_path / "build", "-DWSH_VARIANT=fast")
    assert result.returncode != 0
    assert "Unknown WSH_VARIANT 'fast': choose one of debug, tsan, asan" in result.stdout
    with pytest.raises(ValueError, match="unknown host build variant 'fast'"):
        host_build.build_host_project(MAIN_ALL_APP, tmp_path / "b2", "fast")


def test_main_without_requires_sees_every_component(tmp_path):
    build_dir = tmp_path / "build"
    result = configure(MAIN_ALL_APP, build_dir, "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON")
    assert result.returncode == 0, result.stdout
    description = json.loads((build_dir / "project_description.json").read_text())
    host_components = sorted(p.name for p in HOST_COMPONENTS.iterdir() if (p / "CMakeLists.txt").is_file())
    assert sorted(set(description["build_components"]) - {"main"}) == host_components

    commands = json.loads((build_dir / "compile_commands.json").read_text())
    main_command = next(c["command"] for c in commands if c["file"].endswith("main/main.c"))
    for name in ("esp_timer", "heap", "lwip", "mbedtls", "esp_common"):
        assert f"-I{HOST_COMPONENTS / name / 'include'}" in main_command, name


def test_missing_defaults_file_is_a_clear_error(tmp_path):
    result = configure(MAIN_ALL_APP, tmp_path / "build", "-DSDKCONFIG_DEFAULTS=nowhere.defaults")
    assert result.returncode != 0
    # CMake word-wraps the message, where depending on the path's length: compare with whitespace collapsed.
    text = " ".join(result.stdout.split())
    assert "nowhere.defaults', which does not exist" in text, result.stdout


def test_empty_defaults_entries_are_skipped(tmp_path):
    # idf-build-apps passes "-DSDKCONFIG_DEFAULTS=;" for an app without sdkconfig files.
    result = configure(MAIN_ALL_APP, tmp_path / "build", "-DSDKCONFIG_DEFAULTS=;")
    assert result.returncode == 0, result.stdout
    assert "Is a directory" not in result.stdout


def test_misspelt_option_in_defaults_is_warned_about(tmp_path):
    defaults = tmp_path / "typo.defaults"
    defaults.write_text("CONFIG_LOG_DEFAULT_LEVEL_WARN=y\nCONFIG_LOG_DEFAULT_LEVLE_DEBUG=y\n")
    build_dir = tmp_path / "build"
    result = configure(MAIN_ALL_APP, build_dir, f"-DSDKCONFIG_DEFAULTS={defaults}")
    assert result.returncode == 0, result.stdout
    text = " ".join(result.stdout.split())
    assert "CMake Warning" in text
    assert "sdkconfig defaults set options that no Kconfig here defines; they are ignored:" in text
    assert f"LOG_DEFAULT_LEVLE_DEBUG ({defaults})" in text
    assert "LOG_DEFAULT_LEVEL_WARN (" not in text
    sdkconfig = json.loads((build_dir / "config" / "sdkconfig.json").read_text())
    assert sdkconfig["LOG_DEFAULT_LEVEL"] == 2


def test_idf_version_option(tmp_path):
    build_dir = tmp_path / "build"
    result = configure(MAIN_ALL_APP, build_dir, "-DWSH_IDF_VERSION=5.3.2")
    assert result.returncode == 0, result.stdout
    description = json.loads((build_dir / "project_description.json").read_text())
    assert description["idf_ver"] == "v5.3.2"
    assert description["idf_version"] == {"major": 5, "minor": 3, "patch": 2}

    bad = configure(MAIN_ALL_APP, tmp_path / "bad", "-DWSH_IDF_VERSION=5.3")
    assert bad.returncode != 0
    assert "WSH_IDF_VERSION='5.3' is not <major>.<minor>.<patch>" in bad.stdout


def test_version_cmake_is_readable_by_idf_build_apps():
    """idf-build-apps (through esp-bool-parser) reads the literal version lines of version.cmake."""
    script = (
        "import os; os.environ['IDF_PATH'] = os.environ['WSH_IDF']\n"
        "from esp_bool_parser import constants as c\n"
        "print(c.IDF_VERSION_MAJOR, c.IDF_VERSION_MINOR, c.IDF_VERSION_PATCH)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env={**os.environ, "WSH_IDF": str(host_build.default_idf_path())},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["5", "5", "5"]


def test_editing_a_defaults_file_takes_effect_on_the_next_build(tmp_path):
    project = tmp_path / "build_system"
    shutil.copytree(BUILD_SYSTEM_APP, project)
    build_dir = tmp_path / "build"

    def build_and_run() -> dict[str, str]:
        returncode, output = host_build.run_host_elf(host_build.build_host_project(project, build_dir, "debug"),
                                                     timeout=30)
        assert returncode == 0, output
        return parse_facts(output)

    assert build_and_run()["number"] == "3"
    (project / "sdkconfig.override").write_text("CONFIG_BS_NUMBER=7\nCONFIG_BS_FEATURE=n\n")
    facts = build_and_run()
    assert facts["number"] == "7"
    assert facts["feature"] == "off"


PROBE_TEST = '''
def test_probe(dut):
    dut.expect(r"BS greeting=from-defaults number=3", timeout=20)
'''


def test_pytest_embedded_runs_the_elf_as_target_linux(host_app, tmp_path):
    elf = host_app(BUILD_SYSTEM_APP, "debug")
    probe = tmp_path / "test_probe_linux.py"
    probe.write_text(PROBE_TEST)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(probe), "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
         "--embedded-services", "idf", "--app-path", str(BUILD_SYSTEM_APP), "--build-dir", str(elf.parent)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_variant_list_parsing():
    assert host_build.parse_variant_list("debug, tsan") == ("debug", "tsan")
    with pytest.raises(ValueError, match="unknown host build variant 'msan'"):
        host_build.parse_variant_list("debug,msan")
    with pytest.raises(ValueError, match="no build variant"):
        host_build.parse_variant_list(" , ")


def test_sanitizer_env_keeps_going_after_a_report_and_keeps_user_options():
    assert host_build.sanitizer_env("debug") == {
        "GLIBC_TUNABLES": "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0"
    }
    # TSan and UBSan report and go on, so one run names every race and every undefined operation it meets.
    assert host_build.sanitizer_env("tsan")["TSAN_OPTIONS"].startswith("halt_on_error=0:")
    user = {"ASAN_OPTIONS": "detect_leaks=0", "UBSAN_OPTIONS": "halt_on_error=1"}
    asan = host_build.sanitizer_env("asan", user)
    # ASan still stops at its first error: after memory is corrupted, nothing later is evidence.
    assert asan["ASAN_OPTIONS"].startswith("abort_on_error=1:halt_on_error=1:detect_leaks=1")
    assert asan["ASAN_OPTIONS"].endswith(":detect_leaks=0")  # the user's setting comes last and wins
    assert asan["UBSAN_OPTIONS"] == "halt_on_error=0:print_stacktrace=1:halt_on_error=1"


def test_sanitizer_reports_are_found_and_log_lines_are_not():
    output = "\n".join([
        "I (12) wsh: RESULT verdict=PASS",
        "WARNING: ThreadSanitizer: data race (pid=1)",
        "==7==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020",
        "==7==ERROR: LeakSanitizer: detected memory leaks",
        "/src/x.c:3:9: runtime error: signed integer overflow",
        "E (13) wsh: sanitizer mentioned in a message: no report",
    ])
    assert host_build.find_sanitizer_reports(output) == output.splitlines()[1:5]


def test_configure_runs_again_only_when_arguments_change(tmp_path):
    command = host_build.configure_command(MAIN_ALL_APP, tmp_path, "debug", ["-DX=1"], "python3")
    stamp = host_build.configure_stamp(command, host_build.default_idf_path())
    assert host_build.needs_configure(tmp_path, stamp)  # nothing configured yet
    (tmp_path / "build.ninja").write_text("")
    (tmp_path / "wsh_configure.json").write_text(json.dumps(stamp))
    assert not host_build.needs_configure(tmp_path, stamp)
    other = host_build.configure_stamp(
        host_build.configure_command(MAIN_ALL_APP, tmp_path, "debug", ["-DX=2"], "python3"),
        host_build.default_idf_path())
    assert host_build.needs_configure(tmp_path, other)


def test_build_errors_carry_the_compiler_output(tmp_path):
    project = tmp_path / "broken"
    shutil.copytree(BAD_REQUIRES_APP, project)
    (project / "components" / "needy" / "CMakeLists.txt").write_text("idf_component_register()\n")
    (project / "main" / "main.c").write_text("void app_main(void) { this_is_not_c; }\n")
    with pytest.raises(host_build.HostBuildError) as failure:
        host_build.build_host_project(project, tmp_path / "build", "debug")
    assert "build of broken (debug) failed" in failure.value.message
    assert "this_is_not_c" in failure.value.log_tail


@pytest.mark.parametrize("component_cmake, message", [
    ('idf_component_register(SRCS "missing.c")', "source file '{dir}/missing.c' does not exist"),
    ('idf_component_register(INCLUDE_DIRS "nope")', "INCLUDE_DIRS entry '{dir}/nope' is not a directory"),
    ('idf_component_register(SRC_DIRS "nope")', "SRC_DIRS entry '{dir}/nope' is not a directory"),
    ('idf_component_register(EMBED_FILES "nope.bin")', "embedded file '{dir}/nope.bin' does not exist"),
    ('idf_component_register(REQUIRED_IDF_TARGETS esp32)', "Component 'needy' supports targets esp32, not linux"),
    ('message(STATUS "forgot to register")', "its CMakeLists.txt never called idf_component_register()"),
], ids=["missing-source", "missing-include-dir", "missing-src-dir", "missing-embed", "wrong-target",
        "no-register"])
def test_component_mistakes_are_clear_configure_errors(tmp_path, component_cmake, message):
    project = tmp_path / "project"
    shutil.copytree(BAD_REQUIRES_APP, project)
    needy = project / "components" / "needy"
    (needy / "CMakeLists.txt").write_text(component_cmake + "\n")
    result = configure(project, tmp_path / "build")
    assert result.returncode != 0
    assert message.format(dir=needy) in " ".join(result.stdout.split()), result.stdout


def test_a_chip_target_is_refused(tmp_path):
    result = configure(MAIN_ALL_APP, tmp_path / "build", "-DIDF_TARGET=esp32")
    assert result.returncode != 0
    text = " ".join(result.stdout.split())  # CMake word-wraps its messages
    assert "IDF_TARGET 'esp32' requested" in text and "builds only for linux" in text
    assert configure(MAIN_ALL_APP, tmp_path / "ok", "-DIDF_TARGET=linux").returncode == 0


def test_named_sdkconfig_is_read_and_kept_up_to_date(tmp_path):
    sdkconfig = tmp_path / "my_sdkconfig"
    sdkconfig.write_text("CONFIG_LOG_DEFAULT_LEVEL_ERROR=y\n")
    build_dir = tmp_path / "build"
    result = configure(MAIN_ALL_APP, build_dir, f"-DSDKCONFIG={sdkconfig}")
    assert result.returncode == 0, result.stdout
    assert json.loads((build_dir / "config" / "sdkconfig.json").read_text())["LOG_DEFAULT_LEVEL"] == 1
    written = sdkconfig.read_text()
    assert "CONFIG_LOG_DEFAULT_LEVEL_ERROR=y" in written and 'CONFIG_IDF_TARGET="linux"' in written
    assert not (build_dir / "sdkconfig").exists()


def test_extra_component_dir_may_be_a_component_itself(tmp_path):
    single = BUILD_SYSTEM_APP / "extra_components" / "empty"
    build_dir = tmp_path / "build"
    result = configure(MAIN_ALL_APP, build_dir, f"-DEXTRA_COMPONENT_DIRS={single}")
    assert result.returncode == 0, result.stdout
    description = json.loads((build_dir / "project_description.json").read_text())
    assert "empty" in description["build_components"]
    assert str(single) in description["build_component_paths"]

    missing = configure(MAIN_ALL_APP, tmp_path / "bad", f"-DEXTRA_COMPONENT_DIRS={tmp_path / 'nowhere'}")
    assert missing.returncode != 0
    assert f"EXTRA_COMPONENT_DIRS entry '{tmp_path / 'nowhere'}' is not a directory" in " ".join(missing.stdout.split())


def ccache_stats(cache: Path) -> dict[str, int]:
    done = subprocess.run(["ccache", "--print-stats"], env={**os.environ, "CCACHE_DIR": str(cache)},
                          stdout=subprocess.PIPE, text=True, check=True)
    return {key: int(value) for key, value in (line.split("\t") for line in done.stdout.splitlines())}


def gdb_source_of(elf: Path, function: str) -> str:
    done = subprocess.run(["gdb", "-batch", "-nx", "-ex", f"info line {function}", str(elf)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    found = re.search(r'of "([^"]+)"', done.stdout)
    assert found, done.stdout
    return found.group(1)


@pytest.mark.slow
def test_a_second_build_folder_compiles_from_the_cache_and_keeps_absolute_sources(tmp_path):
    """Every build compiles through ccache (host_build.compiler_cache): a second folder of the same project
    takes its objects from the first, and gdb still finds each source by its absolute path, as the hang
    reports need (stacks.py tells the app's frames from the C library's by it)."""
    if shutil.which("ccache") is None:
        pytest.fail("ccache is not installed: run scripts/setup.sh", pytrace=False)
    env = {**os.environ, "CCACHE_DIR": str(tmp_path / "ccache")}
    env.pop("CCACHE_BASEDIR", None)
    host_build.build_host_project(BUILD_SYSTEM_APP, tmp_path / "first", "debug", env=env)
    before = ccache_stats(tmp_path / "ccache")
    elf = host_build.build_host_project(BUILD_SYSTEM_APP, tmp_path / "second", "debug", env=env)
    after = ccache_stats(tmp_path / "ccache")
    misses = after["cache_miss"] - before["cache_miss"]
    hits = after["direct_cache_hit"] + after["preprocessed_cache_hit"] - (
        before["direct_cache_hit"] + before["preprocessed_cache_hit"])
    assert hits > 0 and misses == 0, f"second build: {hits} hits, {misses} misses"
    for function, source in (("app_main", BUILD_SYSTEM_APP / "main" / "build_system_main.c"),
                             ("xTaskCreatePinnedToCore", HOST_COMPONENTS / "freertos" / "src" / "tasks.c")):
        assert Path(gdb_source_of(elf, function)) == source
