// cm_acks — the entry ids of one consumer-group read that are done with
// (committed, seen before, dead-lettered, malformed), acknowledged together
// with one XACK. Used by cm_consumer.
#ifndef LIBCOMMON_CM_ACKS_H
#define LIBCOMMON_CM_ACKS_H

#include <stddef.h>

#include "cm_redis.h"
#include "cm_store.h"

typedef struct {
    char (*ids)[CM_STREAM_ID_MAX]; // owned; capacity: the read's entries
    size_t count;                  // used
    size_t capacity;               // allocated
} cm_acks_t;

// Room for `capacity` ids. Free with cm_acks_clear.
void cm_acks_init(cm_acks_t *acks, size_t capacity);

// Free what acks holds and zero it.
void cm_acks_clear(cm_acks_t *acks);

// Add one entry id (copied); asserts there is room.
void cm_acks_add(cm_acks_t *acks, const char *id);

// Move every id of from to the end of into (into grows as needed; from is
// left empty).
void cm_acks_take(cm_acks_t *into, cm_acks_t *from);

// The XACK of every gathered id (at least one), appended to redis's
// pipeline (cm_redis_append): 0 or CM_EUNAVAILABLE. Its reply goes to
// cm_acks_settle, which forgets the ids (and frees the reply; NULL: Redis
// went away) and returns 0 or CM_EUNAVAILABLE, as cm_acks_flush does.
int cm_acks_append(const cm_acks_t *acks, cm_redis_t *redis, const char *stream,
                   const char *group);
int cm_acks_settle(cm_acks_t *acks, redisReply *reply, const char *stream);

// One XACK on stream for group for every gathered id, then forget them.
// Add an id only after its commit (or dead-letter XADD) returned, so an ack
// never precedes its effect; a crash before the XACK redelivers entries
// whose dedupe marker makes the commit DUPLICATE. 0 or CM_EUNAVAILABLE (an
// error reply is logged and the entries stay pending).
int cm_acks_flush(cm_acks_t *acks, cm_redis_t *redis, const char *stream,
                  const char *group);

#endif
