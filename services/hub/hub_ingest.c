#include "hub_ingest.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cm_log.h"
#include "cm_status.h"
#include "cm_time.h"

#define HUB_INGEST_SIZE_MAX 65536 // design.md §4: messages ≤ 64 KiB
#define HUB_INGEST_POLL_MS  500

static bool
s_is_type(const char *type)
{
    if (!*type || strlen(type) > HUB_INGEST_FIELD_MAX) {
        return false;
    }
    for (const char *c = type; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.'
              || *c == '_' || *c == '-')) {
            return false;
        }
    }
    return type[0] != '.' && type[strlen(type) - 1] != '.';
}

// A printable ASCII string of 1..HUB_INGEST_FIELD_MAX bytes.
static bool
s_is_token(const char *text)
{
    size_t len = text ? strlen(text) : 0;
    if (len == 0 || len > HUB_INGEST_FIELD_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (text[i] <= ' ' || text[i] > '~') {
            return false;
        }
    }
    return true;
}

static const char *
s_check_fields(const char *topic, json_t *event)
{
    const char *id = json_string_value(json_object_get(event, "id"));
    const char *source = json_string_value(json_object_get(event, "source"));
    const char *type = json_string_value(json_object_get(event, "type"));
    const char *time = json_string_value(json_object_get(event, "time"));
    int64_t ms = 0;
    if (!s_is_token(id)) {
        return "id: must be a non-empty printable string";
    }
    if (!s_is_token(source)) {
        return "source: must be a non-empty printable string";
    }
    if (!type || !s_is_type(type)) {
        return "type: must be lower-case dotted words";
    }
    if (!time || cm_time_parse(time, &ms) != 0) {
        return "time: must be RFC 3339";
    }
    if (!json_object_get(event, "data")) {
        return "data: required";
    }
    if (!topic || strncmp(topic, "evt.", 4) != 0
        || strcmp(topic + 4, type) != 0) {
        return "topic: must be evt.<type>";
    }
    return NULL;
}

json_t *
hub_ingest_parse(const char *topic, const char *data, size_t size, char *reason,
                 size_t reason_size)
{
    assert(reason && reason_size > 0);
    if (!data || size == 0 || size > HUB_INGEST_SIZE_MAX) {
        snprintf(reason, reason_size, "size: must be 1..%d bytes",
                 HUB_INGEST_SIZE_MAX);
        return NULL;
    }
    json_error_t error;
    json_t *event = json_loadb(data, size, JSON_REJECT_DUPLICATES, &error);
    if (!event) {
        snprintf(reason, reason_size, "json: %s", error.text);
        return NULL;
    }
    const char *problem =
        json_is_object(event) ? s_check_fields(topic, event) : "not an object";
    if (problem) {
        snprintf(reason, reason_size, "%s", problem);
        json_decref(event);
        return NULL;
    }
    return event;
}

int
hub_ingest_commit(cm_store_t *store, const json_t *event, int64_t dedupe_ttl_ms,
                  cm_commit_result_t *result)
{
    assert(store && event && result);
    const char *id = json_string_value(json_object_get(event, "id"));
    const char *source = json_string_value(json_object_get(event, "source"));
    const char *type = json_string_value(json_object_get(event, "type"));
    assert(id && source && type); // hub_ingest_parse checked them
    char seen[CM_STORE_KEY_MAX];
    char marker[CM_STORE_KEY_MAX];
    snprintf(seen, sizeof seen, "%s|%s", source, id);
    if (!cm_store_key(marker, sizeof marker, HUB_INGEST_OWNER, "seen", seen)) {
        return CM_EINVAL;
    }
    char *json = json_dumps(event, JSON_COMPACT);
    assert(json);
    cm_commit_t *commit = cm_commit_new(HUB_INGEST_OWNER);
    cm_commit_dedupe(commit, marker, dedupe_ttl_ms);
    cm_commit_event(commit, type, json);
    int rc = cm_store_commit(store, commit, result);
    cm_commit_destroy(&commit);
    free(json);
    return rc;
}

