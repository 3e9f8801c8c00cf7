#include "feature.h"
const char *feature_name(void) { return "on"; }
