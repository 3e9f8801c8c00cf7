/*
 * ws and wss round trips through tcp_transport: connect to the URI, send one text message, read the echo.
 * Logs "SMOKE <scheme> ok" or what failed. Called from app_main only.
 */
#pragma once

#include <stdbool.h>

/* uri: ws://host:port/path or wss://...; ca_der_b64: the CA (DER, base64) for wss, else NULL. */
bool smoke_ws_round_trip(const char *uri, const char *ca_der_b64);
