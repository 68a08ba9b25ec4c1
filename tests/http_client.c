#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int
http_client_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval timeout = {HTTP_CLIENT_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void
s_write_all(int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t sent = send(fd, data, size, MSG_NOSIGNAL);
        if (sent <= 0) {
            return; // the server may close early (413): read what it said
        }
        data += sent;
        size -= (size_t)sent;
    }
}

void
http_client_send(int fd, const char *method, const char *path,
                 const char *headers, const char *body, size_t body_size)
{
    char head[4096];
    int size = snprintf(head, sizeof head,
                        "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s"
                        "Content-Length: %zu\r\n\r\n",
                        method, path, headers ? headers : "", body_size);
    s_write_all(fd, head, (size_t)size);
    if (body_size > 0) {
        s_write_all(fd, body, body_size);
    }
}

void
http_client_send_raw(int fd, const void *data, size_t size)
{
    s_write_all(fd, data, size);
}

http_client_next_t
http_client_next(int fd, int timeout_ms)
{
    struct pollfd item = {fd, POLLIN, 0};
    if (poll(&item, 1, timeout_ms) <= 0) {
        return HTTP_CLIENT_QUIET;
    }
    char byte;
    ssize_t got = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return got > 0 ? HTTP_CLIENT_MORE : HTTP_CLIENT_CLOSED;
}

// strstr ignoring ASCII case (strcasestr is a GNU extension).
static const char *
s_find(const char *haystack, const char *needle)
{
    size_t size = strlen(needle);
    for (const char *p = haystack; *p; p++) {
        if (strncasecmp(p, needle, size) == 0) {
            return p;
        }
    }
    return NULL;
}

// Read one response (head, then Content-Length bytes). 0 or -1.
int
http_client_read(int fd, http_client_response_t *response)
{
    memset(response, 0, sizeof *response);
    size_t used = 0;
    char *end = NULL;
    while (!end && used < sizeof response->head - 1) {
        ssize_t got = recv(fd, response->head + used, 1, 0);
        if (got <= 0) {
            return -1;
        }
        used++;
        response->head[used] = '\0';
        end = strstr(response->head, "\r\n\r\n");
    }
    if (!end || sscanf(response->head, "HTTP/1.1 %d", &response->status) != 1) {
        return -1;
    }
    const char *length = s_find(response->head, "\r\nContent-Length:");
    response->has_length = length != NULL;
    size_t want = length ? strtoul(length + 17, NULL, 10) : 0;
    while (response->body_size < want && want < sizeof response->body) {
        ssize_t got = recv(fd, response->body + response->body_size,
                           want - response->body_size, 0);
        if (got <= 0) {
            return -1;
        }
        response->body_size += (size_t)got;
    }
    response->body[response->body_size] = '\0';
    return 0;
}

// One request on a new connection.
int
http_client_request(int port, const char *method, const char *path,
                    const char *headers, const char *body,
                    http_client_response_t *response)
{
    response->status = 0; // no response read yet
    int fd = http_client_connect(port);
    if (fd < 0) {
        return -1;
    }
    http_client_send(fd, method, path, headers, body, body ? strlen(body) : 0);
    int rc = http_client_read(fd, response);
    close(fd);
    return rc;
}

const char *
http_client_header(const http_client_response_t *response, const char *name,
                   char *value, size_t size)
{
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\r\n%s:", name);
    const char *at = s_find(response->head, pattern);
    if (!at) {
        return NULL;
    }
    at += strlen(pattern);
    at += strspn(at, " ");
    size_t length = strcspn(at, "\r");
    snprintf(value, size, "%.*s", (int)length, at);
    return value;
}
