/* The scenarios base_system runs; each logs key=value lines with tag "sys_test". */
#pragma once

#define SYS_TAG "sys_test"

void scenario_info(void);
void scenario_heap(void);
void scenario_race(void);
void scenario_leak(void);
void scenario_overflow(const char *digits);
void scenario_use_after_free(void);
