#include "hub_ingest.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cm_curve.h"
#include "cm_envelope.h"
#include "cm_id.h"
#include "cm_log.h"
#include "cm_status.h"

#define HUB_INGEST_POLL_MS 500

json_t *
hub_ingest_parse(const char *topic, const char *data, size_t size, char *reason,
                 size_t reason_size)
{
    assert(reason && reason_size > 0);
    if (!data || size == 0 || size > CM_ENVELOPE_MAX_BYTES) {
        snprintf(reason, reason_size, "size: must be 1..%d bytes",
                 CM_ENVELOPE_MAX_BYTES);
        return NULL;
    }
    json_error_t error;
    json_t *event = json_loadb(data, size, JSON_REJECT_DUPLICATES, &error);
    if (!event) {
        snprintf(reason, reason_size, "json: %s", error.text);
        return NULL;
    }
    json_t *problem = cm_cloudevent_check(event);
    const char *type = json_string_value(json_object_get(event, "type"));
    if (problem) {
        cm_cloudevent_reason(problem, reason, reason_size);
    } else if (!topic || strncmp(topic, "evt.", 4) != 0
               || strcmp(topic + 4, type) != 0) {
        snprintf(reason, reason_size, "topic: must be evt.<type>");
    } else {
        return event;
    }
    json_decref(problem);
    json_decref(event);
    return NULL;
}

int
hub_ingest_commit(cm_store_t *store, const json_t *event,
                  const char *correlation_id, int64_t dedupe_ttl_ms,
                  cm_commit_result_t *result, char *reason, size_t reason_size)
{
    assert(store && event && result && reason);
    memset(result, 0, sizeof *result);
    cm_cloudevent_arrival_t arrival = {.correlation_id = correlation_id};
    json_t *problem = NULL;
    cm_commit_t *commit =
        cm_cloudevent_commit(event, &arrival, dedupe_ttl_ms, &problem);
    if (!commit) {
        cm_cloudevent_reason(problem, reason, reason_size);
        json_decref(problem);
        return CM_EINVAL;
    }
    int rc = cm_store_commit(store, commit, result);
    cm_commit_destroy(&commit);
    return rc;
}

const char *
hub_ingest_sanitize(const void *text, size_t size, char *out, size_t out_size)
{
    assert(out && out_size >= 4);
    const char *chars = text;
    size_t keep = size < out_size ? size : out_size - 4;
    for (size_t i = 0; i < keep; i++) {
        unsigned char byte = (unsigned char)chars[i];
        out[i] = chars[i];
        if (byte < 0x20 || byte >= 0x7f) {
            out[i] = '?';
        }
    }
    if (keep < size) {
        memcpy(out + keep, "...", 3);
        keep += 3;
    }
    out[keep] = '\0';
    return out;
}

// The event's source, made fit for a log line, into out ("" when the body
// is no JSON object with a string source).
static void
s_rejected_source(zframe_t *body, char *out, size_t size)
{
    out[0] = '\0';
    if (!body || zframe_size(body) > CM_ENVELOPE_MAX_BYTES) {
        return;
    }
    json_t *event =
        json_loadb((const char *)zframe_data(body), zframe_size(body), 0, NULL);
    const char *source = json_string_value(json_object_get(event, "source"));
    if (source) {
        hub_ingest_sanitize(source, strlen(source), out, size);
    }
    json_decref(event);
}

static void
s_log_rejected(const char *reason, zframe_t *topic, zframe_t *body)
{
    char topic_text[HUB_INGEST_LOG_FIELD_MAX] = "";
    char source[HUB_INGEST_LOG_FIELD_MAX];
    if (topic) {
        hub_ingest_sanitize(zframe_data(topic), zframe_size(topic), topic_text,
                            sizeof topic_text);
    }
    s_rejected_source(body, source, sizeof source);
    cm_log_warn("hub.ingest.rejected", "reason", reason, "topic", topic_text,
                "source", source);
}

// Persist a valid event under a new correlation id (its arrival's, stored
// with it) and log the outcome.
static void
s_persist(cm_store_t *store, const json_t *event, int64_t dedupe_ttl_ms,
          zframe_t *topic, zframe_t *body)
{
    const char *id = json_string_value(json_object_get(event, "id"));
    const char *source = json_string_value(json_object_get(event, "source"));
    char correlation[CM_UUID_MAX];
    cm_log_set_correlation(cm_uuid(correlation));
    char reason[HUB_INGEST_REASON_MAX] = "";
    cm_commit_result_t result;
    int rc = hub_ingest_commit(store, event, correlation, dedupe_ttl_ms,
                               &result, reason, sizeof reason);
    if (rc == CM_EINVAL) {
        s_log_rejected(reason, topic, body);
    } else if (rc) {
        cm_log_warn("hub.ingest.failed", "id", id, "source", source, "status",
                    cm_status_name(rc));
    } else if (result.outcome == CM_COMMIT_OK) {
        cm_log_info("hub.ingest.accepted", "id", id, "source", source, "#seq",
                    CM_LOG_INT(result.seqs[0]));
    } else {
        cm_log_info("hub.ingest.duplicate", "id", id, "source", source);
    }
    cm_log_set_correlation(NULL);
    cm_commit_result_clear(&result);
}

// One message from XSUB: validate, persist, log the outcome.
static void
s_handle(cm_store_t *store, zmsg_t *msg, int64_t dedupe_ttl_ms)
{
    char reason[HUB_INGEST_REASON_MAX] = "frames: need [topic][event]";
    size_t frames = zmsg_size(msg);
    zframe_t *topic = zmsg_pop(msg);
    zframe_t *body = frames == 2 ? zmsg_pop(msg) : NULL;
    json_t *event = NULL;
    if (body) {
        char *topic_text = zframe_strdup(topic);
        event = hub_ingest_parse(topic_text, (const char *)zframe_data(body),
                                 zframe_size(body), reason, sizeof reason);
        zstr_free(&topic_text);
    }
    if (event) {
        s_persist(store, event, dedupe_ttl_ms, topic, body);
    } else {
        s_log_rejected(reason, topic, body);
    }
    json_decref(event);
    zframe_destroy(&body);
    zframe_destroy(&topic);
}

static zsock_t *
s_xsub_new(const char *endpoint)
{
    zsock_t *xsub = zsock_new(ZMQ_XSUB);
    assert(xsub);
    if (cm_curve_server(xsub) != 0 || zsock_bind(xsub, "%s", endpoint) < 0) {
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
