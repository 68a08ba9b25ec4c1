#include "cm_cloudevent.h"

#include <assert.h>
#include <ctype.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cm_envelope.h"
#include "cm_outbox.h"
#include "cm_time.h"
#include "cm_validate.h"

#define S_TOPIC_PREFIX     "evt."
#define S_SUBJECT_FALLBACK "event/"
#define S_NUMBER_MAX       24 // a size_t in decimal, ':' and NUL

_Static_assert(sizeof S_TOPIC_PREFIX - 1 + CM_CLOUDEVENT_TYPE_MAX
                   < CM_OUTBOX_TOPIC_MAX,
               "every accepted type forms a topic the hub can relay");
_Static_assert(sizeof S_SUBJECT_FALLBACK - 1 + CM_CLOUDEVENT_ID_MAX
                   <= CM_CLOUDEVENT_SUBJECT_MAX,
               "the subject made from an id is a valid subject");
_Static_assert(CM_CLOUDEVENT_IDENTITY_MAX == crypto_hash_sha256_BYTES * 2 + 1,
               "the identity is a sha256 in hex");

// ---- checks
// ------------------------------------------------------------------

static bool
s_has_control(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c < 0x20 || *c == 0x7f) {
            return true;
        }
    }
    return false;
}

// A string member of 1..max bytes without control characters (required or
// optional). Adds the error to *problem_p; true when fine.
static bool
s_check_text(const json_t *event, const char *field, size_t max,
             cm_validate_presence_t presence, json_t **problem_p)
{
    if (!cm_validate_string(event, field, presence, problem_p)) {
        return false;
    }
    const char *text = json_string_value(json_object_get(event, field));
    if (!text) {
        return true; // optional and absent
    }
    if (strlen(text) > max) {
        char message[CM_VALIDATE_MESSAGE_MAX];
        snprintf(message, sizeof message, "must be at most %zu bytes", max);
        return cm_validate_fail(problem_p, field, message);
    }
    if (s_has_control(text)) {
        return cm_validate_fail(problem_p, field,
                                "must not contain control characters");
    }
    return true;
}

// Lower-case dotted words: [a-z0-9_-]+ separated by single dots.
static bool
s_is_dotted(const char *type)
{
    bool word = false; // inside a word
    for (const char *c = type; *c; c++) {
        if (*c == '.') {
            if (!word) {
                return false;
            }
            word = false;
        } else if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')
                   || *c == '_' || *c == '-') {
            word = true;
        } else {
            return false;
        }
    }
    return word;
}

static void
s_check_type(const json_t *event, json_t **problem_p)
{
    if (!cm_validate_string(event, "type", CM_VALIDATE_REQUIRED, problem_p)) {
        return;
    }
    const char *type = json_string_value(json_object_get(event, "type"));
    if (strlen(type) > CM_CLOUDEVENT_TYPE_MAX) {
        char message[CM_VALIDATE_MESSAGE_MAX];
        snprintf(message, sizeof message,
                 "must be at most %d characters (it is relayed as the topic "
                 "evt.<type>)",
                 CM_CLOUDEVENT_TYPE_MAX);
        cm_validate_fail(problem_p, "type", message);
    } else if (!s_is_dotted(type)) {
        cm_validate_fail(problem_p, "type",
                         "must be lower-case dotted words (a-z, 0-9, _, -)");
    }
}

static void
s_check_time(const json_t *event, json_t **problem_p)
{
    if (!cm_validate_string(event, "time", CM_VALIDATE_REQUIRED, problem_p)) {
        return;
    }
    int64_t ms = 0;
    const char *time = json_string_value(json_object_get(event, "time"));
    if (cm_time_parse_strict(time, &ms) != 0) {
        cm_validate_fail(problem_p, "time",
                         "must be an RFC 3339 date-time on a real calendar "
                         "date, e.g. 2026-11-27T08:00:00Z");
    }
}

// application/json or any <type>/<subtype>+json, parameters allowed.
static void
s_check_content_type(const json_t *event, json_t **problem_p)
{
    if (!cm_validate_string(event, "datacontenttype", CM_VALIDATE_OPTIONAL,
                            problem_p)) {
        return;
    }
    const char *type =
        json_string_value(json_object_get(event, "datacontenttype"));
    if (!type) {
        return;
    }
    size_t length = strcspn(type, ";");
    while (length > 0 && isspace((unsigned char)type[length - 1])) {
        length--;
    }
    static const char json[] = "application/json";
    static const char suffix[] = "+json";
    bool plain = length == sizeof json - 1
                 && strncasecmp(type, json, sizeof json - 1) == 0;
    bool structured = length > sizeof suffix && memchr(type, '/', length)
                      && strncasecmp(type + length - (sizeof suffix - 1),
                                     suffix, sizeof suffix - 1)
                             == 0;
    if (!plain && !structured) {
        cm_validate_fail(problem_p, "datacontenttype",
                         "must be a JSON media type (application/json): data "
                         "is a JSON object");
    }
}

json_t *
cm_cloudevent_check(const json_t *event)
{
    json_t *problem = NULL;
    if (!cm_validate_object(event, &problem)) {
        return problem;
    }
    cm_validate_keys(event, CM_CLOUDEVENT_MEMBERS, &problem);
    cm_validate_enum(event, "specversion", CM_CLOUDEVENT_SPECVERSION,
                     CM_VALIDATE_REQUIRED, &problem);
    s_check_text(event, "id", CM_CLOUDEVENT_ID_MAX, CM_VALIDATE_REQUIRED,
                 &problem);
    s_check_text(event, "source", CM_CLOUDEVENT_SOURCE_MAX,
                 CM_VALIDATE_REQUIRED, &problem);
    s_check_type(event, &problem);
    s_check_time(event, &problem);
    s_check_text(event, "subject", CM_CLOUDEVENT_SUBJECT_MAX,
                 CM_VALIDATE_OPTIONAL, &problem);
    s_check_content_type(event, &problem);
    json_t *data = json_object_get(event, "data");
    if (!json_is_object(data)) {
        cm_validate_fail(&problem, "data",
                         data && !json_is_null(data) ? "must be an object"
                                                     : "is required");
    }
    return problem;
}

