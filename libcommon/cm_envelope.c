#include "cm_envelope.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope_scan.h"
#include "cm_id.h"
#include "cm_problem.h"
#include "cm_time.h"

// Which JSON types a member may have (a bit mask).
enum {
    S_STRING = 1 << 0,
    S_INTEGER = 1 << 1,
    S_OBJECT = 1 << 2,
    S_ANY = 1 << 3
};

// One top-level member of an envelope kind.
typedef struct {
    const char *name; // member name
    int types;        // allowed types, S_* bits
    bool required;    // missing → error
} s_field_t;

static const s_field_t s_request_fields[] = {
    {"v", S_INTEGER, true},
    {"id", S_STRING, true},
    {"type", S_STRING, true},
    {"source", S_STRING, true},
    {"time", S_STRING, true},
    {"correlation_id", S_STRING, true},
    {"deadline", S_INTEGER, true},
    {"idempotency_key", S_STRING, false},
    {"actor", S_OBJECT, true},
    {"method", S_STRING, true},
    {"path", S_STRING, true},
    {"query", S_OBJECT, false},
    {"body", S_ANY, false},
    {"fingerprint", S_STRING, false},
    {"if_match", S_STRING, false},
    {"accept", S_STRING, false},
    {"content_type", S_STRING, false},
    {NULL, 0, false},
};

static const s_field_t s_reply_fields[] = {
    {"v", S_INTEGER, true},
    {"id", S_STRING, true},
    {"correlation_id", S_STRING, true},
    {"status", S_INTEGER, true},
    {"headers", S_OBJECT, false},
    {"body", S_ANY, false},
    {"error", S_OBJECT, false},
    {NULL, 0, false},
};

static const s_field_t s_event_fields[] = {
    {"v", S_INTEGER, true},
    {"id", S_STRING, true},
    {"type", S_STRING, true},
    {"source", S_STRING, true},
    {"subject", S_STRING, true},
    {"version", S_INTEGER, true},
    {"time", S_STRING, true},
    {"correlation_id", S_STRING, false},
    {"actor", S_OBJECT, false},
    {"epoch", S_STRING | S_INTEGER, false},
    {"seq", S_INTEGER, false},
    {"data", S_OBJECT, true},
    {NULL, 0, false},
};

static void
s_reason(char *reason, size_t reason_size, const char *text, const char *name)
{
    if (reason && reason_size > 0) {
        snprintf(reason, reason_size, "%s%s%s", name ? "field '" : "",
                 name ? name : "", name ? "' " : "");
        size_t used = strlen(reason);
        snprintf(reason + used, reason_size - used, "%s", text);
    }
}

static const s_field_t *
s_fields_of(cm_envelope_kind_t kind)
{
    switch (kind) {
    case CM_ENVELOPE_REQUEST:
        return s_request_fields;
    case CM_ENVELOPE_REPLY:
        return s_reply_fields;
    case CM_ENVELOPE_EVENT:
        return s_event_fields;
    }
    assert(false);
    return NULL;
}

static const s_field_t *
s_field_find(const s_field_t *fields, const char *name)
{
    for (const s_field_t *field = fields; field->name; field++) {
        if (strcmp(field->name, name) == 0) {
            return field;
        }
    }
    return NULL;
}

static const char *
s_type_text(int types)
{
    if (types == (S_STRING | S_INTEGER)) {
        return "must be a string or an integer";
    }
    if (types & S_STRING) {
        return "must be a string";
    }
    return types & S_INTEGER ? "must be an integer" : "must be an object";
}

static bool
s_type_ok(const json_t *value, int types)
{
    return (types & S_ANY) || ((types & S_STRING) && json_is_string(value))
           || ((types & S_INTEGER) && json_is_integer(value))
           || ((types & S_OBJECT) && json_is_object(value));
}

