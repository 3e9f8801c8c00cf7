#include <assert.h>
#include <stdio.h>
static int lock_depth(int held) { assert(held == 0 && "lock released twice"); return held; }
int main(int argc, char **argv) {
    (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("I (4) wsh: READY target=linux idf=v5.4.0 buffer_size_default=1024\n");
    return lock_depth(argc);
}