// ---- identity
// ----------------------------------------------------------------

// Hash text as the netstring "<byte length>:<bytes>,".
static void
s_hash_netstring(crypto_hash_sha256_state *state, const char *text)
{
    char length[S_NUMBER_MAX];
    size_t size = strlen(text);
    int n = snprintf(length, sizeof length, "%zu:", size);
    assert(n > 0 && (size_t)n < sizeof length);
    crypto_hash_sha256_update(state, (const unsigned char *)length, (size_t)n);
    crypto_hash_sha256_update(state, (const unsigned char *)text, size);
    crypto_hash_sha256_update(state, (const unsigned char *)",", 1);
}

const char *
cm_cloudevent_identity(const char *source, const char *id, char *hex)
{
    assert(source && id && hex);
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    s_hash_netstring(&state, source);
    s_hash_netstring(&state, id);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state, digest);
    sodium_bin2hex(hex, CM_CLOUDEVENT_IDENTITY_MAX, digest, sizeof digest);
    return hex;
}

const char *
cm_cloudevent_marker(char *key, size_t size, const char *owner,
                     const char *source, const char *id)
{
    assert(key && owner);
    char hex[CM_CLOUDEVENT_IDENTITY_MAX];
    return cm_store_key(key, size, owner, "seen",
                        cm_cloudevent_identity(source, id, hex));
}

// ---- the stored shape
// ----------------------------------------------------------

json_t *
cm_cloudevent_envelope(const json_t *event,
                       const cm_cloudevent_arrival_t *arrival)
{
    assert(arrival);
    const char *id = json_string_value(json_object_get(event, "id"));
    const char *time = json_string_value(json_object_get(event, "time"));
    const char *subject = json_string_value(json_object_get(event, "subject"));
    int64_t ms = 0;
    if (!id || !time || cm_time_parse_strict(time, &ms) != 0) {
        return NULL;
    }
    char fallback[sizeof S_SUBJECT_FALLBACK + CM_CLOUDEVENT_ID_MAX];
    if (!subject) {
        snprintf(fallback, sizeof fallback, "%s%s", S_SUBJECT_FALLBACK, id);
        subject = fallback;
    }
    char utc[CM_TIME_TEXT_MAX];
    // json_pack: NULL (nothing owned) when a member is missing or not UTF-8.
    json_t *envelope = json_pack(
        "{s:i, s:s, s:O, s:O, s:s, s:i, s:s, s:O}", "v", CM_ENVELOPE_VERSION,
        "id", id, "type", json_object_get(event, "type"), "source",
        json_object_get(event, "source"), "subject", subject, "version", 1,
        "time", cm_time_format(ms, utc), "data",
        json_object_get(event, "data"));
    if (envelope && json_is_object(arrival->actor)) {
        json_object_set(envelope, "actor", (json_t *)arrival->actor);
    }
    if (envelope && arrival->correlation_id) {
        json_t *correlation = json_string(arrival->correlation_id);
        if (!correlation) {
            json_decref(envelope); // not UTF-8
            return NULL;
        }
        json_object_set_new(envelope, "correlation_id", correlation);
    }
    return envelope;
}

cm_commit_t *
cm_cloudevent_commit(const json_t *event,
                     const cm_cloudevent_arrival_t *arrival, int64_t ttl_ms,
                     json_t **problem)
{
    assert(arrival && problem);
    *problem = cm_cloudevent_check(event);
    if (*problem) {
        return NULL;
    }
    json_t *envelope = cm_cloudevent_envelope(event, arrival);
    char *text =
        envelope ? json_dumps(envelope, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(envelope);
    if (!text || strlen(text) > CM_ENVELOPE_MAX_BYTES) {
        free(text);
        char message[CM_VALIDATE_MESSAGE_MAX];
        snprintf(message, sizeof message,
                 "makes the stored event larger than %d bytes",
                 CM_ENVELOPE_MAX_BYTES);
        cm_validate_fail(problem, "data", message);
        return NULL;
    }
    char marker[CM_STORE_KEY_MAX];
    const char *source = json_string_value(json_object_get(event, "source"));
    const char *id = json_string_value(json_object_get(event, "id"));
    const char *key = cm_cloudevent_marker(marker, sizeof marker,
                                           CM_CLOUDEVENT_OWNER, source, id);
    assert(key); // a hash always fits
    cm_commit_t *commit = cm_commit_new(CM_CLOUDEVENT_OWNER);
    cm_commit_dedupe(commit, marker, ttl_ms);
    cm_commit_event(commit, json_string_value(json_object_get(event, "type")),
                    text);
    free(text);
    return commit;
}

const char *
cm_cloudevent_reason(const json_t *problem, char *reason, size_t size)
{
    assert(reason && size > 0);
    reason[0] = '\0';
    size_t used = 0;
    size_t i;
    json_t *error;
    json_array_foreach(json_object_get(problem, "errors"), i, error)
    {
        const char *field = json_string_value(json_object_get(error, "field"));
        const char *message =
            json_string_value(json_object_get(error, "message"));
        int n = snprintf(reason + used, size - used, "%s%s: %s", i ? "; " : "",
                         field ? field : "?", message ? message : "?");
        if (n < 0 || (size_t)n >= size - used) {
            break; // cut: snprintf ended it within the buffer
        }
        used += (size_t)n;
    }
    return reason;
}
