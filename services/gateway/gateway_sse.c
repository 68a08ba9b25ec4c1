#include "gateway_sse.h"

#include <czmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_READ_BUFFER 256 // bytes read (and dropped) per read

struct gateway_sse {
    nng_http_conn *conn;         // owned after the hijack
    nng_http_req *http;          // owned after the hijack
    json_t *actor;               // owned reference
    char request_id[129];        // for logs
    nng_aio *write_aio;          // the write in flight
    nng_aio *read_aio;           // notices the client leaving
    pthread_mutex_t mutex;       // guards the fields below
    char *writing;               // bytes of the write in flight (owned)
    char *pending;               // bytes waiting (owned)
    size_t pending_size;         // their count
    bool busy;                   // a write is in flight
    bool closed;                 // no more writes
    char scratch[S_READ_BUFFER]; // read target
    zhashx_t *last_ids; // stream → last entry id sent (owned strings)
};

// Start writing pending bytes; mutex held.
static void
s_start_write(gateway_sse_t *self)
{
    if (self->busy || self->closed || self->pending_size == 0) {
        return;
    }
    free(self->writing);
    self->writing = self->pending;
    nng_iov iov = {self->writing, self->pending_size};
    self->pending = NULL;
    self->pending_size = 0;
    self->busy = true;
    nng_aio_set_iov(self->write_aio, 1, &iov);
    nng_http_conn_write_all(self->conn, self->write_aio);
}

static void
s_on_write(void *arg)
{
    gateway_sse_t *self = arg;
    pthread_mutex_lock(&self->mutex);
    self->busy = false;
    if (nng_aio_result(self->write_aio) != 0) {
        self->closed = true;
    } else {
        s_start_write(self);
    }
    pthread_mutex_unlock(&self->mutex);
}

static void
s_on_read(void *arg)
{
    gateway_sse_t *self = arg;
    pthread_mutex_lock(&self->mutex);
    if (nng_aio_result(self->read_aio) != 0) {
        self->closed = true;
    } else if (!self->closed) {
        nng_iov iov = {self->scratch, sizeof self->scratch};
        nng_aio_set_iov(self->read_aio, 1, &iov);
        nng_http_conn_read(self->conn, self->read_aio);
    }
    pthread_mutex_unlock(&self->mutex);
}

static void
s_free_string(void **item)
{
    free(*item);
    *item = NULL;
}

gateway_sse_t *
gateway_sse_new(nng_http_conn *conn, nng_http_req *http, const json_t *actor,
                const char *request_id)
{
    gateway_sse_t *self = calloc(1, sizeof *self);
    if (!self) {
        nng_http_conn_close(conn);
        nng_http_req_free(http);
        return NULL;
    }
    self->conn = conn;
    self->http = http;
    self->actor = json_deep_copy(actor);
    snprintf(self->request_id, sizeof self->request_id, "%s", request_id);
    pthread_mutex_init(&self->mutex, NULL);
    self->last_ids = zhashx_new();
    if (!self->last_ids || nng_aio_alloc(&self->write_aio, s_on_write, self)
        || nng_aio_alloc(&self->read_aio, s_on_read, self)) {
        gateway_sse_destroy(&self);
        return NULL;
    }
    zhashx_set_destructor(self->last_ids, s_free_string);
    zhashx_set_duplicator(self->last_ids, (zhashx_duplicator_fn *)strdup);
    char head[512];
    int size = snprintf(head, sizeof head,
                        "HTTP/1.1 200 OK\r\n"
                        "Content-Type: text/event-stream\r\n"
                        "Cache-Control: no-cache\r\n"
                        "Connection: close\r\n"
                        "X-Accel-Buffering: no\r\n"
                        "X-Request-Id: %s\r\n\r\n"
                        "retry: %d\n\n",
                        self->request_id, GATEWAY_SSE_RETRY_MS);
    gateway_sse_write(self, head, (size_t)size);
    pthread_mutex_lock(&self->mutex);
    nng_iov iov = {self->scratch, sizeof self->scratch};
    nng_aio_set_iov(self->read_aio, 1, &iov);
    nng_http_conn_read(self->conn, self->read_aio);
    pthread_mutex_unlock(&self->mutex);
    return self;
}

void
gateway_sse_destroy(gateway_sse_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    gateway_sse_t *self = *self_p;
    pthread_mutex_lock(&self->mutex);
    self->closed = true;
    pthread_mutex_unlock(&self->mutex);
    if (self->write_aio) {
        nng_aio_stop(self->write_aio);
    }
    if (self->read_aio) {
        nng_aio_stop(self->read_aio);
    }
    nng_http_conn_close(self->conn);
    nng_http_req_free(self->http);
    nng_aio_free(self->write_aio);
    nng_aio_free(self->read_aio);
    pthread_mutex_destroy(&self->mutex);
    zhashx_destroy(&self->last_ids);
    json_decref(self->actor);
    free(self->writing);
    free(self->pending);
    free(self);
    *self_p = NULL;
}

int
gateway_sse_write(gateway_sse_t *self, const char *text, size_t size)
{
    pthread_mutex_lock(&self->mutex);
    int rc = -1;
    if (!self->closed && self->pending_size + size <= GATEWAY_SSE_BUFFER_MAX) {
        char *grown = realloc(self->pending, self->pending_size + size);
        if (grown) {
            memcpy(grown + self->pending_size, text, size);
            self->pending = grown;
            self->pending_size += size;
            s_start_write(self);
            rc = 0;
        }
    }
    if (rc != 0) {
        self->closed = true;
    }
    pthread_mutex_unlock(&self->mutex);
    return rc;
}

bool
gateway_sse_is_closed(gateway_sse_t *self)
{
    pthread_mutex_lock(&self->mutex);
    bool closed = self->closed;
    pthread_mutex_unlock(&self->mutex);
    return closed;
}

const json_t *
gateway_sse_actor(const gateway_sse_t *self)
{
    return self->actor;
}

const char *
gateway_sse_request_id(const gateway_sse_t *self)
{
    return self->request_id;
}

const char *
gateway_sse_last_id(gateway_sse_t *self, const char *stream)
{
    const char *id = zhashx_lookup(self->last_ids, stream);
    return id ? id : "0-0";
}

void
gateway_sse_set_last_id(gateway_sse_t *self, const char *stream, const char *id)
{
    zhashx_update(self->last_ids, stream, (void *)id);
}

static bool
s_same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

bool
gateway_sse_visible(const json_t *actor, const json_t *envelope)
{
    const char *role = json_string_value(json_object_get(actor, "role"));
    if (s_same(role, "station_head") || s_same(role, "deputy_head")
        || s_same(role, "auditor")) {
        return true;
    }
    // The subject's department only: who acted says nothing about who may
    // read what the event carries (a case answer, a work order, a token).
    const char *department =
        json_string_value(json_object_get(actor, "department"));
    json_t *data = json_object_get(envelope, "data");
    return s_same(department,
                  json_string_value(json_object_get(data, "department")));
}

char *
gateway_sse_frame(const char *id, const char *type, const char *data)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out) {
        return NULL;
    }
    fprintf(out, "id: %s\nevent: %s\n", id, type);
    const char *line = data;
    while (line) {
        const char *end = strchr(line, '\n');
        int length = end ? (int)(end - line) : (int)strlen(line);
        fprintf(out, "data: %.*s\n", length, line);
        line = end ? end + 1 : NULL;
    }
    fputc('\n', out);
    fclose(out);
    return text;
}
