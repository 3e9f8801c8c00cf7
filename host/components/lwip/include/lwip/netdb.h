/* lwIP's resolver header on the host: getaddrinfo() and friends from <netdb.h>. */
#pragma once

#include <netdb.h>
#include "lwip/sockets.h"
