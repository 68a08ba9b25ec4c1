// gateway_buffer — see gateway_buffer.h.
#include "gateway_buffer.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gateway_conn.h"

void
gateway_buffer_append(gateway_buffer_t *buffer, const char *data, size_t size)
{
    if (buffer->size + size > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 4096;
        while (capacity < buffer->size + size) {
            capacity *= 2;
        }
        buffer->data = realloc(buffer->data, capacity);
        assert(buffer->data);
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->size, data, size);
    buffer->size += size;
}

void
gateway_buffer_consume(gateway_buffer_t *buffer, size_t size)
{
    assert(size <= buffer->size);
    memmove(buffer->data, buffer->data + size, buffer->size - size);
    buffer->size -= size;
}

void
gateway_buffer_move(gateway_buffer_t *from, gateway_buffer_t *to, size_t size)
{
    gateway_buffer_append(to, from->data, size);
    gateway_buffer_consume(from, size);
}

ssize_t
gateway_buffer_recv(int fd, gateway_buffer_t *buffer)
{
    char chunk[GATEWAY_CONN_READ_BYTES];
    ssize_t got = recv(fd, chunk, sizeof chunk, 0);
    if (got > 0) {
        gateway_buffer_append(buffer, chunk, (size_t)got);
        return got;
    }
    if (got < 0
        && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return -1;
    }
    return got == 0 ? 0 : -2;
}

int
gateway_buffer_send(int fd, gateway_buffer_t *buffer)
{
    if (buffer->size == 0) {
        return 0;
    }
    ssize_t sent = send(fd, buffer->data, buffer->size, MSG_NOSIGNAL);
    if (sent >= 0) {
        gateway_buffer_consume(buffer, (size_t)sent);
        return 0;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
}
