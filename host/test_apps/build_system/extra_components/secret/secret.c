#include "secret.h"

const char *secret_text(void)
{
    return "extra";
}
