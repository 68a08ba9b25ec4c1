// The events a test's stack produced, for the contract check: every entry
// of every outbox stream of the test's Redis, one JSON line each, appended
// to $SM_EVENTS_LOG (scripts/check-events validates them against
// docs/asyncapi.yaml). See harness.h.
#include <assert.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_store.h"
#include "harness.h"

#define S_PAGE       500  // entries one XRANGE reads
#define S_TIMEOUT_MS 2000 // per Redis command

// Where one stream's entries go.
typedef struct {
    FILE *out;                   // the events log
    const harness_redis_t *run;  // the test's Redis (its dir names the run)
    char last[CM_STREAM_ID_MAX]; // the last entry read
    int read;                    // entries read by this page
} s_dump_t;

// One line: run, stream, entry, type, and the event as the hub relays it
// (or the stored text when it is not a JSON object).
static int
s_write_entry(const cm_event_t *event, void *arg)
{
    s_dump_t *dump = arg;
    snprintf(dump->last, sizeof dump->last, "%s", event->id);
    dump->read++;
    char *relayed = cm_event_relay_envelope(event);
    json_t *parsed = relayed ? json_loads(relayed, 0, NULL) : NULL;
    free(relayed);
    // Borrowed from parsed, which line keeps alive while it is an object.
    const char *subject =
        json_is_object(parsed)
            ? json_string_value(json_object_get(parsed, "subject"))
            : NULL;
    json_t *line =
        json_pack("{s:s, s:s, s:s, s:s}", "run", dump->run->dir, "stream",
                  event->stream, "entry", event->id, "type", event->type);
    assert(line);
    if (json_is_object(parsed)) {
        json_object_set_new(line, "event", parsed);
    } else {
        json_decref(parsed);
        json_object_set_new(line, "raw", json_string(event->envelope));
    }
    const char *exempt = dump->run->events_exempt;
    if (!exempt && subject && dump->run->exempt_subject
        && strcmp(subject, dump->run->exempt_subject) == 0) {
        exempt = dump->run->exempt_subject_reason;
    }
    if (exempt) {
        json_object_set_new(line, "exempt", json_string(exempt));
    }
    char *text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    if (text) {
        fprintf(dump->out, "%s\n", text);
        free(text);
    }
    return 0;
}

static void
s_dump_stream(cm_redis_t *redis, const char *stream, s_dump_t *dump)
{
    snprintf(dump->last, sizeof dump->last, "0-0");
    do {
        dump->read = 0;
        if (cm_outbox_range(redis, stream, dump->last, S_PAGE, s_write_entry,
                            dump)
            < 0) {
            fprintf(stderr, "harness: cannot read %s for the events log\n",
                    stream);
            return;
        }
    } while (dump->read == S_PAGE);
}

// The registered streams and those a keyspace scan finds (a producer that
// could not register), each once. *count entries; caller frees with
// cm_store_strings_free.
static char **
s_streams(cm_redis_t *redis, size_t *count)
{
    char **registered = NULL;
    char **scanned = NULL;
    size_t n_registered = 0;
    size_t n_scanned = 0;
    if (cm_outbox_discover(redis, &registered, &n_registered) != 0
        || cm_outbox_scan(redis, &scanned, &n_scanned) != 0) {
        cm_store_strings_free(&registered, n_registered);
        *count = 0;
        return NULL;
    }
    char **all = calloc(n_registered + n_scanned + 1, sizeof *all);
    assert(all);
    size_t n = 0;
    for (size_t i = 0; i < n_registered + n_scanned; i++) {
        const char *name =
            i < n_registered ? registered[i] : scanned[i - n_registered];
        bool known = false;
        for (size_t j = 0; j < n && !known; j++) {
            known = strcmp(all[j], name) == 0;
        }
        if (!known) {
            all[n] = strdup(name);
            assert(all[n]);
            n++;
        }
    }
    cm_store_strings_free(&registered, n_registered);
    cm_store_strings_free(&scanned, n_scanned);
    *count = n;
    return all;
}

void
harness_events_dump(const harness_redis_t *redis)
{
    assert(redis);
    const char *path = getenv(HARNESS_EVENTS_LOG_ENV);
    if (!path || !*path || redis->pid <= 0) {
        return;
    }
    cm_redis_t *conn =
        cm_redis_new("127.0.0.1", redis->port, NULL, S_TIMEOUT_MS);
    FILE *out = conn ? fopen(path, "a") : NULL;
    size_t count = 0;
    char **streams = out ? s_streams(conn, &count) : NULL;
    s_dump_t dump = {.out = out, .run = redis};
    for (size_t i = 0; i < count; i++) {
        s_dump_stream(conn, streams[i], &dump);
    }
    if (!out || (count > 0 && !streams)) {
        fprintf(stderr, "harness: the events log %s was not written\n", path);
    }
    cm_store_strings_free(&streams, count);
    if (out) {
        fclose(out);
    }
    cm_redis_destroy(&conn);
}

void
harness_redis_exempt_events(harness_redis_t *redis, const char *reason)
{
    assert(redis && reason);
    redis->events_exempt = reason;
}

void
harness_redis_exempt_subject(harness_redis_t *redis, const char *subject,
                             const char *reason)
{
    assert(redis && subject && reason);
    redis->exempt_subject = subject;
    redis->exempt_subject_reason = reason;
}
