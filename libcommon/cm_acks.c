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

int
cm_acks_flush(cm_acks_t *acks, cm_redis_t *redis, const char *stream,
              const char *group)
{
    assert(acks && redis && stream && group);
    if (acks->count == 0) {
        return 0;
    }
    size_t argc = acks->count + 3;
    const char **argv = calloc(argc, sizeof *argv);
    assert(argv);
    argv[0] = "XACK";
    argv[1] = stream;
    argv[2] = group;
    for (size_t i = 0; i < acks->count; i++) {
        argv[i + 3] = acks->ids[i];
    }
    redisReply *reply = cm_redis_command(redis, (int)argc, argv, NULL);
    int rc = reply ? 0 : CM_EUNAVAILABLE;
    if (reply && reply->type == REDIS_REPLY_ERROR) {
        cm_log_warn("events.ack.failed", "stream", stream, "error",
                    reply->str); // left pending: claimed, then DUPLICATE
    }
    freeReplyObject(reply);
    free(argv);
    acks->count = 0;
    return rc;
}
