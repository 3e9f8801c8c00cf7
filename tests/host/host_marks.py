"""Markers shared by the tests of host/ itself."""

import pytest

# The modules that test host/'s re-implementations of ESP-IDF components (their pytestmark).
HOST_REIMPLEMENTATION_TSAN = pytest.mark.without_linux_builds(
    "tsan", reason="for .ci/run's time: a re-implementation of ESP-IDF that the parallel platform replaces "
    "(issue 10); ThreadSanitizer runs over ESP-IDF's own code there")