// One message from XSUB: validate, persist, log the outcome.
static void
s_handle(cm_store_t *store, zmsg_t *msg, int64_t dedupe_ttl_ms)
{
    char reason[HUB_INGEST_REASON_MAX] = "frames: need [topic][event]";
    json_t *event = NULL;
    if (zmsg_size(msg) == 2) {
        char *topic = zmsg_popstr(msg);
        zframe_t *body = zmsg_pop(msg);
        event = hub_ingest_parse(topic, (const char *)zframe_data(body),
                                 zframe_size(body), reason, sizeof reason);
        free(topic);
        zframe_destroy(&body);
    }
    if (!event) {
        cm_log_warn("hub.ingest.rejected", "reason", reason);
        return;
    }
    // The outcome lines carry the event's correlation id (else its id), as
    // the lines of every service reacting to it do.
    const char *correlation =
        json_string_value(json_object_get(event, "correlation_id"));
    cm_log_set_correlation(
        correlation ? correlation
                    : json_string_value(json_object_get(event, "id")));
    cm_commit_result_t result;
    int rc = hub_ingest_commit(store, event, dedupe_ttl_ms, &result);
    if (rc) {
        cm_log_warn("hub.ingest.failed", "id",
                    json_string_value(json_object_get(event, "id")), "status",
                    cm_status_name(rc));
    } else if (result.outcome == CM_COMMIT_OK) {
        cm_log_info("hub.ingest.accepted", "id",
                    json_string_value(json_object_get(event, "id")), "#seq",
                    CM_LOG_INT(result.seqs[0]));
    } else {
        cm_log_info("hub.ingest.duplicate", "id",
                    json_string_value(json_object_get(event, "id")));
    }
    cm_log_set_correlation(NULL);
    cm_commit_result_clear(&result);
    json_decref(event);
}

static zsock_t *
s_xsub_new(const char *endpoint)
{
    zsock_t *xsub = zsock_new(ZMQ_XSUB);
    assert(xsub);
    if (zsock_bind(xsub, "%s", endpoint) < 0) {
        cm_log_error("hub.bind.failed", "endpoint", endpoint, "error",
                     zmq_strerror(zmq_errno()));
        zsock_destroy(&xsub);
        return NULL;
    }
    // XSUB subscribes by sending 0x01 + prefix; an empty prefix is all.
    zframe_t *all = zframe_new("\x01", 1);
    if (zframe_send(&all, xsub, 0) != 0) {
        zframe_destroy(&all);
    }
    return xsub;
}

void
hub_ingest_actor(zsock_t *pipe, void *args)
{
    const hub_ingest_args_t *a = args;
    zsock_t *xsub = s_xsub_new(a->endpoint);
    cm_store_t *store =
        xsub ? cm_store_new(a->redis_host, a->redis_port, a->redis_password,
                            a->redis_timeout_ms)
             : NULL;
    int64_t ttl = a->dedupe_ttl_ms;
    // zactor_new consumes the signal; the status follows as a message.
    zsock_signal(pipe, 0);
    zsock_send(pipe, "i", store ? 0 : -1);
    zpoller_t *poller = store ? zpoller_new(pipe, xsub, NULL) : NULL;
    while (poller && !zsys_interrupted) {
        void *which = zpoller_wait(poller, HUB_INGEST_POLL_MS);
        if (which == pipe) {
            char *command = zstr_recv(pipe);
            bool term = !command || strcmp(command, "$TERM") == 0;
            zstr_free(&command);
            if (term) {
                break;
            }
        } else if (which == xsub) {
            zmsg_t *msg = zmsg_recv(xsub);
            if (msg) {
                s_handle(store, msg, ttl);
            }
            zmsg_destroy(&msg);
        } else if (zpoller_terminated(poller)) {
            break;
        }
    }
    zpoller_destroy(&poller);
    cm_store_destroy(&store);
    zsock_destroy(&xsub);
}