// Checks every present member against the table and every required one for
// presence; names the first offending field.
static int
s_check_members(const json_t *envelope, const s_field_t *fields, char *reason,
                size_t reason_size)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)envelope, key, value)
    {
        const s_field_t *field = s_field_find(fields, key);
        if (!field) {
            s_reason(reason, reason_size, "is not allowed (unknown field)",
                     key);
            return -1;
        }
        if (!s_type_ok(value, field->types)) {
            s_reason(reason, reason_size, s_type_text(field->types), key);
            return -1;
        }
    }
    for (const s_field_t *field = fields; field->name; field++) {
        if (field->required && !json_object_get(envelope, field->name)) {
            s_reason(reason, reason_size, "is required", field->name);
            return -1;
        }
    }
    return 0;
}

static json_int_t
s_int(const json_t *envelope, const char *name)
{
    return json_integer_value(json_object_get(envelope, name));
}

// Value checks beyond types, for members every kind may carry.
static int
s_check_values(const json_t *envelope, cm_envelope_kind_t kind, char *reason,
               size_t reason_size)
{
    if (s_int(envelope, "v") != CM_ENVELOPE_VERSION) {
        s_reason(reason, reason_size, "must be 1", "v");
        return -1;
    }
    if (cm_envelope_id(envelope)[0] == '\0') {
        s_reason(reason, reason_size, "must not be empty", "id");
        return -1;
    }
    const char *time_text = cm_envelope_string(envelope, "time");
    int64_t epoch_ms;
    if (time_text && cm_time_parse(time_text, &epoch_ms) != 0) {
        s_reason(reason, reason_size, "must be RFC 3339 UTC", "time");
        return -1;
    }
    if (kind == CM_ENVELOPE_REQUEST && s_int(envelope, "deadline") <= 0) {
        s_reason(reason, reason_size, "must be a positive epoch ms",
                 "deadline");
        return -1;
    }
    json_int_t status = s_int(envelope, "status");
    if (kind == CM_ENVELOPE_REPLY && (status < 100 || status > 599)) {
        s_reason(reason, reason_size, "must be an HTTP status", "status");
        return -1;
    }
    if (kind == CM_ENVELOPE_REPLY && json_object_get(envelope, "body")
        && json_object_get(envelope, "error")) {
        s_reason(reason, reason_size, "excludes body", "error");
        return -1;
    }
    return 0;
}

// Parses text into a JSON object: size limit, duplicates rejected.
static json_t *
s_load(const char *data, size_t size, char *reason, size_t reason_size)
{
    if (size > CM_ENVELOPE_MAX_BYTES) {
        char text[96];
        snprintf(text, sizeof text, "envelope is %zu bytes, limit is %d", size,
                 CM_ENVELOPE_MAX_BYTES);
        s_reason(reason, reason_size, text, NULL);
        return NULL;
    }
    json_error_t error;
    json_t *root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &error);
    if (!root) {
        char text[CM_ENVELOPE_REASON_MAX];
        snprintf(text, sizeof text, "invalid JSON at line %d column %d: %s",
                 error.line, error.column, error.text);
        s_reason(reason, reason_size, text, NULL);
        return NULL;
    }
    if (!json_is_object(root)) {
        s_reason(reason, reason_size, "envelope must be a JSON object", NULL);
        json_decref(root);
        return NULL;
    }
    return root;
}

json_t *
cm_envelope_parse(const char *data, size_t size, cm_envelope_kind_t kind,
                  char *reason, size_t reason_size)
{
    assert(data || size == 0);
    json_t *root = s_load(data ? data : "", size, reason, reason_size);
    if (root && cm_envelope_validate(root, kind, reason, reason_size) != 0) {
        json_decref(root);
        root = NULL;
    }
    return root;
}

int
cm_envelope_validate(const json_t *envelope, cm_envelope_kind_t kind,
                     char *reason, size_t reason_size)
{
    if (!json_is_object(envelope)) {
        s_reason(reason, reason_size, "envelope must be a JSON object", NULL);
        return -1;
    }
    if (s_check_members(envelope, s_fields_of(kind), reason, reason_size)
        != 0) {
        return -1;
    }
    return s_check_values(envelope, kind, reason, reason_size);
}

