#include <limits.h>
#include <stdio.h>
#include <string.h>
/* Two UBSan reports in a recoverable build, the first hit twice: the run goes on to its RESULT. */
static int scale(int x) { return x * 4; }
static void copy(char *dst, const char *src, size_t n) { memcpy(dst, src, n); }
int main(int argc, char **argv) {
    (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("I (10) wsh: START scenario=partial tasks=2 msgs=10\n");
    char buf[4];
    for (int i = 0; i < 2; i++) copy(buf, argc > 5 ? "x" : NULL, 0);
    volatile int big = INT_MAX / 2 + argc;
    printf("I (11) wsh: len=%d\n", scale(big));
    printf("I (30) wsh: RESULT scenario=partial verdict=PASS sent=20 send_err=0 echoed=20 corrupt=0 out_of_order=0 reconnects=0 heap_start=1000 heap_end=1000 min_free_heap=900 fds_start=5 fds_end=5 elapsed_ms=15 reason=\"\"\n");
    return 0;
}
