/* A minimal lwIP ip_addr_t (layout as in lwIP with IPv4 and IPv6), enough for code that stores
 * addresses in it. Addresses are in network byte order, as in lwIP. No functions, no state. */
#pragma once

#include <stdint.h>
#include "lwip/inet.h"

typedef struct {
    uint32_t addr;
} ip4_addr_t;

typedef struct {
    uint32_t addr[4];
    uint8_t zone;
} ip6_addr_t;

enum lwip_ip_addr_type {
    IPADDR_TYPE_V4 = 0U,
    IPADDR_TYPE_V6 = 6U,
    IPADDR_TYPE_ANY = 46U,
};

typedef struct {
    union {
        ip6_addr_t ip6;
        ip4_addr_t ip4;
    } u_addr;
    uint8_t type;
} ip_addr_t;

#define IP_IS_V4(ipaddr) ((ipaddr)->type == IPADDR_TYPE_V4)
#define IP_IS_V6(ipaddr) ((ipaddr)->type == IPADDR_TYPE_V6)
