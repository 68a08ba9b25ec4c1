#include "cm_summary.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_doc.h"
#include "cm_problem.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"

int
cm_summary_parse_date(const char *text, int64_t *ms)
{
    int y = 0, m = 0, d = 0;
    char rest = 0;
    if (!text || strlen(text) != 10
        || sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &rest) != 3) {
        return -1;
    }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_year != y - 1900 || back.tm_mon != m - 1 || back.tm_mday != d) {
        return -1; // 2026-02-30
    }
    *ms = (int64_t)t * 1000;
    return 0;
}

bool
cm_summary_begin(cm_ctx_t *ctx, cm_summary_t *s)
{
    assert(ctx && s);
    memset(s, 0, sizeof *s);
    const json_t *actor = cm_ctx_actor(ctx);
    if (strcmp(cm_ctx_actor_role(ctx), "system") != 0
        || !json_is_string(json_object_get(actor, "service"))) {
        cm_ctx_fail(ctx, cm_problem_new(403, "forbidden",
                                        "Internal figures are for services."));
        return false;
    }
    json_t *problem = NULL;
    json_t *query = cm_ctx_query_object(ctx);
    if (query) {
        cm_validate_keys(query, "from to department", &problem);
    }
    const char *from = cm_ctx_query(ctx, "from");
    const char *to = cm_ctx_query(ctx, "to");
    if (!from || cm_summary_parse_date(from, &s->from_ms) != 0) {
        cm_validate_fail(&problem, "from", "must be a date YYYY-MM-DD");
    }
    if (!to || cm_summary_parse_date(to, &s->to_ms) != 0) {
        cm_validate_fail(&problem, "to", "must be a date YYYY-MM-DD");
    } else if (!problem && s->from_ms >= s->to_ms) {
        cm_validate_fail(&problem, "to", "must be after from");
    } else if (!problem
               && s->to_ms - s->from_ms
                      > CM_SUMMARY_SPAN_DAYS * CM_SUMMARY_DAY_MS) {
        cm_validate_fail(&problem, "to", "must be at most 366 days after from");
    }
    const char *department = cm_ctx_query(ctx, "department");
    if (department && (!*department || strlen(department) > 64)) {
        cm_validate_fail(&problem, "department", "must be a department code");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return false;
    }
    s->department = department;
    s->period = json_object();
    s->now = json_object();
    return true;
}

static void
s_set(json_t *where, const char *section, const char *figure, json_t *value)
{
    json_t *figures = json_object_get(where, section);
    if (!figures) {
        figures = json_object();
        json_object_set_new(where, section, figures);
    }
    json_object_set_new(figures, figure, value ? value : json_null());
}

void
cm_summary_period(cm_summary_t *s, const char *section, const char *figure,
                  json_t *value)
{
    s_set(s->period, section, figure, value);
}

void
cm_summary_now(cm_summary_t *s, const char *section, const char *figure,
               json_t *value)
{
    s_set(s->now, section, figure, value);
}

void
cm_summary_reply(cm_ctx_t *ctx, cm_summary_t *s, int rc)
{
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, "the figures are unreadable");
        json_decref(s->period);
        json_decref(s->now);
    } else {
        char from[CM_TIME_TEXT_MAX], to[CM_TIME_TEXT_MAX];
        cm_ctx_reply(ctx, 200,
                     json_pack("{s:s, s:s, s:s?, s:o, s:o}", "from",
                               cm_time_format(s->from_ms, from), "to",
                               cm_time_format(s->to_ms, to), "department",
                               s->department, "period", s->period, "now",
                               s->now));
    }
    s->period = NULL;
    s->now = NULL;
}

// Members of ids (an array reply) that `also` holds. 0 or a status.
static int
s_count_also(cm_redis_t *redis, const redisReply *ids, const char *also,
             int64_t *count)
{
    if (ids->elements == 0) {
        return 0;
    }
    const char **argv = calloc(ids->elements + 2, sizeof *argv);
    assert(argv);
    argv[0] = "ZMSCORE";
    argv[1] = also;
    for (size_t i = 0; i < ids->elements; i++) {
        argv[i + 2] = ids->element[i]->str;
    }
    redisReply *scores =
        cm_redis_command(redis, (int)ids->elements + 2, argv, NULL);
    free(argv);
    if (!scores || scores->type != REDIS_REPLY_ARRAY) {
        if (scores) {
            freeReplyObject(scores);
        }
        return CM_EUNAVAILABLE;
    }
    for (size_t i = 0; i < scores->elements; i++) {
        *count += scores->element[i]->type != REDIS_REPLY_NIL;
    }
    freeReplyObject(scores);
    return 0;
}

int
cm_summary_count(cm_store_t *store, const char *index, const char *also,
                 int64_t from_ms, int64_t to_ms, int64_t *count)
{
    assert(store && index && count);
    *count = 0;
    cm_redis_t *redis = cm_store_redis(store);
    char min[24], max[24];
    snprintf(min, sizeof min, "%lld", (long long)from_ms);
    snprintf(max, sizeof max, "(%lld", (long long)to_ms);
    redisReply *reply = NULL;
    if (from_ms >= 0) {
        reply = also ? cm_redis_cmd(redis, "ZRANGEBYSCORE", index, min, max)
                     : cm_redis_cmd(redis, "ZCOUNT", index, min, max);
    } else if (also) {
        reply = cm_redis_cmd(redis, "ZINTERCARD", "2", index, also);
    } else {
        reply = cm_redis_cmd(redis, "ZCARD", index);
    }
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = 0;
    if (reply->type == REDIS_REPLY_ARRAY) {
        rc = s_count_also(redis, reply, also, count);
    } else if (cm_redis_reply_int(reply, count) != 0) {
        rc = CM_EUNAVAILABLE;
    }
    freeReplyObject(reply);
    return rc;
}
