/* lwIP's address-conversion header on the host: <arpa/inet.h>. */
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
