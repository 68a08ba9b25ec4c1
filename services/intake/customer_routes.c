#include "customer_routes.h"

#include <assert.h>

#include "access.h"
#include "case.h"
#include "case_create.h"
#include "cm_action.h"
#include "cm_envelope.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
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
                                    "phone email", &query);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    const char *phone = cm_ctx_query(ctx, "phone");
    const char *email = cm_ctx_query(ctx, "email");
    if (phone || email) {
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
