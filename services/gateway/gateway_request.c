#include "gateway_request.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cm_log.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"

static int64_t
s_mono_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

// What both constructors share: method, URI, client address, deadline.
static gateway_request_t *
s_new(gateway_t *gateway, const char *method, const char *uri, const char *peer)
{
    gateway_request_t *self = calloc(1, sizeof *self);
    if (!self) {
        return NULL;
    }
    self->gateway = gateway;
    self->start_us = s_mono_us();
    const gateway_settings_t *settings = gateway_settings(gateway);
    self->deadline_ms = cm_time_now_ms() + settings->deadline_ms;
    self->deadline_mono_ms = cm_time_mono_ms() + settings->deadline_ms;
    snprintf(self->method, sizeof self->method, "%s", method);
    const char *question = strchr(uri, '?');
    size_t path_size = question ? (size_t)(question - uri) : strlen(uri);
    self->path = strndup(uri, path_size);
    self->query_text = question ? strdup(question + 1) : NULL;
    snprintf(self->route, sizeof self->route, "other");
    // Set by the front end (a client's own is dropped there): the key of
    // per-address limits.
    snprintf(self->client_address, sizeof self->client_address, "%s",
             peer ? peer : "unknown");
    if (!self->path || (question && !self->query_text)) {
        gateway_request_destroy(&self);
    }
    return self;
}

gateway_request_t *
gateway_request_new(gateway_t *gateway, nng_aio *aio, nng_http_req *http,
                    nng_http_conn *conn)
{
    gateway_request_t *self = s_new(
        gateway, nng_http_req_get_method(http), nng_http_req_get_uri(http),
        nng_http_req_get_header(http, GATEWAY_WIRE_PEER_HEADER));
    if (self) {
        self->aio = aio;
        self->http = http;
        self->conn = conn;
    }
    return self;
}

// ---- a head read by the front thread ---------------------------------------

static const gateway_request_field_t *
s_field(const gateway_request_field_t *fields, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++) {
        if (strcasecmp(fields[i].name, name) == 0) {
            return &fields[i];
        }
    }
    return NULL;
}

static void
s_free_fields(gateway_request_field_t *fields, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (fields[i].joined) {
            free((char *)fields[i].value);
        }
    }
    free(fields);
}

// Add one "name: value" line (NUL-terminated in place); a repeated name
// joins its values with ", ".
static void
s_add_field(gateway_request_t *self, char *line)
{
    char *colon = strchr(line, ':');
    if (!colon) {
        return;
    }
    *colon = '\0';
    char *value = colon + 1 + strspn(colon + 1, " ");
    gateway_request_field_t *field = (gateway_request_field_t *)s_field(
        self->fields, self->field_count, line);
    if (field) {
        size_t size = strlen(field->value) + strlen(value) + 3;
        char *joined = malloc(size);
        assert(joined);
        snprintf(joined, size, "%s, %s", field->value, value);
        if (field->joined) {
            free((char *)field->value);
        }
        field->value = joined;
        field->joined = true;
        return;
    }
    self->fields[self->field_count++] =
        (gateway_request_field_t){line, value, false};
}

// Split the head in place: the request line gives method and target.
static int
s_split_head(char *head, size_t size, gateway_request_t *self,
             const char **method, const char **target)
{
    size_t lines = 0;
    for (size_t i = 0; i < size; i++) {
        lines += head[i] == '\n';
    }
    self->fields = calloc(lines + 1, sizeof *self->fields);
    assert(self->fields);
    char *at = head;
    char *line = strsep(&at, "\n");
    char *space = strchr(line, ' ');
    char *last = strrchr(line, ' ');
    if (!space || last == space) {
        return -1;
    }
    *space = '\0';
    *last = '\0';
    *method = line;
    *target = space + 1;
    while ((line = strsep(&at, "\n")) && *line && *line != '\r') {
        line[strcspn(line, "\r")] = '\0';
        s_add_field(self, line);
    }
    return 0;
}

