#include "webhook_receiver.h"

#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define S_HEAD_MAX 8192

// Copy the value of header `name` in head into out (RECEIVER_HEADER_VALUE).
static void
s_header(const char *head, const char *name, char *out)
{
    out[0] = '\0';
    size_t len = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line;
         line = strstr(line + 2, "\r\n")) {
        const char *start = line + 2;
        if (strncasecmp(start, name, len) == 0 && start[len] == ':') {
            const char *value = start + len + 1;
            while (*value == ' ') {
                value++;
            }
            size_t n = strcspn(value, "\r\n");
            snprintf(out, RECEIVER_HEADER_VALUE, "%.*s", (int)n, value);
            return;
        }
    }
}

// Read one request from fd into hit (head into head). 0 or -1.
static int
s_read(int fd, char *head, receiver_hit_t *hit)
{
    size_t got = 0;
    char *end = NULL;
    static char buf[S_HEAD_MAX + RECEIVER_BODY_MAX];
    while (!end && got < sizeof buf - 1) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 3000) <= 0) {
            return -1;
        }
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n <= 0) {
            return -1;
        }
        got += (size_t)n;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end || (size_t)(end - buf) >= S_HEAD_MAX) {
        return -1;
    }
    size_t head_size = (size_t)(end - buf) + 4;
    memcpy(head, buf, head_size - 2);
    head[head_size - 2] = '\0';
    char length[RECEIVER_HEADER_VALUE];
    s_header(head, "Content-Length", length);
    size_t want = (size_t)strtoul(length, NULL, 10);
    if (want >= RECEIVER_BODY_MAX) {
        return -1;
    }
    while (got - head_size < want) {
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t n = poll(&p, 1, 3000) > 0
                        ? read(fd, buf + got, sizeof buf - 1 - got)
                        : -1;
        if (n <= 0) {
            return -1;
        }
        got += (size_t)n;
    }
    memcpy(hit->body, buf + head_size, want);
    hit->body[want] = '\0';
    hit->body_size = want;
    sscanf(head, "%*s %159s", hit->path);
    s_header(head, "webhook-id", hit->id);
    s_header(head, "webhook-timestamp", hit->timestamp);
    s_header(head, "webhook-signature", hit->signature);
    return 0;
}

// Keep a request and return the status to answer it with.
static int
s_record(receiver_t *self, const receiver_hit_t *hit)
{
    pthread_mutex_lock(&self->lock);
    int status = self->count < self->script_count ? self->script[self->count]
                                                  : self->fallback;
    if (self->count < RECEIVER_HITS_MAX) {
        self->hits[self->count] = *hit;
        self->hits[self->count].answered = status;
    }
    self->count++;
    pthread_mutex_unlock(&self->lock);
    return status;
}

static void
s_serve_one(receiver_t *self, int fd)
{
    static char head[S_HEAD_MAX];
    static receiver_hit_t hit;
    memset(&hit, 0, sizeof hit);
    if (s_read(fd, head, &hit) != 0) {
        return;
    }
    int status = s_record(self, &hit);
    char reply[128];
    int n = snprintf(reply, sizeof reply,
                     "HTTP/1.1 %d Test\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n",
                     status);
    ssize_t sent = write(fd, reply, (size_t)n);
    (void)sent; // the sender may be gone: then it retries
}

