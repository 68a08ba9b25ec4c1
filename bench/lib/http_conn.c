#include "http_conn.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define S_REQUEST_MAX 2048

int
http_conn_open(http_conn_t *conn, int port)
{
    if (conn->fd > 0) {
        close(conn->fd);
    }
    conn->fd = socket(AF_INET, SOCK_STREAM, 0);
    conn->used = 0;
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((unsigned short)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval timeout = {10, 0};
    int one = 1;
    if (conn->fd < 0
        || setsockopt(conn->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout,
                      sizeof timeout)
               != 0
        || setsockopt(conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0
        || connect(conn->fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        http_conn_close(conn);
        return -1;
    }
    return 0;
}

void
http_conn_close(http_conn_t *conn)
{
    if (conn->fd > 0) {
        close(conn->fd);
    }
    conn->fd = -1;
    conn->used = 0;
}

static int
s_write_all(int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n <= 0) {
            return -1;
        }
        data += n;
        size -= (size_t)n;
    }
    return 0;
}

// Read until the buffer holds the whole head; the head's length, or -1.
static int
s_read_head(http_conn_t *conn)
{
    for (;;) {
        conn->buffer[conn->used] = '\0';
        char *end = strstr(conn->buffer, "\r\n\r\n");
        if (end) {
            return (int)(end - conn->buffer) + 4;
        }
        if (conn->used >= HTTP_CONN_BUFFER - 1) {
            return -1;
        }
        ssize_t n = read(conn->fd, conn->buffer + conn->used,
                         (size_t)(HTTP_CONN_BUFFER - 1 - conn->used));
        if (n <= 0) {
            return -1;
        }
        conn->used += (int)n;
    }
}

static long
s_content_length(const char *head)
{
    for (const char *p = head; (p = strchr(p, '\n')); p++) {
        if (strncasecmp(p + 1, "Content-Length:", 15) == 0) {
            return strtol(p + 16, NULL, 10);
        }
    }
    return 0;
}

int
http_conn_request(http_conn_t *conn, const char *method, const char *path,
                  const char *headers, const char *body)
{
    char request[S_REQUEST_MAX];
    size_t size = body ? strlen(body) : 0;
    int n = snprintf(request, sizeof request,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, path, headers, size, body ? body : "");
    int head = n > 0 && n < (int)sizeof request
                       && s_write_all(conn->fd, request, (size_t)n) == 0
                   ? s_read_head(conn)
                   : -1;
    if (head < 0) {
        http_conn_close(conn);
        return 0;
    }
    int status = atoi(conn->buffer + 9);
    long want = head + s_content_length(conn->buffer);
    while (conn->used < want) {
        ssize_t r = read(conn->fd, conn->buffer + conn->used,
                         (size_t)(HTTP_CONN_BUFFER - 1 - conn->used));
        if (r <= 0 || want >= HTTP_CONN_BUFFER) {
            http_conn_close(conn);
            return status;
        }
        conn->used += (int)r;
    }
    if (conn->body && conn->body_size) {
        size_t length = (size_t)(want - head);
        length = length < conn->body_size ? length : conn->body_size - 1;
        memcpy(conn->body, conn->buffer + head, length);
        conn->body[length] = '\0';
    }
    memmove(conn->buffer, conn->buffer + want, (size_t)(conn->used - want));
    conn->used -= (int)want;
    return status;
}
