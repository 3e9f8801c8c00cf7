/*
 * The command loop over the console's line input (wsh_stdin: a pipe on linux, the UART or USB-serial-JTAG
 * console on a board). Console task only.
 */
#pragma once

/* Prints READY, then runs commands until `quit` (which ends the process on linux). */
void hammer_console_run(const char *network_address);