gateway_request_t *
gateway_request_new_front(gateway_t *gateway, const char *head,
                          size_t head_size, const char *body, size_t body_size,
                          const gateway_request_origin_t *origin)
{
    char *text = strndup(head, head_size);
    assert(text);
    gateway_request_t probe = {0};
    const char *method = NULL, *target = NULL;
    if (s_split_head(text, head_size, &probe, &method, &target) != 0) {
        s_free_fields(probe.fields, probe.field_count);
        free(text);
        return NULL;
    }
    const gateway_request_field_t *peer =
        s_field(probe.fields, probe.field_count, GATEWAY_WIRE_PEER_HEADER);
    gateway_request_t *self =
        s_new(gateway, method, target, peer ? peer->value : NULL);
    if (!self) {
        s_free_fields(probe.fields, probe.field_count);
        free(text);
        return NULL;
    }
    self->head = text;
    self->fields = probe.fields;
    self->field_count = probe.field_count;
    self->origin = *origin;
    if (body_size > 0) {
        self->body_data = malloc(body_size + 1);
        assert(self->body_data);
        memcpy(self->body_data, body, body_size);
        self->body_data[body_size] = '\0';
        self->body_size = body_size;
    }
    return self;
}

const char *
gateway_request_header(const gateway_request_t *self, const char *name)
{
    if (self->http) {
        return nng_http_req_get_header(self->http, name);
    }
    const gateway_request_field_t *field =
        s_field(self->fields, self->field_count, name);
    return field ? field->value : NULL;
}

void
gateway_request_destroy(gateway_request_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    gateway_request_t *self = *self_p;
    if (self->body_aio) {
        // The body callback may be the caller: reap frees it later.
        nng_aio_reap(self->body_aio);
    }
    if (self->counted) {
        gateway_in_flight_add(self->gateway, -1);
    }
    s_free_fields(self->fields, self->field_count);
    free(self->head);
    free(self->body_data);
    free(self->path);
    free(self->query_text);
    if (self->token) {
        memset(self->token, 0, strlen(self->token));
        free(self->token);
    }
    free(self->idempotency_key);
    free(self->last_event_id);
    free(self->if_match);
    free(self->content_type);
    json_decref(self->body);
    json_decref(self->actor);
    free(self);
    *self_p = NULL;
}

const char *
gateway_request_actor_id(const gateway_request_t *self)
{
    const char *id = json_string_value(json_object_get(self->actor, "id"));
    return id ? id : "-";
}

// The access line and metrics; the caller's thread carries the request id.
static void
s_account(gateway_request_t *self, int status)
{
    int64_t duration_us = s_mono_us() - self->start_us;
    const char *method = self->method;
    gateway_metrics_observe(gateway_metrics(self->gateway), self->route, method,
                            status, duration_us);
    cm_log_set_correlation(self->request_id);
    char duration[32];
    snprintf(duration, sizeof duration, "%.3f", (double)duration_us / 1000.0);
    cm_log_info("http.access", "method", method, "path", self->path, "#status",
                CM_LOG_INT(status), "#dur_ms", duration, "req_id",
                self->request_id, "actor", gateway_request_actor_id(self));
    cm_log_set_correlation(NULL);
}

// The service's headers (an object of strings or integers) onto response.
static void
s_set_headers(gateway_response_t *response, const json_t *headers)
{
    const char *name;
    json_t *value;
    json_object_foreach((json_t *)headers, name, value)
    {
        if (strcasecmp(name, "Content-Transfer-Encoding") == 0) {
            continue; // the envelope's encoding of a byte body (below)
        }
        const char *text = json_string_value(value);
        if (!text && json_is_integer(value)) {
            gateway_response_set_number(response, name,
                                        (long long)json_integer_value(value));
        } else if (text && !strchr(text, '\r') && !strchr(text, '\n')) {
            gateway_response_set(response, name, text);
        }
    }
}

// nng sends it: the response set on the aio.
static void
s_send_nng(gateway_request_t *self, const gateway_response_t *response,
           const void *body, size_t size)
{
    nng_http_res *res = NULL;
    if (nng_http_res_alloc(&res) != 0) {
        nng_aio_finish(self->aio, NNG_ENOMEM);
        return;
    }
    nng_http_res_set_status(res, (uint16_t)response->status);
    nng_http_res_set_reason(res, cm_status_title(response->status));
    for (size_t i = 0; i < response->count; i++) {
        nng_http_res_set_header(res, response->fields[i].name,
                                response->fields[i].value);
    }
    if (body && size > 0) {
        nng_http_res_copy_data(res, body, size);
    } else {
        // docs/libraries.md: without this an empty response has no
        // Content-Length and keep-alive clients hang.
        nng_http_res_set_data(res, NULL, 0);
    }
    nng_aio_set_output(self->aio, 0, res);
    nng_aio_finish(self->aio, 0);
}

