#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct transport { int fd; char buf[32]; };
static void transport_close(struct transport *t) { free(t); }
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("I (10) wsh: START scenario=abort_storm tasks=4 msgs=50\n");
    printf("I (11) websocket_client: Connected to ws://127.0.0.1:4000/echo\n");
    struct transport *t = malloc(sizeof *t);
    memset(t, 0, sizeof *t);
    transport_close(t);
    printf("W (12) websocket_client: reading after close fd=%d\n", t->fd);
    return 0;
}