// The peek without a tree (cm_envelope_scan): 0 when the text is valid and
// id and deadline are usable; -1 leaves the answer to jansson.
static int
s_peek_scan(const char *data, size_t size, char *id, size_t id_size,
            int64_t *deadline_ms)
{
    static const char *const names[] = {"id", "deadline"};
    cm_envelope_span_t spans[2];
    int64_t deadline = 0;
    if (size > CM_ENVELOPE_MAX_BYTES
        || cm_envelope_scan(data, size, names, spans, 2) != 0
        || cm_envelope_span_string(&spans[0], id, id_size) != 0 || !id[0]
        || cm_envelope_span_int(&spans[1], &deadline) != 0 || deadline <= 0) {
        id[0] = '\0';
        return -1;
    }
    *deadline_ms = deadline;
    return 0;
}

int
cm_envelope_peek_request(const char *data, size_t size, char *id,
                         size_t id_size, int64_t *deadline_ms, char *reason,
                         size_t reason_size)
{
    assert(id && id_size > 0 && deadline_ms);
    id[0] = '\0';
    *deadline_ms = 0;
    if (data && s_peek_scan(data, size, id, id_size, deadline_ms) == 0) {
        return 0;
    }
    json_t *root = s_load(data ? data : "", size, reason, reason_size);
    if (!root) {
        return -1;
    }
    const char *id_text = cm_envelope_id(root);
    json_t *deadline = json_object_get(root, "deadline");
    int rc = -1;
    if (!id_text || id_text[0] == '\0' || strlen(id_text) >= id_size) {
        s_reason(reason, reason_size, "must be a short non-empty string", "id");
    } else if (!json_is_integer(deadline)
               || json_integer_value(deadline) <= 0) {
        snprintf(id, id_size, "%s", id_text);
        s_reason(reason, reason_size, "must be a positive epoch ms",
                 "deadline");
    } else {
        snprintf(id, id_size, "%s", id_text);
        *deadline_ms = json_integer_value(deadline);
        rc = 0;
    }
    json_decref(root);
    return rc;
}

// Sets an optional borrowed value (a new reference) or a default.
static void
s_set_or(json_t *object, const char *key, const json_t *value, json_t *fallback)
{
    if (value) {
        json_decref(fallback);
        json_object_set(object, key, (json_t *)value);
    } else if (fallback) {
        json_object_set_new(object, key, fallback);
    }
}

// Set a string member when value is not NULL. 0, or -1 for bad UTF-8.
static int
s_set_optional_string(json_t *object, const char *name, const char *value)
{
    if (!value) {
        return 0;
    }
    json_t *text = json_string(value);
    if (!text) {
        return -1;
    }
    json_object_set_new(object, name, text);
    return 0;
}

json_t *
cm_envelope_request_new(const cm_envelope_request_t *fields)
{
    assert(fields);
    if (!fields->actor || !json_is_object(fields->actor)
        || (fields->query && !json_is_object(fields->query))) {
        return NULL;
    }
    char id[CM_UUID_MAX];
    char now[CM_TIME_TEXT_MAX];
    cm_uuid(id);
    cm_time_format(cm_time_now_ms(), now);
    const char *correlation =
        fields->correlation_id ? fields->correlation_id : id;
    json_t *request = json_pack(
        "{s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:O, s:s, s:s}", "v",
        CM_ENVELOPE_VERSION, "id", id, "type", fields->type, "source",
        fields->source, "time", now, "correlation_id", correlation, "deadline",
        (json_int_t)fields->deadline_ms, "actor", fields->actor, "method",
        fields->method, "path", fields->path);
    if (!request) {
        return NULL;
    }
    if (s_set_optional_string(request, "idempotency_key",
                              fields->idempotency_key)
            != 0
        || s_set_optional_string(request, "fingerprint", fields->fingerprint)
               != 0
        || s_set_optional_string(request, "if_match", fields->if_match) != 0
        || s_set_optional_string(request, "accept", fields->accept) != 0
        || s_set_optional_string(request, "content_type", fields->content_type)
               != 0) {
        json_decref(request);
        return NULL;
    }
    s_set_or(request, "query", fields->query, json_object());
    s_set_or(request, "body", fields->body, json_null());
    return request;
}