// The front thread sends it: rendered here, queued for the connection. As
// nng does, a Connection: close either way closes the connection after it.
static void
s_send_front(gateway_request_t *self, const gateway_response_t *response,
             const void *body, size_t size)
{
    const gateway_request_origin_t *origin = &self->origin;
    const char *connection = gateway_response_get(response, "Connection");
    bool close =
        origin->close || (connection && strstr(connection, "close") != NULL);
    gateway_reply_t *reply = calloc(1, sizeof *reply);
    assert(reply);
    reply->conn_id = origin->conn_id;
    reply->seq = origin->seq;
    reply->close = close;
    reply->data = gateway_response_render(response, body, size, origin->is_head,
                                          close, &reply->size);
    if (gateway_queue_push(origin->replies, reply) != 0) {
        gateway_reply_destroy(&reply); // the front end has stopped
    }
}

void
gateway_request_finish(gateway_request_t **self_p, int status,
                       const json_t *headers, const char *content_type,
                       const void *body, size_t size)
{
    gateway_request_t *self = *self_p;
    gateway_response_t response;
    gateway_response_init(&response, status);
    gateway_response_set(&response, "X-Request-Id", self->request_id);
    if (headers) {
        s_set_headers(&response, headers);
    }
    bool has_body = body && size > 0;
    if (has_body) {
        gateway_response_set(&response, "Content-Type", content_type);
    }
    s_account(self, status);
    if (self->aio) {
        s_send_nng(self, &response, body, has_body ? size : 0);
    } else {
        s_send_front(self, &response, body, has_body ? size : 0);
    }
    gateway_request_destroy(self_p);
}

