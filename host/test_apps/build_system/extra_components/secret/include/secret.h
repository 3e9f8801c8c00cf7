#pragma once
const char *secret_text(void);
