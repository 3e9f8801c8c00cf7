#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
/* Two unrelated races, each hit many times: a tsan run that keeps going reports both, each once. */
static int state;
static int counter;
static void *closer(void *arg) { for (int i = 0; i < 1000; i++) state = i; return arg; }
static void *sender(void *arg) { int seen = 0; for (int i = 0; i < 1000; i++) seen += state; return (void *)(long)seen; }
static void *worker(void *arg) { for (int i = 0; i < 1000; i++) counter++; return arg; }
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("I (12) wsh: READY target=linux idf=v5.4 buffer_size_default=1024\n");
    printf("I (15) wsh: START scenario=abort_storm tasks=2 msgs=10\n");
    pthread_t t[4];
    pthread_create(&t[0], NULL, closer, NULL); pthread_create(&t[1], NULL, sender, NULL);
    pthread_create(&t[2], NULL, worker, NULL); pthread_create(&t[3], NULL, worker, NULL);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    printf("I (30) wsh: RESULT scenario=abort_storm verdict=PASS sent=20 send_err=0 echoed=20 corrupt=0 out_of_order=0 reconnects=0 heap_start=1000 heap_end=1000 min_free_heap=900 fds_start=5 fds_end=5 elapsed_ms=15 reason=\"\"\n");
    return 0;
}
