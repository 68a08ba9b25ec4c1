#include "hub.h"

#include <assert.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_curve.h"
#include "cm_log.h"
#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_store.h"
#include "cm_time.h"
#include "hub_ingest.h"

#define HUB_RETRY_MS      200 // wait after Redis was unavailable
#define HUB_NUM_MAX       24
#define HUB_PIPE_CHECK_MS 50 // a busy relay looks at its pipe this often

// clang-format off
const cm_config_option_t hub_config_options[] = {
    {"hub/sndhwm", CM_CONFIG_INT, "100000", 1000, 10000000, false,
     "XPUB send high-water mark (messages per subscriber)"},
    {"hub/batch", CM_CONFIG_INT, "500", 1, 10000, false,
     "entries per XREAD"},
    {"hub/block_ms", CM_CONFIG_INT, "200", 1, 60000, false,
     "XREAD BLOCK time; kept below redis/timeout_ms"},
    {"hub/cursor_save_ms", CM_CONFIG_INT, "100", 0, 60000, false,
     "how often, at most, the relay cursors are saved while events flow "
     "(they are saved too when a read finds nothing, and at stop); a "
     "crash republishes what came after the saved ones, which consumers "
     "drop as repeats (0: after every read)"},
    {"hub/gather_ms", CM_CONFIG_INT, "5", 0, 100, false,
     "after a read that found entries (fewer than hub/batch), wait this "
     "long before the next, so that the next carries more and every "
     "consumer wakes once for them (0: at once); the first event after a "
     "quiet spell goes out at once"},
    {"hub/discover_ms", CM_CONFIG_INT, "1000", 10, 600000, false,
     "how often the stream registry is read (SMEMBERS)"},
    {"hub/scan_ms", CM_CONFIG_INT, "60000", 0, 86400000, false,
     "how long after a completed pass the keyspace is scanned again for "
     "unregistered outbox streams (0: never); a pass goes a few SCAN steps "
     "(5 ms) each discover_ms, since a SCAN of a million keys costs Redis "
     "about 1.4 s"},
    {"hub/trim_interval_ms", CM_CONFIG_INT, "10000", 10, 3600000, false,
     "how often outbox streams are trimmed"},
    {"hub/trim_retention", CM_CONFIG_INT, "10000", 0, 100000000, false,
     "entries kept below what every consumer still needs"},
    {"hub/dedupe_ttl_ms", CM_CONFIG_INT, "604800000", 1000, 31536000000LL,
     false, "how long an external event's (source, id) is remembered"},
    {"hub/consumer_idle_ms", CM_CONFIG_INT, "3600000", 0, 31536000000LL,
     false, "remove a consumer-group consumer with nothing pending after this "
     "long idle (a replica that is gone), checked with each trim (0: never)"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};
// clang-format on

struct hub {
    hub_options_t options;    // copied
    cm_store_t *store;        // relay connection
    zsock_t *xpub;            // relayed events out
    zactor_t *ingest;         // hub_ingest_actor
    char **streams;           // known outbox streams (owned)
    char **cursors;           // last published id per stream (owned)
    bool *dirty;              // cursor not yet saved
    size_t count;             // streams known
    size_t capacity;          // allocated entries
    int64_t next_discover_ms; // monotonic
    int64_t next_scan_ms;     // monotonic; 0: scan at the first chance
    char scan_cursor[CM_OUTBOX_CURSOR_MAX]; // of the pass under way ("0")
    bool ingest_registered; // sm:{ingest}:outbox is in the registry
    int64_t next_trim_ms;   // monotonic
    int64_t next_save_ms;   // monotonic: cursors saved again after a read
    bool reap_failing;      // the last cm_outbox_reap failed (logged)
};

void
hub_options_from_config(const cm_config_t *config, hub_options_t *options)
{
    assert(config && options);
    memset(options, 0, sizeof *options);
    cm_config_endpoint(config, "hub/bind", "hub/pub_port",
                       options->pub_endpoint, sizeof options->pub_endpoint);
    cm_config_endpoint(config, "hub/bind", "hub/sub_port",
                       options->sub_endpoint, sizeof options->sub_endpoint);
    snprintf(options->redis_host, sizeof options->redis_host, "%s",
             cm_config_str(config, "redis/host"));
    snprintf(options->redis_password, sizeof options->redis_password, "%s",
             cm_config_str(config, "redis/password"));
    options->redis_port = (int)cm_config_int(config, "redis/port");
    options->redis_timeout_ms = (int)cm_config_int(config, "redis/timeout_ms");
    options->sndhwm = (int)cm_config_int(config, "hub/sndhwm");
    options->batch = (int)cm_config_int(config, "hub/batch");
    options->block_ms = (int)cm_config_int(config, "hub/block_ms");
    options->cursor_save_ms = (int)cm_config_int(config, "hub/cursor_save_ms");
    options->gather_ms = (int)cm_config_int(config, "hub/gather_ms");
    options->discover_ms = (int)cm_config_int(config, "hub/discover_ms");
    options->scan_ms = (int)cm_config_int(config, "hub/scan_ms");
    options->trim_interval_ms =
        (int)cm_config_int(config, "hub/trim_interval_ms");
    options->trim_retention = cm_config_int(config, "hub/trim_retention");
    options->dedupe_ttl_ms = cm_config_int(config, "hub/dedupe_ttl_ms");
    options->consumer_idle_ms = cm_config_int(config, "hub/consumer_idle_ms");
}

static zsock_t *
s_xpub_new(const hub_options_t *options)
{
    zsock_t *xpub = zsock_new(ZMQ_XPUB);
    assert(xpub);
    // Options before bind. PUB drops at the HWM (docs/libraries.md): size it
    // for a burst; consumers detect what is still lost by seq.
    zsock_set_sndhwm(xpub, options->sndhwm);
    zsock_set_rcvtimeo(xpub, 0); // s_drain_subscriptions takes what waits
    zsock_set_xpub_welcome_msg(xpub, "sys.hello");
    if (cm_curve_server(xpub) != 0
        || zsock_bind(xpub, "%s", options->pub_endpoint) < 0) {
        cm_log_error("hub.bind.failed", "endpoint", options->pub_endpoint,
                     "error", zmq_strerror(zmq_errno()));
        zsock_destroy(&xpub);
    }
    return xpub;
}

static zactor_t *
s_ingest_new(const hub_options_t *options)
{
    hub_ingest_args_t args = {
        .endpoint = options->sub_endpoint,
        .redis_host = options->redis_host,
        .redis_port = options->redis_port,
        .redis_password = options->redis_password,
        .redis_timeout_ms = options->redis_timeout_ms,
        .dedupe_ttl_ms = options->dedupe_ttl_ms,
    };
    // zactor_new waits for the actor's signal, so args may live on the stack.
    zactor_t *ingest = zactor_new(hub_ingest_actor, &args);
    assert(ingest);
    int status = -1;
    if (zsock_recv(ingest, "i", &status) != 0 || status != 0) {
        zactor_destroy(&ingest);
    }
    return ingest;
}

hub_t *
hub_new(const hub_options_t *options)
{
    assert(options);
    hub_t *self = calloc(1, sizeof *self);
    assert(self);
    self->options = *options;
    snprintf(self->scan_cursor, sizeof self->scan_cursor, "0");
    if (self->options.block_ms >= self->options.redis_timeout_ms) {
        self->options.block_ms = self->options.redis_timeout_ms / 2;
    }
    self->store =
        cm_store_new(options->redis_host, options->redis_port,
                     options->redis_password, options->redis_timeout_ms);
    self->xpub = self->store ? s_xpub_new(options) : NULL;
    self->ingest = self->xpub ? s_ingest_new(options) : NULL;
    if (!self->ingest) {
        hub_destroy(&self);
        return NULL;
    }
    cm_log_notice("hub.started", "pub", options->pub_endpoint, "sub",
                  options->sub_endpoint, "#sndhwm",
                  CM_LOG_INT(options->sndhwm));
    return self;
}

void
hub_destroy(hub_t **self_p)
{
    assert(self_p);
    hub_t *self = *self_p;
    if (self) {
        zactor_destroy(&self->ingest);
        zsock_destroy(&self->xpub);
        cm_store_destroy(&self->store);
        cm_store_strings_free(&self->streams, self->count);
        cm_store_strings_free(&self->cursors, self->count);
        free(self->dirty);
        free(self);
        *self_p = NULL;
    }
}

// ---- streams and cursors
// ---------------------------------------------------------

static bool
s_is_known(const hub_t *self, const char *stream)
{
    for (size_t i = 0; i < self->count; i++) {
        if (strcmp(self->streams[i], stream) == 0) {
            return true;
        }
    }
    return false;
}

static void
s_add_stream(hub_t *self, const char *stream, const char *cursor)
{
    if (self->count == self->capacity) {
        self->capacity = self->capacity ? self->capacity * 2 : 16;
        self->streams = realloc(self->streams, self->capacity * sizeof(char *));
        self->cursors = realloc(self->cursors, self->capacity * sizeof(char *));
        self->dirty = realloc(self->dirty, self->capacity * sizeof(bool));
        assert(self->streams && self->cursors && self->dirty);
    }
    self->streams[self->count] = strdup(stream);
    self->cursors[self->count] = strdup(cursor);
    assert(self->streams[self->count] && self->cursors[self->count]);
    self->dirty[self->count] = false;
    self->count++;
    cm_log_notice("hub.stream.discovered", "stream", stream, "cursor", cursor);
}

// Learn a new stream and where the hub left it (new: from the start).
static int
s_learn_stream(hub_t *self, const char *stream)
{
    redisReply *reply = cm_redis_cmd(cm_store_redis(self->store), "HGET",
                                     HUB_CURSOR_KEY, stream);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    const char *cursor =
        reply->type == REDIS_REPLY_STRING && reply->len < CM_STREAM_ID_MAX
            ? reply->str
            : "0-0";
    s_add_stream(self, stream, cursor);
    freeReplyObject(reply);
    return 0;
}

// Learn a stream found in the registry or the keyspace; one found by the
// scan is registered, so the next cheap read finds it.
static int
s_found(hub_t *self, const char *stream, bool register_it)
{
    int rc = 0;
    if (!s_is_known(self, stream) && self->count < CM_OUTBOX_STREAMS_MAX) {
        rc = s_learn_stream(self, stream);
    }
    char owner[CM_STORE_KEY_MAX];
    if (rc == 0 && register_it
        && sscanf(stream, "sm:{%255[^}]}:outbox", owner) == 1) {
        rc = cm_outbox_register(cm_store_redis(self->store), owner);
    }
    return rc;
}

// Scan steps (SCAN COUNT 100 each, about 0.25 ms of Redis over 2.2 million
// keys) for at most S_SCAN_STEP_MS of this housekeeping pass: a pass over the
// keyspace is spread over many passes (a SCAN of a million keys costs Redis
// about 1.4 s, which in one go held back every request behind it), and the next
// pass starts scan_ms after one completes.
#define S_SCAN_STEP_MS 5
static int
s_scan_some(hub_t *self)
{
    int64_t now = cm_time_mono_ms();
    if (self->options.scan_ms <= 0 || now < self->next_scan_ms) {
        return 0;
    }
    int64_t until = now + S_SCAN_STEP_MS;
    int rc = 0;
    do {
        char **found = NULL;
        size_t count = 0;
        rc = cm_outbox_scan_step(cm_store_redis(self->store), self->scan_cursor,
                                 &found, &count);
        for (size_t i = 0; rc == 0 && i < count; i++) {
            rc = s_found(self, found[i], true);
        }
        cm_store_strings_free(&found, count);
    } while (rc == 0 && strcmp(self->scan_cursor, "0") != 0
             && cm_time_mono_ms() < until);
    if (rc == 0 && strcmp(self->scan_cursor, "0") == 0) {
        self->next_scan_ms = cm_time_mono_ms() + self->options.scan_ms;
    }
    return rc;
}

// Learn the registered streams; and take a few steps of the keyspace scan
// for streams whose producer could not register.
static int
s_discover(hub_t *self)
{
    cm_redis_t *redis = cm_store_redis(self->store);
    if (!self->ingest_registered) {
        // The hub owns the ingest stream's relay; make sure it is known.
        self->ingest_registered = cm_outbox_register(redis, "ingest") == 0;
    }
    char **found = NULL;
    size_t count = 0;
    int rc = cm_outbox_discover(redis, &found, &count);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        rc = s_found(self, found[i], false);
    }
    cm_store_strings_free(&found, count);
    return rc ? rc : s_scan_some(self);
}

