#pragma once
/* The secret component's text, passed through (greeter uses secret privately). */
const char *greeter_text(void);
/* GREETER_COMPILE_OPTION, set with target_compile_options(${COMPONENT_LIB} PRIVATE ...). */
int greeter_compile_option(void);
