"""The linux platforms the rig builds and runs the apps on, and what each offers. Pure: builds, the plugin, the
CLI and the scenarios read these facts from here. Both are built by a real ESP-IDF for ``IDF_TARGET=linux``,
so ESP-IDF's own components (esp_event, esp-tls, tcp_transport, Mbed TLS) are what runs.

- ``parallel``: ESP-IDF's build and components over host/'s parallel kernel in place of the POSIX port
  (host/parallel_platform.cmake): every task a thread, all at once; sanitizer variants over everything, ESP-IDF's
  code and Mbed TLS included; the sentinel on ESP-IDF's transport calls.
- ``idf``: ESP-IDF's own linux target as it is: its FreeRTOS POSIX port runs one task at a time; debug only.
"""

from __future__ import annotations

#: The default first.
PLATFORMS = ("parallel", "idf")
#: Built in debug, tsan and asan; the others in debug only.
VARIANT_PLATFORMS = ("parallel",)