static int
s_save_cursors(hub_t *self)
{
    const char **argv = calloc(2 + 2 * self->count, sizeof(char *));
    assert(argv);
    int argc = 0;
    argv[argc++] = "HSET";
    argv[argc++] = HUB_CURSOR_KEY;
    for (size_t i = 0; i < self->count; i++) {
        if (self->dirty[i]) {
            argv[argc++] = self->streams[i];
            argv[argc++] = self->cursors[i];
        }
    }
    int rc = 0;
    if (argc > 2) {
        redisReply *reply =
            cm_redis_command(cm_store_redis(self->store), argc, argv, NULL);
        rc = reply ? 0 : CM_EUNAVAILABLE;
        freeReplyObject(reply);
    }
    free(argv);
    for (size_t i = 0; rc == 0 && i < self->count; i++) {
        self->dirty[i] = false;
    }
    return rc;
}

// Remove the consumers of the stream's groups that are gone (nothing
// pending, idle longer than consumer_idle_ms). A failure is logged when it
// starts, not on every round while it lasts.
static int
s_reap(hub_t *self, const char *stream)
{
    cm_outbox_reaped_t *reaped = NULL;
    size_t count = 0;
    int rc = cm_outbox_reap(cm_store_redis(self->store), stream,
                            self->options.consumer_idle_ms, &reaped, &count);
    if (rc == CM_EINTERNAL && !self->reap_failing) {
        cm_log_warn("hub.reap.failed", "stream", stream, "status",
                    cm_status_name(rc));
    }
    self->reap_failing = rc == CM_EINTERNAL;
    for (size_t i = 0; i < count; i++) {
        cm_log_notice("hub.consumer.removed", "stream", stream, "group",
                      reaped[i].group, "consumer", reaped[i].consumer);
    }
    free(reaped);
    return rc;
}

