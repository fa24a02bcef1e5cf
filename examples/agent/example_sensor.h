/* The example sensor build's own table, shared by agent.c and watchdog.c:
   build 7.13.18420, the same facts as
   examples/manifests/sensor-7.13.18420.txtpb (agent --print-manifest writes
   it back, and the tests compare the two). */
#ifndef RINGWARD_EXAMPLE_SENSOR_TABLE_H
#define RINGWARD_EXAMPLE_SENSOR_TABLE_H

#include <ringward/loader.h>

#define SENSOR_VERSION (((uint64_t)7 << 48) | ((uint64_t)13 << 32) | 18420u)

#define S RINGWARD_TYPE_STRING
#define U RINGWARD_TYPE_UINT
#define I RINGWARD_TYPE_INT
#define B RINGWARD_TYPE_BOOL
#define X RINGWARD_TYPE_BYTES
#define E RINGWARD_TYPE_ENUM
#define P RINGWARD_TYPE_IP
static const uint8_t process_start_v1[] = {S, S, S, S, E, B, U, U, U, X, S};
static const uint8_t process_start_v2[] = {S, S, S, S, E, B, U, U, U, X, S, E, I, S};
static const uint8_t file_write_v1[] = {S, S, U, I, U, S, E, X, B};
static const uint8_t network_connect_v1[] = {P, U, P, U, E, E, S, U};
static const uint8_t dns_query_v1[] = {S, E, P, S, U, U, B};
static const uint8_t named_pipe_ipc_v1[] = {S, S, S, U, U, U, U, U, U, E, E,
                                            E, U, B, S, S, S, E, U, X, S};
#undef S
#undef U
#undef I
#undef B
#undef X
#undef E
#undef P

#define COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))
static const ringward_template_support sensor_table[] = {
    {1, 1, COUNT(process_start_v1), process_start_v1},
    {1, 2, COUNT(process_start_v2), process_start_v2},
    {2, 1, COUNT(file_write_v1), file_write_v1},
    {3, 1, COUNT(network_connect_v1), network_connect_v1},
    {4, 1, COUNT(dns_query_v1), dns_query_v1},
    {5, 1, COUNT(named_pipe_ipc_v1), named_pipe_ipc_v1},
};

#endif
