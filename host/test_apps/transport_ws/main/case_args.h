/*
 * key=value arguments of one test case line. Pure parsing over the caller's line; no locking.
 */
#pragma once

#include <stdbool.h>

#define CASE_MAX_ARGS 16

typedef struct {
    int count;
    const char *key[CASE_MAX_ARGS];
    const char *value[CASE_MAX_ARGS];
} case_args_t;

/* Splits "name k=v k=v" in place: returns the case name, or NULL when the line is malformed (*why set). */
const char *case_args_parse(char *line, case_args_t *args, const char **why);
const char *case_arg_str(const case_args_t *args, const char *key, const char *fallback);
int case_arg_int(const case_args_t *args, const char *key, int fallback);