void
gateway_request_finish_json(gateway_request_t **self_p, int status,
                            const json_t *headers, json_t *document)
{
    char *text =
        document ? json_dumps(document, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(document);
    if (!text) {
        gateway_request_finish(self_p, 500, NULL, NULL, NULL, 0);
        return;
    }
    gateway_request_finish(self_p, status, headers, "application/json", text,
                           strlen(text));
    free(text);
}

void
gateway_request_finish_problem(gateway_request_t **self_p, json_t *problem,
                               const json_t *headers)
{
    gateway_request_t *self = *self_p;
    json_t *rendered = cm_problem_render(problem, self->path);
    int status = cm_problem_status(problem);
    json_decref(problem);
    char *text = json_dumps(rendered, JSON_COMPACT);
    json_decref(rendered);
    gateway_request_finish(self_p, status, headers, "application/problem+json",
                           text, text ? strlen(text) : 0);
    free(text);
}

void
gateway_request_fail(gateway_request_t **self_p, int status, const char *code,
                     const char *detail)
{
    gateway_request_finish_problem(self_p, cm_problem_new(status, code, detail),
                                   NULL);
}

// A byte reply (cm_ctx_reply_bytes): `Content-Transfer-Encoding: base64`
// and a JSON string body, sent as the bytes it encodes. False when it is
// not one.
static bool
s_finish_bytes(gateway_request_t **self_p, int status, const json_t *headers,
               const json_t *body, const char *type)
{
    const char *encoding = json_string_value(
        json_object_get(headers, "Content-Transfer-Encoding"));
    if (!encoding || strcmp(encoding, "base64") != 0 || !json_is_string(body)) {
        return false;
    }
    size_t length = json_string_length(body);
    unsigned char *bytes = malloc(length / 4 * 3 + 3);
    size_t used = 0;
    if (!bytes
        || sodium_base642bin(bytes, length / 4 * 3 + 3, json_string_value(body),
                             length, NULL, &used, NULL,
                             sodium_base64_VARIANT_ORIGINAL)
               != 0) {
        free(bytes);
        gateway_request_fail(self_p, 502, "bad_gateway",
                             "the service's byte reply is not base64");
        return true;
    }
    gateway_request_finish(self_p, status, headers, type, bytes, used);
    free(bytes);
    return true;
}

// A text reply (cm_ctx_reply_media): Content-Type text/… and a JSON string
// body, sent as the string itself; or a byte reply (s_finish_bytes). False
// when it is neither.
static bool
s_finish_text(gateway_request_t **self_p, int status, const json_t *headers,
              const json_t *body)
{
    const char *type =
        json_string_value(json_object_get(headers, "Content-Type"));
    if (type && s_finish_bytes(self_p, status, headers, body, type)) {
        return true;
    }
    if (!type || strncmp(type, "text/", 5) != 0 || !json_is_string(body)) {
        return false;
    }
    gateway_request_finish(self_p, status, headers, type,
                           json_string_value(body), json_string_length(body));
    return true;
}

void
gateway_request_finish_reply(gateway_request_t **self_p, const json_t *reply)
{
    int status = (int)json_integer_value(json_object_get(reply, "status"));
    if (status < 100 || status > 599) {
        status = 502;
    }
    const json_t *headers = json_object_get(reply, "headers");
    headers = json_is_object(headers) ? headers : NULL;
    json_t *error = json_object_get(reply, "error");
    if (json_is_object(error)) {
        json_t *problem = json_deep_copy(error);
        if (!json_is_integer(json_object_get(problem, "status"))) {
            json_object_set_new(problem, "status", json_integer(status));
        }
        gateway_request_finish_problem(self_p, problem, headers);
        return;
    }
    json_t *body = json_object_get(reply, "body");
    if (!body || json_is_null(body) || status == 204 || status == 304) {
        gateway_request_finish(self_p, status, headers, NULL, NULL, 0);
        return;
    }
    if (s_finish_text(self_p, status, headers, body)) {
        return;
    }
    gateway_request_finish_json(self_p, status, headers, json_incref(body));
}

// A small member (headers, error) parsed; NULL unless it is an object.
static json_t *
s_span_object(const cm_envelope_span_t *span)
{
    if (!cm_envelope_span_is_object(span)) {
        return NULL;
    }
    json_t *value = json_loadb(span->data, span->size, 0, NULL);
    if (!json_is_object(value)) {
        json_decref(value);
        return NULL;
    }
    return value;
}

void
gateway_request_finish_reply_text(gateway_request_t **self_p,
                                  const gateway_reply_text_t *reply)
{
    int64_t value = 0;
    int status = cm_envelope_span_int(&reply->status, &value) == 0
                     ? (int)value // what json_integer_value gives, cast
                     : 0;
    if (status < 100 || status > 599) {
        status = 502;
    }
    json_t *headers = s_span_object(&reply->headers);
    json_t *error = s_span_object(&reply->error);
    if (error) {
        if (!json_is_integer(json_object_get(error, "status"))) {
            json_object_set_new(error, "status", json_integer(status));
        }
        gateway_request_finish_problem(self_p, error, headers);
    } else if (!cm_envelope_span_is_set(&reply->body)
               || cm_envelope_span_is_null(&reply->body) || status == 204
               || status == 304) {
        gateway_request_finish(self_p, status, headers, NULL, NULL, 0);
    } else if (json_is_string(json_object_get(headers, "Content-Type"))) {
        // A text reply: the body is a JSON string to send as it is.
        json_t *body = json_loadb(reply->body.data, reply->body.size,
                                  JSON_DECODE_ANY, NULL);
        if (!s_finish_text(self_p, status, headers, body)) {
            gateway_request_finish(self_p, status, headers, "application/json",
                                   reply->body.data, reply->body.size);
        }
        json_decref(body);
    } else {
        gateway_request_finish(self_p, status, headers, "application/json",
                               reply->body.data, reply->body.size);
    }
    json_decref(headers);
}

void
gateway_request_finish_hijacked(gateway_request_t **self_p, int status)
{
    gateway_request_t *self = *self_p;
    s_account(self, status);
    // No response: nng sees a hijacked session and lets the channel go.
    nng_aio_set_output(self->aio, 0, NULL);
    nng_aio_finish(self->aio, 0);
    gateway_request_destroy(self_p);
}
