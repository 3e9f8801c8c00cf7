/*
 * key=value arguments of one test case line (see case_args.h). No locking: used by the console task only.
 */
#include "case_args.h"

#include <stdlib.h>
#include <string.h>

const char *case_args_parse(char *line, case_args_t *args, const char **why)
{
    args->count = 0;
    char *save = NULL;
    const char *name = strtok_r(line, " \t\r\n", &save);
    if (name == NULL) {
        *why = "empty line";
        return NULL;
    }
    for (char *tok = strtok_r(NULL, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
        char *eq = strchr(tok, '=');
        if (eq == NULL || eq == tok) {
            *why = "argument is not key=value";
            return NULL;
        }
        if (args->count == CASE_MAX_ARGS) {
            *why = "too many arguments";
            return NULL;
        }
        *eq = '\0';
        args->key[args->count] = tok;
        args->value[args->count] = eq + 1;
        args->count++;
    }
    return name;
}

const char *case_arg_str(const case_args_t *args, const char *key, const char *fallback)
{
    for (int i = 0; i < args->count; i++) {
        if (strcmp(args->key[i], key) == 0) {
            return args->value[i];
        }
    }
    return fallback;
}

int case_arg_int(const case_args_t *args, const char *key, int fallback)
{
    const char *v = case_arg_str(args, key, NULL);
    return v ? atoi(v) : fallback;
}
