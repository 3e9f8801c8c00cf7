/* Memory-placement attributes of ESP-IDF. On the host there is one flat memory, so placement attributes
 * expand to nothing; the inlining and alignment ones keep their meaning. No state, no locking. */
#pragma once

#define IRAM_ATTR
#define DRAM_ATTR
#define IRAM_DATA_ATTR
#define IRAM_BSS_ATTR
#define DRAM_STR(str) (str)
#define RTC_DATA_ATTR
#define RTC_RODATA_ATTR
#define RTC_FAST_ATTR
#define RTC_SLOW_ATTR
#define RTC_IRAM_ATTR
#define RTC_NOINIT_ATTR
#define NOINIT_ATTR
#define EXT_RAM_ATTR
#define EXT_RAM_BSS_ATTR
#define EXT_RAM_NOINIT_ATTR
#define COREDUMP_DRAM_ATTR
#define TCM_IRAM_ATTR
#define TCM_DRAM_ATTR

#define WORD_ALIGNED_ATTR __attribute__((aligned(4)))
#define FORCE_INLINE_ATTR static inline __attribute__((always_inline))
#define NOINLINE_ATTR __attribute__((noinline))
#define ESP_ATTR_UNUSED __attribute__((unused))
#define IDF_DEPRECATED(reason) __attribute__((deprecated(reason)))
