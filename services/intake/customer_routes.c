#include "customer_routes.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "case_event.h"
#include "cm_envelope.h"
#include "cm_id.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "customer.h"
#include "intake.h"

static const char *
s_correlation(const cm_ctx_t *ctx)
{
    return cm_envelope_correlation_id(cm_ctx_request(ctx));
}

static void
s_set_etag(cm_ctx_t *ctx, int64_t version)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%lld\"", (long long)version);
    cm_ctx_header(ctx, "ETag", etag);
}

static void
s_fail_exists(cm_ctx_t *ctx, const json_t *existing)
{
    json_t *problem = cm_problem_new(409, "customer_exists",
                                     "a customer with this phone or email "
                                     "exists");
    cm_problem_set(problem, "customer_id",
                   json_incref(json_object_get(existing, "id")));
    cm_ctx_fail(ctx, problem);
}

// 0 when the contacts are free, else answered (409 or 503).
static int
s_contacts_free(cm_ctx_t *ctx, const json_t *body, const char *self_id)
{
    json_t *found = NULL;
    int64_t version = 0;
    const char *fields[] = {"phone", "email"};
    for (size_t i = 0; i < 2; i++) {
        const char *value = case_string(body, fields[i]);
        int rc = customer_find(cm_ctx_store(ctx), i == 0 ? value : NULL,
                               i == 1 ? value : NULL, &found, &version);
        if (rc == 0
            && (!self_id || strcmp(case_string(found, "id"), self_id) != 0)) {
            s_fail_exists(ctx, found);
        } else if (rc && rc != CM_ENOTFOUND) {
            cm_ctx_fail_status(ctx, rc, "customers unreadable");
        }
        json_decref(found);
        found = NULL;
        if (cm_ctx_has_reply(ctx)) {
            return -1;
        }
    }
    return 0;
}

void
customer_routes_create(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_CUSTOMER)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = customer_check(body, "");
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t number = 0;
    if (s_contacts_free(ctx, body, NULL) != 0) {
        return;
    }
    int rc = cm_store_next_id(cm_ctx_store(ctx), CUSTOMER_OWNER, "customer",
                              &number);
    if (rc) {
        cm_ctx_fail_status(ctx, rc, "no customer number");
        return;
    }
    char id[CM_ID_MAX];
    int64_t now = cm_time_now_ms();
    json_t *doc =
        customer_new(cm_id_format(CUSTOMER_ID_PREFIX, number, id), body, now);
    cm_commit_t *commit = cm_commit_new(CUSTOMER_OWNER);
    customer_commit(commit, NULL, doc, CM_VERSION_NEW, now);
    customer_event_add(commit, "intake.customer.created", doc, 1,
                       cm_ctx_actor(ctx), s_correlation(ctx));
    char location[64];
    snprintf(location, sizeof location, "/v1/customers/%s", id);
    cm_ctx_header(ctx, "Location", location);
    s_set_etag(ctx, 1);
    cm_ctx_commit(ctx, commit, 201, customer_to_json(doc, 1));
    cm_commit_destroy(&commit);
    json_decref(doc);
}

// Load customer {id} or answer 404/503. Caller owns the result.
static json_t *
s_load(cm_ctx_t *ctx, int64_t *version)
{
    json_t *doc = NULL;
    const char *id = cm_ctx_param(ctx, "id");
    int rc = cm_id_parse(id, CUSTOMER_ID_PREFIX, NULL)
                 ? customer_load(cm_ctx_store(ctx), id, &doc, version)
                 : CM_ENOTFOUND;
    if (rc) {
        cm_ctx_fail_status(ctx, rc,
                           rc == CM_ENOTFOUND ? "no such customer" : NULL);
    }
    return rc ? NULL : doc;
}

void
customer_routes_get(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_READ)) {
        return;
    }
    int64_t version = 0;
    json_t *doc = s_load(ctx, &version);
    if (doc) {
        s_set_etag(ctx, version);
        cm_ctx_reply(ctx, 200, customer_to_json(doc, version));
        json_decref(doc);
    }
}

static void
s_list_match(cm_ctx_t *ctx, const char *phone, const char *email)
{
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = customer_find(cm_ctx_store(ctx), phone, email, &doc, &version);
    if (rc && rc != CM_ENOTFOUND) {
        cm_ctx_fail_status(ctx, rc, "customers unreadable");
        return;
    }
    json_t *items = json_array();
    if (rc == 0) {
        json_array_append_new(items, customer_to_json(doc, version));
    }
    json_decref(doc);
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static void
s_list_all(cm_ctx_t *ctx, size_t limit, const char *cursor)
{
    char index[CM_STORE_KEY_MAX];
    cm_store_key(index, sizeof index, CUSTOMER_OWNER, "idx", "customers");
    cm_page_t page;
    int rc =
        cm_store_list(cm_ctx_store(ctx), index, cursor, limit, false, &page);
    if (rc) {
        cm_ctx_fail_status(ctx, rc, rc == CM_EINVAL ? "bad cursor" : NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < page.count; i++) {
        json_t *doc = NULL;
        int64_t version = 0;
        if (customer_load(cm_ctx_store(ctx), page.members[i], &doc, &version)
            == 0) {
            json_array_append_new(items, customer_to_json(doc, version));
        }
        json_decref(doc);
    }
    json_t *next =
        page.next_cursor ? json_string(page.next_cursor) : json_null();
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    cm_page_clear(&page);
}

void
customer_routes_list(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_READ)) {
        return;
    }
    json_t *query = cm_ctx_query_object(ctx);
    json_t *problem = NULL;
    if (query) {
        cm_validate_keys(query, "phone email limit cursor", &problem);
    }
    const char *limit_text = cm_ctx_query(ctx, "limit");
    long limit =
        limit_text ? strtol(limit_text, NULL, 10) : CUSTOMER_LIST_LIMIT_DEFAULT;
    if (limit < 1 || limit > 200) {
        cm_validate_fail(&problem, "limit", "must be an integer 1..200");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    const char *phone = cm_ctx_query(ctx, "phone");
    const char *email = cm_ctx_query(ctx, "email");
    if (phone || email) {
        s_list_match(ctx, phone, email);
    } else {
        s_list_all(ctx, (size_t)limit, cm_ctx_query(ctx, "cursor"));
    }
}

void
customer_routes_patch(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_CUSTOMER)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = customer_check_patch(body);
    int64_t version = 0;
    json_t *old = problem ? NULL : s_load(ctx, &version);
    if (problem || !old
        || s_contacts_free(ctx, body, case_string(old, "id")) != 0) {
        if (problem) {
            cm_ctx_fail(ctx, problem);
        }
        json_decref(old);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = json_deep_copy(old);
    json_object_update(doc, (json_t *)body);
    case_set_time(doc, "updated_at", now);
    cm_commit_t *commit = cm_commit_new(CUSTOMER_OWNER);
    customer_commit(commit, old, doc, version, now);
    customer_event_add(commit, "intake.customer.updated", doc, version + 1,
                       cm_ctx_actor(ctx), s_correlation(ctx));
    s_set_etag(ctx, version + 1);
    cm_ctx_commit(ctx, commit, 200, customer_to_json(doc, version + 1));
    cm_commit_destroy(&commit);
    json_decref(doc);
    json_decref(old);
}
