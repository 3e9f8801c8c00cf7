#include "greeter.h"
#include "secret.h"

const char *greeter_text(void)
{
    return secret_text();
}

int greeter_compile_option(void)
{
    return GREETER_COMPILE_OPTION;
}