static void
s_trim(hub_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        int64_t trimmed = 0;
        int rc = cm_outbox_trim(cm_store_redis(self->store), self->streams[i],
                                self->cursors[i],
                                (size_t)self->options.trim_retention, &trimmed);
        if (rc == CM_EUNAVAILABLE) {
            return;
        }
        if (trimmed > 0) {
            cm_log_info("hub.stream.trimmed", "stream", self->streams[i],
                        "#entries", CM_LOG_INT(trimmed));
        }
        if (self->options.consumer_idle_ms > 0
            && s_reap(self, self->streams[i]) == CM_EUNAVAILABLE) {
            return;
        }
    }
}

// ---- relay
// -------------------------------------------------------------------------

static void
s_advance(hub_t *self, const cm_event_t *event)
{
    for (size_t i = 0; i < self->count; i++) {
        if (strcmp(self->streams[i], event->stream) == 0) {
            free(self->cursors[i]);
            self->cursors[i] = strdup(event->id);
            assert(self->cursors[i]);
            self->dirty[i] = true;
            return;
        }
    }
}

// A debug line per relayed event under its correlation id (else its id),
// so one request can be followed through the hub; nothing unless debug.
static void
s_log_relayed(const cm_event_t *event, const char *envelope)
{
    if (!cm_log_enabled(CM_LOG_DEBUG)) {
        return;
    }
    json_t *root = json_loads(envelope, 0, NULL);
    const char *correlation =
        json_string_value(json_object_get(root, "correlation_id"));
    cm_log_set_correlation(
        correlation ? correlation
                    : json_string_value(json_object_get(root, "id")));
    cm_log_debug("hub.event.relayed", "stream", event->stream, "id", event->id,
                 "type", event->type, "#seq", CM_LOG_INT(event->seq));
    cm_log_set_correlation(NULL);
    json_decref(root);
}