json_t *
cm_envelope_reply_new(const json_t *request, int status, const json_t *headers,
                      const json_t *body)
{
    const char *correlation = cm_envelope_id(request);
    assert(correlation);
    char id[CM_UUID_MAX];
    json_t *reply =
        json_pack("{s:i, s:s, s:s, s:i}", "v", CM_ENVELOPE_VERSION, "id",
                  cm_uuid(id), "correlation_id", correlation, "status", status);
    if (!reply) {
        return NULL;
    }
    s_set_or(reply, "headers", headers, json_object());
    s_set_or(reply, "body", body, json_null());
    return reply;
}

json_t *
cm_envelope_error_new(const char *correlation_id, const json_t *problem)
{
    assert(correlation_id && problem);
    char id[CM_UUID_MAX];
    return json_pack("{s:i, s:s, s:s, s:i, s:{}, s:O}", "v",
                     CM_ENVELOPE_VERSION, "id", cm_uuid(id), "correlation_id",
                     correlation_id, "status", cm_problem_status(problem),
                     "headers", "error", problem);
}

json_t *
cm_envelope_error_reply_new(const json_t *request, const json_t *problem)
{
    const char *correlation = cm_envelope_id(request);
    assert(correlation);
    return cm_envelope_error_new(correlation, problem);
}

json_t *
cm_envelope_event_new(const cm_envelope_event_t *fields)
{
    assert(fields);
    if (!fields->data || !json_is_object(fields->data)
        || (fields->actor && !json_is_object(fields->actor))) {
        return NULL;
    }
    char id[CM_UUID_MAX];
    char now[CM_TIME_TEXT_MAX];
    json_t *event = json_pack(
        "{s:i, s:s, s:s, s:s, s:s, s:I, s:s, s:O}", "v", CM_ENVELOPE_VERSION,
        "id", cm_uuid(id), "type", fields->type, "source", fields->source,
        "subject", fields->subject, "version", (json_int_t)fields->version,
        "time", cm_time_format(cm_time_now_ms(), now), "data", fields->data);
    if (!event) {
        return NULL;
    }
    if (fields->correlation_id) {
        json_t *correlation = json_string(fields->correlation_id);
        if (!correlation) {
            json_decref(event);
            return NULL;
        }
        json_object_set_new(event, "correlation_id", correlation);
    }
    s_set_or(event, "actor", fields->actor, NULL);
    return event;
}

const char *
cm_envelope_string(const json_t *envelope, const char *field)
{
    return json_string_value(json_object_get(envelope, field));
}

const char *
cm_envelope_id(const json_t *envelope)
{
    return cm_envelope_string(envelope, "id");
}

const char *
cm_envelope_type(const json_t *envelope)
{
    return cm_envelope_string(envelope, "type");
}

const char *
cm_envelope_correlation_id(const json_t *envelope)
{
    return cm_envelope_string(envelope, "correlation_id");
}

const char *
cm_envelope_method(const json_t *envelope)
{
    return cm_envelope_string(envelope, "method");
}

const char *
cm_envelope_path(const json_t *envelope)
{
    return cm_envelope_string(envelope, "path");
}

int64_t
cm_envelope_deadline(const json_t *envelope)
{
    return (int64_t)s_int(envelope, "deadline");
}

int
cm_envelope_status(const json_t *envelope)
{
    return (int)s_int(envelope, "status");
}

json_t *
cm_envelope_member(const json_t *envelope, const char *field)
{
    return json_object_get(envelope, field);
}

char *
cm_envelope_encode(const json_t *envelope)
{
    char *text = json_dumps(envelope, JSON_COMPACT);
    if (text && strlen(text) > CM_ENVELOPE_MAX_BYTES) {
        free(text);
        return NULL;
    }
    return text;
}
