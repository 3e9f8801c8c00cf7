/* A three-frame call chain for tests/static/test_decode_panic.py: compiled freestanding for i386 and
 * linked at an ESP32 flash-text address, so recorded ESP-IDF panic texts can point into it. */
static volatile int sink;

__attribute__((noinline)) void crash_here(int *p)
{
    sink = *p;
}

__attribute__((noinline)) void caller(void)
{
    crash_here(0);
}

void app_main(void)
{
    caller();
}
