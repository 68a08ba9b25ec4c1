#include "summary.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cm_doc.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_summary.h"
#include "inventory.h"
#include "report.h"

// "sm:{inventory}:write_offs:<date>" of the UTC day of ms into buf.
static const char *
s_day_key(char *buf, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char date[16];
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    return inventory_key(buf, "write_offs", date);
}

void
summary_commit_entry(cm_commit_t *commit, const json_t *entry, int64_t now_ms)
{
    if (strcmp(cm_doc_text(entry, "kind"), SUMMARY_WRITE_OFF) != 0) {
        return;
    }
    char key[CM_STORE_KEY_MAX];
    int64_t quantity = cm_doc_integer(entry, "quantity");
    s_day_key(key, now_ms);
    cm_commit_counter(commit, key, "entries", 1, CM_COUNTER_NO_MIN,
                      CM_COUNTER_NO_MAX);
    cm_commit_counter(commit, key, "quantity",
                      quantity < 0 ? -quantity : quantity, CM_COUNTER_NO_MIN,
                      CM_COUNTER_NO_MAX);
}

// The write-off counters of the days of [from, to), one pipelined read.
static int
s_write_offs(cm_store_t *store, const cm_summary_t *s, int64_t *entries,
             int64_t *quantity)
{
    cm_redis_t *redis = cm_store_redis(store);
    size_t sent = 0;
    int rc = 0;
    for (int64_t day = s->from_ms; rc == 0 && day < s->to_ms;
         day += CM_SUMMARY_DAY_MS) {
        char key[CM_STORE_KEY_MAX];
        const char *argv[] = {"HMGET", s_day_key(key, day), "entries",
                              "quantity"};
        rc = cm_redis_append(redis, 4, argv, NULL);
        sent += rc == 0;
    }
    for (size_t i = 0; i < sent; i++) {
        redisReply *reply = cm_redis_read(redis);
        if (!reply) {
            return CM_EUNAVAILABLE;
        }
        int64_t n = 0, q = 0;
        if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2) {
            if (reply->element[0]->type != REDIS_REPLY_NIL) {
                rc = cm_redis_reply_int(reply->element[0], &n) ? CM_EINTERNAL
                                                               : rc;
            }
            if (reply->element[1]->type != REDIS_REPLY_NIL) {
                rc = cm_redis_reply_int(reply->element[1], &q) ? CM_EINTERNAL
                                                               : rc;
            }
        } else {
            rc = CM_EINTERNAL;
        }
        *entries += n;
        *quantity += q;
        freeReplyObject(reply);
    }
    return rc;
}

void
summary_get(cm_ctx_t *ctx)
{
    cm_summary_t s;
    if (!cm_summary_begin(ctx, &s)) {
        return;
    }
    int64_t entries = 0, quantity = 0, items = 0, shortages = 0;
    int rc = s_write_offs(cm_ctx_store(ctx), &s, &entries, &quantity);
    rc = rc == 0 ? report_shortages(cm_ctx_store(ctx), &items, &shortages) : rc;
    cm_summary_period(&s, "stock", "write_offs", json_integer(entries));
    cm_summary_period(&s, "stock", "write_off_quantity",
                      json_integer(quantity));
    cm_summary_now(&s, "stock", "items", json_integer(items));
    cm_summary_now(&s, "stock", "shortages", json_integer(shortages));
    cm_summary_reply(ctx, &s, rc);
}
