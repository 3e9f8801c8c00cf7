#include <stdio.h>
#include <limits.h>
int scale(int x) { return x * 4; }
int main(int argc, char **argv) {
    (void)argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("I (10) wsh: START scenario=partial tasks=2 msgs=10\n");
    volatile int big = INT_MAX / 2 + argc;
    printf("I (11) wsh: len=%d\n", scale(big));
    return 0;
}
