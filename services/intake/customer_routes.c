#include "customer_routes.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "case.h"
#include "case_create.h"
#include "cm_action.h"
#include "cm_envelope.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_time.h"
#include "customer.h"
#include "events/intake.h"
#include "intake.h"

void
customer_routes_create(cm_ctx_t *ctx)
{
    if (!intake_allow_desk(ctx, INTAKE_ROLES_CUSTOMER)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!customer_check(body, NULL, &problem)
        || (problem = customer_contacts_taken(cm_ctx_store(ctx), body, NULL))) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t number = 0;
    int rc = cm_store_next_id(cm_ctx_store(ctx), CASE_OWNER, customer_type.kind,
                              &number);
    if (rc) {
        cm_doc_fail(ctx, rc, &customer_type, NULL);
        return;
    }
    char id[CM_ID_MAX];
    int64_t now = cm_time_now_ms();
    json_t *doc =
        customer_new(cm_id_format(customer_type.id_prefix, number, id), body,
                     cm_ctx_actor(ctx), now);
    cm_commit_t *commit = cm_commit_new(CASE_OWNER);
    rc = customer_commit(commit, NULL, doc, CM_VERSION_NEW, now);
    rc = rc ? rc
            : cm_doc_event(ctx, commit, &customer_type,
                           INTAKE_EVENT_CUSTOMER_CREATED, doc, 1, NULL);
    if (rc) {
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "the customer is too large");
    } else {
        cm_doc_reply_commit(ctx, commit, &customer_type, 201, doc, 1);
    }
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
customer_routes_get(cm_ctx_t *ctx)
{
    if (intake_allow(ctx, INTAKE_ROLES_READ)) {
        cm_doc_get(ctx, &customer_type);
    }
}

// The customer owning phone or email as a one-item page (or none).
static void
s_list_match(cm_ctx_t *ctx, const char *phone, const char *email)
{
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = customer_find(cm_ctx_store(ctx), phone, email, &doc, &version);
    if (rc && rc != CM_ENOTFOUND) {
        cm_doc_fail(ctx, rc, &customer_type, NULL);
        return;
    }
    json_t *items = json_array();
    if (rc == 0) {
        json_t *item = cm_doc_list_item(&customer_type, doc);
        json_object_set_new(item, "version", json_integer(version));
        json_array_append_new(items, item);
    }
    json_decref(doc);
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

// Customers whose normalised name starts with prefix, in name order, a
// page at a time: the cursor is the hex of the last index member.
static void
s_list_names(cm_ctx_t *ctx, const char *prefix, const cm_list_query_t *query)
{
    char norm[CUSTOMER_NAME_KEY_MAX];
    char key[CM_STORE_KEY_MAX];
    char min[CUSTOMER_NAME_KEY_MAX + CM_ID_MAX + 2];
    char max[CUSTOMER_NAME_KEY_MAX + 2];
    if (customer_name_key(prefix, norm, sizeof norm) == 0
        || strlen(prefix) >= CUSTOMER_NAME_KEY_MAX) {
        json_t *problem =
            cm_problem_new(400, "validation_failed", "bad name search");
        cm_problem_add_error(problem, "name",
                             "must be the start of a name (1-255 characters)");
        cm_ctx_fail(ctx, problem);
        return;
    }
    snprintf(max, sizeof max, "[%s\xff", norm);
    snprintf(min, sizeof min, "[%s", norm);
    if (query->cursor) {
        size_t n = strlen(query->cursor);
        unsigned char after[CUSTOMER_NAME_KEY_MAX + CM_ID_MAX];
        size_t used = 0;
        if (n % 2 != 0 || n / 2 >= sizeof after
            || sodium_hex2bin(after, sizeof after, query->cursor, n, NULL,
                              &used, NULL)
                   != 0) {
            json_t *problem =
                cm_problem_new(400, "validation_failed", "malformed cursor");
            cm_problem_add_error(problem, "cursor",
                                 "must be a next_cursor of this search");
            cm_ctx_fail(ctx, problem);
            return;
        }
        snprintf(min, sizeof min, "(%.*s", (int)used, (const char *)after);
    }
    char limit[24];
    snprintf(limit, sizeof limit, "%zu", query->limit);
    customer_names_key(key);
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(cm_ctx_store(ctx)), "ZRANGEBYLEX", key, min,
                     max, "LIMIT", "0", limit);
    if (!reply || reply->type != REDIS_REPLY_ARRAY) {
        if (reply) {
            freeReplyObject(reply);
        }
        cm_doc_fail(ctx, CM_EUNAVAILABLE, &customer_type, NULL);
        return;
    }
    json_t *items = json_array();
    const char *last = NULL;
    for (size_t i = 0; i < reply->elements; i++) {
        const char *member = reply->element[i]->str;
        const char *id = member ? strrchr(member, '\x1f') : NULL;
        json_t *doc = NULL;
        int64_t version = 0;
        if (id
            && cm_doc_read(cm_ctx_store(ctx), &customer_type, id + 1, &doc,
                           &version)
                   == 0) {
            json_t *item = cm_doc_list_item(&customer_type, doc);
            json_object_set_new(item, "version", json_integer(version));
            json_array_append_new(items, item);
        }
        json_decref(doc);
        last = member;
    }
    json_t *next = json_null();
    if (last && reply->elements == query->limit) {
        char hex[2 * (CUSTOMER_NAME_KEY_MAX + CM_ID_MAX) + 1];
        sodium_bin2hex(hex, sizeof hex, (const unsigned char *)last,
                       strlen(last));
        next = json_string(hex);
    }
    freeReplyObject(reply);
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

void
customer_routes_list(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_READ)) {
        return;
    }
    if (!access_reads_contacts(cm_ctx_actor(ctx))) {
        cm_ctx_fail(ctx, cm_problem_new(403, "forbidden",
                                        "Customer lists and searches are for "
                                        "the customer service desk."));
        return;
    }
    cm_list_query_t query;
    json_t *problem = cm_list_parse(&customer_type, cm_ctx_query_object(ctx),
                                    "phone email name", &query);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    const char *phone = cm_ctx_query(ctx, "phone");
    const char *email = cm_ctx_query(ctx, "email");
    const char *name = cm_ctx_query(ctx, "name");
    if (name) {
        s_list_names(ctx, name, &query);
    } else if (phone || email) {
        s_list_match(ctx, phone, email);
    } else {
        cm_list_reply(ctx, &customer_type, &query);
    }
}

void
customer_routes_patch(cm_ctx_t *ctx)
{
    if (intake_allow(ctx, INTAKE_ROLES_CUSTOMER)) {
        cm_action_patch(ctx, &customer_type);
    }
}
