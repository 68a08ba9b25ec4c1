#include "cm_redis.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cm_log.h"
#include "cm_status.h"
#include "cm_time.h"

#define CM_REDIS_HOST_MAX 256

struct cm_redis {
    char host[CM_REDIS_HOST_MAX]; // server host name or address
    int port;                     // server TCP port
    char *password;               // AUTH password, NULL for none
    int timeout_ms;               // connect and command timeout
    redisContext *ctx;            // live context, NULL when disconnected
    uint64_t generation;          // successful connects so far
    bool warned;                  // unavailable logged since last success
    size_t pending;               // appended commands not read yet
    bool loading;                 // the server answered LOADING last time
    int64_t used_ms;              // monotonic: last reply read
    char last_error[128];         // cause of the last failure
};

static struct timeval
s_timeval(int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000,
                         .tv_usec = (suseconds_t)(ms % 1000) * 1000};
    return tv;
}

// Log the first failure after a success; later ones stay quiet.
static void
s_mark_down(cm_redis_t *self, const char *cause)
{
    snprintf(self->last_error, sizeof self->last_error, "%s",
             cause ? cause : "unknown");
    if (self->ctx) {
        redisFree(self->ctx);
        self->ctx = NULL;
    }
    if (!self->warned) {
        self->warned = true;
        cm_log_warn("redis.unavailable", "host", self->host, "#port",
                    CM_LOG_INT(self->port), "error", self->last_error);
    }
}

static int
s_authenticate(cm_redis_t *self)
{
    if (!self->password || !*self->password) {
        return 0;
    }
    redisReply *reply = redisCommand(self->ctx, "AUTH %s", self->password);
    if (!reply) {
        s_mark_down(self, self->ctx->errstr);
        return CM_EUNAVAILABLE;
    }
    int rc = reply->type == REDIS_REPLY_ERROR ? CM_EUNAVAILABLE : 0;
    if (rc) {
        s_mark_down(self, reply->str);
    }
    freeReplyObject(reply);
    return rc;
}

// A Redis that is loading its data set answers every command with
// "-LOADING ...": treat it as unavailable (503, not ready) until it is done,
// rather than as a failure. Logged once per loading period.
static int
s_check_loading(cm_redis_t *self)
{
    redisReply *reply = redisCommand(self->ctx, "PING");
    if (!reply) {
        s_mark_down(self, self->ctx->errstr);
        return CM_EUNAVAILABLE;
    }
    bool loading = reply->type == REDIS_REPLY_ERROR
                   && strncmp(reply->str, "LOADING", 7) == 0;
    int rc = 0;
    if (reply->type == REDIS_REPLY_ERROR) {
        if (loading && !self->loading) {
            cm_log_warn("redis.loading", "host", self->host, "#port",
                        CM_LOG_INT(self->port));
        }
        self->loading = loading;
        self->warned = true; // a notice follows when it answers again
        snprintf(self->last_error, sizeof self->last_error, "%s", reply->str);
        redisFree(self->ctx);
        self->ctx = NULL;
        rc = CM_EUNAVAILABLE;
    } else {
        self->loading = false;
    }
    freeReplyObject(reply);
    return rc;
}

// An idle connection with something to read has been closed by the server
// (a restart, a timeout) or is out of step: drop it before sending, so the
// first command after a Redis restart connects again instead of failing.
// One poll(2) with no wait; no round trip. Only after CM_REDIS_STALE_IDLE_MS
// without a reply: a connection in use answered a moment ago, and a poll
// per command was one system call in seven of a busy service.
static void
s_drop_if_stale(cm_redis_t *self)
{
    if (!self->ctx || self->pending > 0
        || cm_time_mono_ms() - self->used_ms < CM_REDIS_STALE_IDLE_MS) {
        return;
    }
    struct pollfd pfd = {.fd = self->ctx->fd, .events = POLLIN};
    int ready = poll(&pfd, 1, 0);
    if (ready > 0) {
        redisFree(self->ctx);
        self->ctx = NULL;
        cm_log_notice("redis.stale_connection", "host", self->host, "#port",
                      CM_LOG_INT(self->port));
    }
}

int
cm_redis_connect(cm_redis_t *self)
{
    assert(self);
    s_drop_if_stale(self);
    if (self->ctx) {
        return 0;
    }
    self->pending = 0;
    struct timeval tv = s_timeval(self->timeout_ms);
    // A host that is a path is Redis's Unix socket (redis/host =
    // /run/redis.sock): on one machine it costs less per command than TCP.
    self->ctx = self->host[0] == '/'
                    ? redisConnectUnixWithTimeout(self->host, tv)
                    : redisConnectWithTimeout(self->host, self->port, tv);
    if (!self->ctx) {
        s_mark_down(self, "out of memory");
        return CM_EUNAVAILABLE;
    }
    if (self->ctx->err) {
        s_mark_down(self, self->ctx->errstr);
        return CM_EUNAVAILABLE;
    }
    // A fresh context has no command timeout; set it on every connect.
    if (redisSetTimeout(self->ctx, tv) != REDIS_OK) {
        s_mark_down(self, "cannot set timeout");
        return CM_EUNAVAILABLE;
    }
    if (s_authenticate(self) != 0 || s_check_loading(self) != 0) {
        return CM_EUNAVAILABLE;
    }
    self->generation++;
    if (self->warned) {
        self->warned = false;
        cm_log_notice("redis.reconnected", "host", self->host, "#port",
                      CM_LOG_INT(self->port));
    }
    return 0;
}