static int
s_publish(const cm_event_t *event, void *arg)
{
    hub_t *self = arg;
    char topic[CM_OUTBOX_TOPIC_MAX];
    char address[CM_OUTBOX_ADDRESS_MAX];
    char seq[HUB_NUM_MAX];
    char *envelope = cm_event_relay_envelope(event);
    if (!envelope || !cm_event_topic(event, topic, sizeof topic)) {
        cm_log_warn("hub.event.invalid", "stream", event->stream, "id",
                    event->id);
        free(envelope);
        s_advance(self, event);
        return 0;
    }
    snprintf(seq, sizeof seq, "%" PRId64, event->seq);
    zmsg_t *msg = zmsg_new();
    assert(msg);
    zmsg_addstr(msg, topic);
    zmsg_addstr(msg, cm_event_address(event, address, sizeof address));
    zmsg_addstr(msg, seq);
    zmsg_addstr(msg, envelope);
    s_log_relayed(event, envelope);
    free(envelope);
    if (zmsg_send(&msg, self->xpub) != 0) {
        // XPUB never blocks; a failure here means the socket is closing.
        zmsg_destroy(&msg);
    }
    s_advance(self, event);
    return 0;
}

// Subscriptions arrive on XPUB; we do not route by them, only drain them
// (receive timeout 0: the receive that finds nothing ends it).
static void
s_drain_subscriptions(hub_t *self)
{
    zframe_t *frame;
    while ((frame = zframe_recv(self->xpub))) {
        zframe_destroy(&frame);
    }
}