static void *
s_run(void *arg)
{
    receiver_t *self = arg;
    for (;;) {
        pthread_mutex_lock(&self->lock);
        bool stop = self->stop;
        pthread_mutex_unlock(&self->lock);
        if (stop) {
            return NULL;
        }
        struct pollfd p = {self->fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        int fd = accept(self->fd, NULL, NULL);
        if (fd >= 0) {
            s_serve_one(self, fd);
            close(fd);
        }
    }
}

int
receiver_start(receiver_t *self, const int *script, size_t script_count,
               int fallback)
{
    memset(self, 0, sizeof *self);
    pthread_mutex_init(&self->lock, NULL);
    for (size_t i = 0; i < script_count && i < RECEIVER_SCRIPT_MAX; i++) {
        self->script[self->script_count++] = script[i];
    }
    self->fallback = fallback;
    self->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (self->fd < 0 || bind(self->fd, (struct sockaddr *)&addr, size) != 0
        || listen(self->fd, 16) != 0
        || getsockname(self->fd, (struct sockaddr *)&addr, &size) != 0) {
        return -1;
    }
    self->port = ntohs(addr.sin_port);
    return pthread_create(&self->thread, NULL, s_run, self) == 0 ? 0 : -1;
}

void
receiver_set_fallback(receiver_t *self, int status)
{
    pthread_mutex_lock(&self->lock);
    self->fallback = status;
    pthread_mutex_unlock(&self->lock);
}

size_t
receiver_count(receiver_t *self)
{
    pthread_mutex_lock(&self->lock);
    size_t count = self->count;
    pthread_mutex_unlock(&self->lock);
    return count;
}

int
receiver_hit(receiver_t *self, size_t i, receiver_hit_t *out)
{
    pthread_mutex_lock(&self->lock);
    int rc = i < self->count && i < RECEIVER_HITS_MAX ? 0 : -1;
    if (rc == 0) {
        *out = self->hits[i];
    }
    pthread_mutex_unlock(&self->lock);
    return rc;
}

static void
s_copy_header(nng_http_req *req, const char *name, char *out)
{
    const char *value = nng_http_req_get_header(req, name);
    snprintf(out, RECEIVER_HEADER_VALUE, "%s", value ? value : "");
}

// nng's handler of POST /hook (HTTPS).
static void
s_tls_handle(nng_aio *aio)
{
    nng_http_req *req = nng_aio_get_input(aio, 0);
    nng_http_handler *handler = nng_aio_get_input(aio, 1);
    receiver_t *self = nng_http_handler_get_data(handler);
    static receiver_hit_t hit; // one handler call at a time (nng's lock)
    memset(&hit, 0, sizeof hit);
    void *body = NULL;
    size_t size = 0;
    nng_http_req_get_data(req, &body, &size);
    size = size < RECEIVER_BODY_MAX ? size : RECEIVER_BODY_MAX - 1;
    memcpy(hit.body, body, size);
    hit.body_size = size;
    snprintf(hit.path, sizeof hit.path, "%s", nng_http_req_get_uri(req));
    s_copy_header(req, "webhook-id", hit.id);
    s_copy_header(req, "webhook-timestamp", hit.timestamp);
    s_copy_header(req, "webhook-signature", hit.signature);
    nng_http_res *res = NULL;
    if (nng_http_res_alloc(&res) != 0) {
        nng_aio_finish(aio, NNG_ENOMEM);
        return;
    }
    nng_http_res_set_status(res, (uint16_t)s_record(self, &hit));
    nng_http_res_copy_data(res, "ok", 2);
    nng_aio_set_output(aio, 0, res);
    nng_aio_finish(aio, 0);
}

static int
s_tls_server(receiver_t *self, const char *cert_pem, const char *key_pem)
{
    char address[64];
    snprintf(address, sizeof address, "https://127.0.0.1:%d", self->port);
    nng_url *url = NULL;
    nng_http_server *server = NULL;
    nng_http_handler *handler = NULL;
    nng_tls_config *tls = NULL;
    int rv = nng_url_parse(&url, address);
    rv = rv ? rv : nng_http_server_hold(&server, url);
    rv = rv ? rv : nng_tls_config_alloc(&tls, NNG_TLS_MODE_SERVER);
    rv = rv ? rv : nng_tls_config_own_cert(tls, cert_pem, key_pem, NULL);
    rv = rv ? rv : nng_http_server_set_tls(server, tls);
    rv = rv ? rv : nng_http_handler_alloc(&handler, "/hook", s_tls_handle);
    rv = rv ? rv : nng_http_handler_set_method(handler, "POST");
    rv = rv ? rv
            : nng_http_handler_collect_body(handler, true, RECEIVER_BODY_MAX);
    rv = rv ? rv : nng_http_handler_set_data(handler, self, NULL);
    rv = rv ? rv : nng_http_server_add_handler(server, handler);
    rv = rv ? rv : nng_http_server_start(server);
    if (tls) {
        nng_tls_config_free(tls);
    }
    if (url) {
        nng_url_free(url);
    }
    self->https = server;
    return rv == 0 ? 0 : -1;
}

int
receiver_start_tls(receiver_t *self, const char *cert_pem, const char *key_pem,
                   int fallback)
{
    memset(self, 0, sizeof *self);
    pthread_mutex_init(&self->lock, NULL);
    self->fallback = fallback;
    self->fd = -1;
    self->port = harness_free_port();
    return self->port > 0 ? s_tls_server(self, cert_pem, key_pem) : -1;
}

void
receiver_stop(receiver_t *self)
{
    if (self->https) {
        nng_http_server_stop(self->https);
        nng_http_server_release(self->https);
        self->https = NULL;
        pthread_mutex_destroy(&self->lock);
        return;
    }
    pthread_mutex_lock(&self->lock);
    self->stop = true;
    pthread_mutex_unlock(&self->lock);
    pthread_join(self->thread, NULL);
    close(self->fd);
    pthread_mutex_destroy(&self->lock);
}

void
receiver_expected_signature(const char *secret, const receiver_hit_t *hit,
                            char *out)
{
    unsigned char key[64], mac[crypto_auth_hmacsha256_BYTES];
    size_t len = 0;
    const char *b64 = strncmp(secret, "whsec_", 6) == 0 ? secret + 6 : "";
    out[0] = '\0';
    if (sodium_base642bin(key, sizeof key, b64, strlen(b64), NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL)
        != 0) {
        return;
    }
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key, len);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)hit->id,
                                  strlen(hit->id));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)hit->timestamp,
                                  strlen(hit->timestamp));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)hit->body,
                                  hit->body_size);
    crypto_auth_hmacsha256_final(&state, mac);
    memcpy(out, "v1,", 3);
    sodium_bin2base64(out + 3, 61, mac, sizeof mac,
                      sodium_base64_VARIANT_ORIGINAL);
}
