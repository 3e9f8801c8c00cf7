"""The linux platforms the rig builds and runs the apps on, and what each offers. Pure: builds, the plugin, the
CLI and the scenarios read these facts from here.

- ``host``: host/'s own build of its parallel layer: every task a thread, all at once; sanitizer variants.
- ``idf``: ESP-IDF's own linux target built by a real ESP-IDF: its FreeRTOS POSIX port runs one task at a time;
  debug only.
- ``parallel``: the same real ESP-IDF build and components, over host/'s parallel kernel in place of the POSIX
  port (host/parallel_platform.cmake); sanitizer variants over everything, ESP-IDF's code and Mbed TLS included.
"""

from __future__ import annotations

#: The default first.
PLATFORMS = ("host", "idf", "parallel")
#: Built by a real ESP-IDF, so ESP-IDF's own components (transport, esp-tls) are what runs.
IDF_PLATFORMS = ("idf", "parallel")
#: Built in debug, tsan and asan; the others in debug only.
VARIANT_PLATFORMS = ("host", "parallel")
