// gateway_buffer — a growable byte buffer for the front thread's
// connections: bytes appended at the end, taken from the front, read from
// and written to a non-blocking socket.
#ifndef GATEWAY_BUFFER_H
#define GATEWAY_BUFFER_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
    char *data;      // owned (free it)
    size_t size;     // bytes held
    size_t capacity; // bytes allocated
} gateway_buffer_t;

// Append size bytes (grows by doubling).
void gateway_buffer_append(gateway_buffer_t *buffer, const char *data,
                           size_t size);

// Drop size bytes (at most what is held) from the front.
void gateway_buffer_consume(gateway_buffer_t *buffer, size_t size);

// Move size bytes from the front of from to the end of to.
void gateway_buffer_move(gateway_buffer_t *from, gateway_buffer_t *to,
                         size_t size);

// Read what the socket has (up to GATEWAY_CONN_READ_BYTES) onto the end:
// bytes read, 0 at end of stream, -1 would block, -2 on an error.
ssize_t gateway_buffer_recv(int fd, gateway_buffer_t *buffer);

// Send from the front what the socket takes: 0, or -1 on an error.
int gateway_buffer_send(int fd, gateway_buffer_t *buffer);

#endif
