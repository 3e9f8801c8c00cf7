#!/usr/bin/env bash
# Provides real ESP-IDF trees for linux builds (IDF_TARGET=linux), and a Python environment with ESP-IDF's own
# requirements, in a cache folder the rig looks in (pytest_plugins/wshammer/idf_env.py reads the same layout):
#   $WSH_CACHE_DIR/esp-idf-v<version>/   one IDF_PATH per version
#   $WSH_CACHE_DIR/idf-python/           ESP-IDF's Python requirements (its pins differ from the rig's)
# A user's own ESP-IDF (IDF_PATH set to a real tree) is used as it is: nothing is installed then.
#
# Environment:
#   WSH_IDF_VERSION   versions to provide, comma- or space-separated (default: all supported, 5.5.5 5.3.5
#                     6.0.2, which the tests use); the rig builds with 5.5.5 unless told otherwise
#   WSH_IDF_ARCHIVE   a linux tarball of one version (esp-idf-v<version>-linux.tar.xz), or a folder of them;
#                     without it, or for a version it lacks, the release tag is cloned shallowly with submodules
#   WSH_CACHE_DIR     the cache folder (default ${XDG_CACHE_HOME:-~/.cache}/wshammer)
# Safe to run again: a tree or environment that is already in place is kept.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
supported="5.3.5 5.5.5 6.0.2"
cache=${WSH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wshammer}
versions=$(echo "${WSH_IDF_VERSION:-5.5.5 5.3.5 6.0.2}" | tr ',' ' ')
idf_repo_url=https://github.com/espressif/esp-idf.git

die() { echo "setup_idf: $*" >&2; exit 2; }

if [ -n "${IDF_PATH:-}" ]; then
    [ -f "$IDF_PATH/tools/idf.py" ] || die "IDF_PATH=$IDF_PATH is not an ESP-IDF tree (no tools/idf.py); unset it to use the cache"
    echo "setup_idf: using your ESP-IDF at $IDF_PATH ($(cat "$IDF_PATH/version.txt" 2>/dev/null || echo 'version unknown'))"
    exit 0
fi

archive_for() {  # the tarball of version $1 that WSH_IDF_ARCHIVE offers, or nothing
    local given=${WSH_IDF_ARCHIVE:-}
    [ -n "$given" ] || return 0
    if [ -d "$given" ]; then
        [ -f "$given/esp-idf-v$1-linux.tar.xz" ] && echo "$given/esp-idf-v$1-linux.tar.xz"
    elif [ -f "$given" ]; then
        case "$(basename "$given")" in *"v$1"[-.]*) echo "$given" ;; esac
    else
        die "WSH_IDF_ARCHIVE=$given: no such file or folder"
    fi
    return 0
}

# Unpacks or clones version $1 into a temporary folder beside its place, then moves it in whole, so an
# interrupted run never leaves a half tree that looks complete.
provide_tree() {
    local version=$1 dest="$cache/esp-idf-v$1" archive staging
    if [ -f "$dest/tools/idf.py" ]; then
        echo "setup_idf: ESP-IDF v$version is in $dest"
        return
    fi
    staging=$(mktemp -d "$cache/.staging-v$version.XXXXXX")
    archive=$(archive_for "$version")
    if [ -n "$archive" ]; then
        echo "setup_idf: unpacking $archive"
        tar -xJf "$archive" -C "$staging"
    else
        echo "setup_idf: cloning ESP-IDF v$version with its submodules (shallow)"
        git clone --quiet --depth 1 --branch "v$version" --recurse-submodules --shallow-submodules \
            "$idf_repo_url" "$staging/esp-idf" || { rm -rf "$staging"; die "could not clone ESP-IDF v$version"; }
    fi
    [ -f "$staging/esp-idf/tools/idf.py" ] || { rm -rf "$staging"; die "v$version: the tree has no tools/idf.py"; }
    grep -qx "v$version" "$staging/esp-idf/version.txt" 2>/dev/null || [ ! -f "$staging/esp-idf/version.txt" ] ||
        { rm -rf "$staging"; die "v$version: the tree says it is $(cat "$staging/esp-idf/version.txt")"; }
    rm -rf "$dest"
    mv "$staging/esp-idf" "$dest"
    rm -rf "$staging"
    echo "setup_idf: ESP-IDF v$version is in $dest"
}

# One environment serves every version: the union of their core requirements, pinned by our constraints.
provide_python() {
    local venv="$cache/idf-python" constraints="$here/scripts/idf-python-constraints.txt" files=() args=() stamp_text
    for version in $versions; do
        files+=("$cache/esp-idf-v$version/tools/requirements/requirements.core.txt")
        args+=(-r "${files[-1]}")
    done
    stamp_text=$(cat "$constraints" "${files[@]}" | sha256sum | cut -d' ' -f1)
    if [ -f "$venv/.wsh-stamp" ] && [ "$(cat "$venv/.wsh-stamp")" = "$stamp_text" ]; then
        echo "setup_idf: ESP-IDF's Python environment is in $venv"
        return
    fi
    echo "setup_idf: installing ESP-IDF's Python requirements into $venv"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    # idf-build-apps beside ESP-IDF's own tools, as ESP-IDF's CI has it: it runs idf.py with its own interpreter.
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${args[@]}" idf-build-apps -c "$constraints"
    echo "$stamp_text" > "$venv/.wsh-stamp"
}

mkdir -p "$cache"
for version in $versions; do
    case " $supported " in *" $version "*) ;; *) die "WSH_IDF_VERSION: $version is not one of: $supported" ;; esac
    provide_tree "$version"
done
provide_python
echo "setup_idf: done. By hand, for one version:"
echo "  export IDF_PATH=$cache/esp-idf-v${versions%% *} IDF_PYTHON_ENV_PATH=$cache/idf-python IDF_PYTHON_CHECK_CONSTRAINTS=no"