cm_redis_t *
cm_redis_new(const char *host, int port, const char *password, int timeout_ms)
{
    if (!host || strlen(host) >= CM_REDIS_HOST_MAX || port <= 0 || port > 65535
        || timeout_ms <= 0) {
        return NULL;
    }
    cm_redis_t *self = calloc(1, sizeof *self);
    assert(self);
    snprintf(self->host, sizeof self->host, "%s", host);
    self->port = port;
    self->timeout_ms = timeout_ms;
    if (password && *password) {
        self->password = strdup(password);
        assert(self->password);
    }
    // Failure is fine here: the first command tries again and reports.
    cm_redis_connect(self);
    return self;
}

cm_redis_t *
cm_redis_new_from_config(const cm_config_t *config)
{
    assert(config);
    return cm_redis_new(cm_config_str(config, "redis/host"),
                        (int)cm_config_int(config, "redis/port"),
                        cm_config_str(config, "redis/password"),
                        (int)cm_config_int(config, "redis/timeout_ms"));
}

cm_redis_t *
cm_redis_new_like(const cm_redis_t *other)
{
    assert(other);
    return cm_redis_new(other->host, other->port, other->password,
                        other->timeout_ms);
}

void
cm_redis_destroy(cm_redis_t **self_p)
{
    assert(self_p);
    cm_redis_t *self = *self_p;
    if (self) {
        if (self->ctx) {
            redisFree(self->ctx);
        }
        free(self->password);
        free(self);
        *self_p = NULL;
    }
}

bool
cm_redis_is_connected(const cm_redis_t *self)
{
    assert(self);
    return self->ctx != NULL;
}

uint64_t
cm_redis_generation(const cm_redis_t *self)
{
    assert(self);
    return self->generation;
}

int
cm_redis_timeout_ms(const cm_redis_t *self)
{
    assert(self);
    return self->timeout_ms;
}

redisReply *
cm_redis_command(cm_redis_t *self, int argc, const char **argv,
                 const size_t *lengths)
{
    assert(self);
    assert(argc > 0 && argv);
    if (cm_redis_connect(self) != 0) {
        return NULL;
    }
    redisReply *reply = redisCommandArgv(self->ctx, argc, argv, lengths);
    if (!reply) {
        // Unknown outcome: the command may have run. Drop the context.
        s_mark_down(self, self->ctx->errstr);
    } else {
        self->used_ms = cm_time_mono_ms();
    }
    return reply;
}

redisReply *
cm_redis_cmd_list(cm_redis_t *self, const char *arg, ...)
{
    assert(self && arg);
    const char *argv[CM_REDIS_ARGS_MAX];
    int argc = 0;
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a; a = va_arg(ap, const char *)) {
        assert(argc < CM_REDIS_ARGS_MAX);
        argv[argc++] = a;
    }
    va_end(ap);
    return cm_redis_command(self, argc, argv, NULL);
}

int
cm_redis_append(cm_redis_t *self, int argc, const char **argv,
                const size_t *lengths)
{
    assert(self);
    if (cm_redis_connect(self) != 0) {
        return CM_EUNAVAILABLE;
    }
    if (redisAppendCommandArgv(self->ctx, argc, argv, lengths) != REDIS_OK) {
        s_mark_down(self, self->ctx->errstr);
        return CM_EUNAVAILABLE;
    }
    self->pending++;
    return 0;
}

redisReply *
cm_redis_read(cm_redis_t *self)
{
    assert(self);
    if (!self->ctx) {
        return NULL;
    }
    void *reply = NULL;
    if (self->pending > 0) {
        self->pending--;
    }
    if (redisGetReply(self->ctx, &reply) != REDIS_OK || !reply) {
        s_mark_down(self, self->ctx->errstr);
        return NULL;
    }
    self->used_ms = cm_time_mono_ms();
    return reply;
}

int
cm_redis_reply_int(const redisReply *reply, int64_t *value)
{
    assert(value);
    if (!reply) {
        return -1;
    }
    if (reply->type == REDIS_REPLY_INTEGER) {
        *value = reply->integer;
        return 0;
    }
    if (reply->type != REDIS_REPLY_STRING || reply->len == 0) {
        return -1;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(reply->str, &end, 10);
    if (errno || end != reply->str + reply->len) {
        return -1;
    }
    *value = v;
    return 0;
}
