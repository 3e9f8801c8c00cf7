#pragma once
const char *feature_name(void);
