/*
 * The console: blocking line input on stdin (a pipe on linux, the UART or
 * USB-serial-JTAG console on a board) and the command loop. Console task only.
 */
#pragma once

/* Makes stdout unbuffered and, on a device, installs the console driver so read() blocks. */
void hammer_console_init(void);

/* Prints READY, then runs commands until `quit` (which ends the process on linux). */
void hammer_console_run(const char *network_address);
