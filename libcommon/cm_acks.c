#include "cm_acks.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "cm_status.h"

void
cm_acks_init(cm_acks_t *acks, size_t capacity)
{
    assert(acks);
    acks->ids = calloc(capacity + 1, sizeof *acks->ids);
    assert(acks->ids);
    acks->count = 0;
    acks->capacity = capacity;
}

void
cm_acks_clear(cm_acks_t *acks)
{
    assert(acks);
    free(acks->ids);
    memset(acks, 0, sizeof *acks);
}

void
cm_acks_add(cm_acks_t *acks, const char *id)
{
    assert(acks && id && acks->count < acks->capacity);
    snprintf(acks->ids[acks->count++], CM_STREAM_ID_MAX, "%s", id);
}

void
cm_acks_take(cm_acks_t *into, cm_acks_t *from)
{
    assert(into && from);
    if (from->count == 0) {
        return;
    }
    if (into->count + from->count > into->capacity) {
        size_t capacity = (into->count + from->count) * 2;
        into->ids = realloc(into->ids, (capacity + 1) * sizeof *into->ids);
        assert(into->ids);
        into->capacity = capacity;
    }
    memcpy(into->ids[into->count], from->ids[0],
           from->count * sizeof *from->ids);
    into->count += from->count;
    from->count = 0;
}

int
cm_acks_append(const cm_acks_t *acks, cm_redis_t *redis, const char *stream,
               const char *group)
{
    assert(acks && redis && stream && group && acks->count > 0);
    size_t argc = acks->count + 3;
    const char **argv = calloc(argc, sizeof *argv);
    assert(argv);
    argv[0] = "XACK";
    argv[1] = stream;
    argv[2] = group;
    for (size_t i = 0; i < acks->count; i++) {
        argv[i + 3] = acks->ids[i];
    }
    int rc = cm_redis_append(redis, (int)argc, argv, NULL);
    free(argv);
    return rc;
}

int
cm_acks_settle(cm_acks_t *acks, redisReply *reply, const char *stream)
{
    assert(acks && stream);
    int rc = reply ? 0 : CM_EUNAVAILABLE;
    if (reply && reply->type == REDIS_REPLY_ERROR) {
        cm_log_warn("events.ack.failed", "stream", stream, "error",
                    reply->str); // left pending: claimed, then DUPLICATE
    }
    freeReplyObject(reply);
    acks->count = 0;
    return rc;
}

int
cm_acks_flush(cm_acks_t *acks, cm_redis_t *redis, const char *stream,
              const char *group)
{
    assert(acks && redis && stream && group);
    if (acks->count == 0) {
        return 0;
    }
    int rc = cm_acks_append(acks, redis, stream, group);
    return cm_acks_settle(acks, rc == 0 ? cm_redis_read(redis) : NULL, stream);
}