static int
s_housekeeping(hub_t *self)
{
    int64_t now = cm_time_mono_ms();
    if (now >= self->next_discover_ms) {
        int rc = s_discover(self);
        if (rc) {
            return rc;
        }
        self->next_discover_ms = now + self->options.discover_ms;
    }
    if (now >= self->next_trim_ms) {
        s_trim(self);
        self->next_trim_ms = now + self->options.trim_interval_ms;
    }
    return 0;
}

int
hub_relay_once(hub_t *self)
{
    assert(self);
    s_drain_subscriptions(self);
    int rc = s_housekeeping(self);
    if (rc) {
        return rc;
    }
    if (self->count == 0) {
        return CM_ENOTFOUND;
    }
    rc = cm_outbox_read(
        cm_store_redis(self->store), self->count,
        (const char *const *)self->streams, (const char *const *)self->cursors,
        (size_t)self->options.batch, self->options.block_ms, s_publish, self);
    // After publishing: a crash in between publishes again (at-least-once);
    // consumers drop repeats by seq / dedupe marker. While events flow, at
    // most every cursor_save_ms (a round trip per read was one in six of a
    // create's); when a read found nothing, at once.
    int64_t now = cm_time_mono_ms();
    if (rc >= 0 && (rc == 0 || now >= self->next_save_ms)) {
        int saved = s_save_cursors(self);
        if (saved) {
            return saved;
        }
        self->next_save_ms = now + self->options.cursor_save_ms;
    }
    return rc;
}

// Wait up to ms for $TERM on pipe (NULL: just wait). True on $TERM.
static bool
s_wait_term(zpoller_t *poller, zsock_t *pipe, int ms)
{
    if (!pipe) {
        zclock_sleep(ms);
        return false;
    }
    if (zpoller_wait(poller, ms) != pipe) {
        return zpoller_terminated(poller);
    }
    char *command = zstr_recv(pipe);
    bool term = !command || strcmp(command, "$TERM") == 0;
    zstr_free(&command);
    return term;
}

int
hub_run(hub_t *self, zsock_t *pipe)
{
    assert(self);
    zpoller_t *poller = pipe ? zpoller_new(pipe, NULL) : NULL;
    int64_t pipe_due = 0; // monotonic: look at the pipe (a poll) again
    while (!zsys_interrupted) {
        if (pipe && cm_time_mono_ms() >= pipe_due) {
            if (s_wait_term(poller, pipe, 0)) {
                break;
            }
            pipe_due = cm_time_mono_ms() + HUB_PIPE_CHECK_MS;
        }
        int rc = hub_relay_once(self);
        int wait = rc == CM_ENOTFOUND ? self->options.block_ms
                   : rc < 0           ? HUB_RETRY_MS
                   : rc > 0 && rc < self->options.batch
                       ? self->options.gather_ms
                       : 0;
        if (wait > 0 && s_wait_term(poller, pipe, wait)) {
            break;
        }
    }
    zpoller_destroy(&poller);
    (void)s_save_cursors(self); // what was published since the last save
    cm_log_notice("hub.stopped");
    return 0;
}

void
hub_actor(zsock_t *pipe, void *args)
{
    hub_options_t options = *(const hub_options_t *)args;
    hub_t *self = hub_new(&options);
    zsock_signal(pipe, 0); // consumed by zactor_new; the status follows
    zsock_send(pipe, "i", self ? 0 : -1);
    if (self) {
        hub_run(self, pipe);
    }
    hub_destroy(&self);
}
