/*
 * Host only: memory that host/ itself keeps allocated on purpose and a device would not hold (the sentinel's
 * quarantine of destroyed transports). The heap figures leave it out, so leak checks written for a device see
 * the application's memory only. A component that retains memory defines wsh_host_retained_bytes(); the heap
 * component's weak default says 0. Thread-safe: read at any time.
 */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

size_t wsh_host_retained_bytes(void);

#ifdef __cplusplus
}
#endif
