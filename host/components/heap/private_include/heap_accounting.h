/* Internal interface between heap_caps.c and heap_accounting.c. */
#pragma once

#include <stddef.h>

/* The configured heap size in bytes (WSH_HEAP_SIZE, default WSH_HEAP_SIZE_DEFAULT). */
size_t heap_accounting_total(void);
/* Configured size minus live bytes (0 when the process holds more); updates the minimum. */
size_t heap_accounting_free(void);
/* The lowest free figure seen so far (queries and the periodic sampler). */
size_t heap_accounting_minimum_free(void);
