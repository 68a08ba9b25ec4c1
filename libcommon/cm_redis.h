// cm_redis — one synchronous hiredis connection (docs/architecture.md §3).
//
// Not thread-safe: one cm_redis_t per thread. Every command has a timeout
// (redis/timeout_ms). A NULL reply from hiredis means "unknown outcome": the
// call returns NULL / CM_EUNAVAILABLE, the connection is dropped, and the next
// call connects again (setting the timeout again: redisReconnect would not).
// The first failure is logged once as warn `redis.unavailable`, the recovery
// as notice `redis.reconnected`. Only libcommon includes this header.
#ifndef LIBCOMMON_CM_REDIS_H
#define LIBCOMMON_CM_REDIS_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_config.h"

#define CM_REDIS_TIMEOUT_MS_DEFAULT 1000
#define CM_REDIS_ARGS_MAX           64 // arguments of cm_redis_cmd
// A connection idle this long is checked for a close by the server before
// its next command (one poll(2)); one used more recently is not.
#define CM_REDIS_STALE_IDLE_MS 50

typedef struct cm_redis cm_redis_t;

// Create a connection to host:port (password NULL or "" for none). Connects
// at once but also succeeds when Redis is down: the next command retries.
// Caller owns the result; NULL only for bad arguments.
cm_redis_t *cm_redis_new(const char *host, int port, const char *password,
                         int timeout_ms);

// cm_redis_new from redis/host, redis/port, redis/password, redis/timeout_ms.
// Caller owns the result.
cm_redis_t *cm_redis_new_from_config(const cm_config_t *config);

// Another connection to the server of `other`, with its password and
// timeout (for a thread of its own). Caller owns the result.
cm_redis_t *cm_redis_new_like(const cm_redis_t *other);

// Close and free; safe when *self_p is NULL.
void cm_redis_destroy(cm_redis_t **self_p);

// True while the last command reached Redis.
bool cm_redis_is_connected(const cm_redis_t *self);

// Incremented on every successful (re)connect, so layers above can redo
// per-connection setup (e.g. cm_store loading its Lua library).
uint64_t cm_redis_generation(const cm_redis_t *self);

// The command timeout in milliseconds.
int cm_redis_timeout_ms(const cm_redis_t *self);

// Run one command given as argv/lengths (lengths NULL: C strings). Returns
// the reply, which may be REDIS_REPLY_ERROR; caller owns it (freeReplyObject).
// NULL when Redis is unreachable or the outcome is unknown (CM_EUNAVAILABLE).
redisReply *cm_redis_command(cm_redis_t *self, int argc, const char **argv,
                             const size_t *lengths);

// cm_redis_command with C-string arguments ended by a NULL pointer (at most
// CM_REDIS_ARGS_MAX). Use cm_redis_cmd, which adds the NULL. Caller owns the
// reply; NULL as above.
redisReply *cm_redis_cmd_list(cm_redis_t *self, const char *arg, ...);

// cm_redis_cmd(redis, "XACK", stream, group, id): C-string arguments.
#define cm_redis_cmd(self, ...)                                                \
    cm_redis_cmd_list(self, __VA_ARGS__, (const char *)NULL)

// Pipelining: queue one command without waiting (0, or CM_EUNAVAILABLE when
// not connected). Then read exactly as many replies with cm_redis_read.
int cm_redis_append(cm_redis_t *self, int argc, const char **argv,
                    const size_t *lengths);

// Read the next pipelined reply. Caller owns it. NULL: unknown outcome for
// this and every later queued command; the connection is dropped.
redisReply *cm_redis_read(cm_redis_t *self);

// Ensure a connection now (0, or CM_EUNAVAILABLE).
int cm_redis_connect(cm_redis_t *self);

// A reply that is an integer or a numeric string, as int64 (0 or -1).
int cm_redis_reply_int(const redisReply *reply, int64_t *value);

#endif
