#include "order.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_approval.h"
#include "cm_call.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/inventory.h"
#include "inventory.h"
#include "item.h"
#include "plan.h"
#include "stock.h"
#include "supplier.h"

#define S_LINES_MAX     20
#define S_RECEIPT_MAX   8  // lines of one receipt (CM_ACTION_EVENTS_MAX)
#define S_RECEIPTS_KEEP 20 // receipts kept in the order
#define S_QTY_MAX       1000000000LL
#define S_FINANCE       "finance"
#define S_CHECK_PATH    "/internal/budget/check"
#define S_COMMIT_PATH   "/internal/budget/commit"
#define S_RELEASE_PATH  "/internal/budget/release"
#define S_DETAIL_MAX    256
#define S_FIELD_MAX     64

// ---- bodies

static bool
s_check_line(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t fields[] = {
        {"item", CM_FIELD_CODE, CM_FIELD_REQUIRED},
        {"specification", CM_FIELD_TEXT, 0, .max = 1000},
        {"quantity", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1,
         .max = S_QTY_MAX},
        {"unit_price", CM_FIELD_MONEY, CM_FIELD_REQUIRED},
        {"delivery_date", CM_FIELD_DATE, CM_FIELD_REQUIRED},
        {"equipment", CM_FIELD_BOOLEAN, 0},
        {"after_sales", CM_FIELD_TEXT, 0, .max = 1000},
        CM_FIELD_END,
    };
    if (!json_is_object(value)) {
        return cm_validate_fail(problem_p, field, "must be an object");
    }
    bool ok = cm_field_check_object(fields, value, field, problem_p);
    const char *terms = cm_doc_string(value, "after_sales");
    if (json_is_true(json_object_get(value, "equipment"))
        && (!terms || !*terms)) {
        char path[S_FIELD_MAX];
        snprintf(path, sizeof path, "%s.after_sales", field);
        return cm_validate_fail(problem_p, path,
                                "is required for an equipment line");
    }
    return ok;
}

static const cm_field_t s_create_fields[] = {
    {"supplier", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"budget_line", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = 60},
    {"plan", CM_FIELD_CODE, 0},
    {"expenditure_request", CM_FIELD_CODE, 0},
    {"delivery_place", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"payment_terms", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 1000},
    {"lines", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = S_LINES_MAX, .check = s_check_line},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"supplier", CM_FIELD_CODE, 0, .to = "supplier"},
    {"budget_line", CM_FIELD_STRING, 0, .max = 60, .to = "budget_line"},
    {"plan", CM_FIELD_CODE, 0, .to = "plan"},
    {"expenditure_request", CM_FIELD_CODE, 0, .to = "expenditure_request"},
    {"delivery_place", CM_FIELD_STRING, 0, .to = "delivery_place"},
    {"payment_terms", CM_FIELD_TEXT, 0, .max = 1000, .to = "payment_terms"},
    {"lines", CM_FIELD_ARRAY, CM_FIELD_NONEMPTY, .max = S_LINES_MAX,
     .to = "lines", .check = s_check_line},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static bool
s_check_receipt_line(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t fields[] = {
        {"line", CM_FIELD_CODE, CM_FIELD_REQUIRED},
        {"accepted", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0,
         .max = S_QTY_MAX},
        {"rejected", CM_FIELD_INTEGER, 0, .min = 0, .max = S_QTY_MAX},
        {"notes", CM_FIELD_TEXT, 0, .max = 1000},
        {"expires_on", CM_FIELD_DATE, 0},
        CM_FIELD_END,
    };
    if (!json_is_object(value)) {
        return cm_validate_fail(problem_p, field, "must be an object");
    }
    if (!cm_field_check_object(fields, value, field, problem_p)) {
        return false;
    }
    if (cm_doc_integer(value, "accepted") + cm_doc_integer(value, "rejected")
        == 0) {
        char path[S_FIELD_MAX];
        snprintf(path, sizeof path, "%s.accepted", field);
        return cm_validate_fail(problem_p, path,
                                "accepted and rejected are both zero");
    }
    return true;
}

static const cm_field_t s_receive_fields[] = {
    {"lines", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = S_RECEIPT_MAX, .check = s_check_receipt_line},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};
static const cm_field_t s_reason_fields[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 1000},
    CM_FIELD_END,
};

// ---- the order's figures

// Number the lines L1… and total them: the order's amount. Receipt figures
// already on a line are kept.
static void
s_number_lines(json_t *doc)
{
    json_t *lines = json_object_get(doc, "lines");
    int64_t amount = 0;
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *line = json_array_get(lines, i);
        char id[32];
        snprintf(id, sizeof id, "L%zu", i + 1);
        json_object_set_new(line, "id", json_string(id));
        if (!json_object_get(line, "accepted")) {
            json_object_set_new(line, "accepted", json_integer(0));
            json_object_set_new(line, "rejected", json_integer(0));
        }
        int64_t quantity = cm_doc_integer(line, "quantity");
        int64_t price = cm_doc_integer(line, "unit_price");
        // Each line at most CM_FIELD_MONEY_MAX + 1 (checked), so the sum of
        // S_LINES_MAX lines cannot overflow.
        amount += price > 0 && quantity > CM_FIELD_MONEY_MAX / price
                      ? CM_FIELD_MONEY_MAX + 1
                      : quantity * price;
    }
    json_object_set_new(doc, "amount", json_integer(amount));
}

// The value of what was accepted so far (fen).
static int64_t
s_accepted_value(const json_t *doc)
{
    const json_t *lines = json_object_get(doc, "lines");
    int64_t value = 0;
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        value += cm_doc_integer(line, "accepted")
                 * cm_doc_integer(line, "unit_price");
    }
    return value;
}

// The rules of an order body that need the store: items in the catalogue,
// a qualified supplier, an amount a money field holds. NULL or a problem.
static json_t *
s_check_order(cm_store_t *store, const json_t *doc)
{
    json_t *problem =
        plan_check_items(store, json_object_get(doc, "lines"), "lines");
    if (!problem && cm_doc_integer(doc, "amount") > CM_FIELD_MONEY_MAX) {
        cm_validate_fail(&problem, "lines", "the order's total is too large");
    }
    return problem ? problem
                   : supplier_require_qualified(
                       store, cm_doc_text(doc, "supplier"), "supplier");
}

// ---- finance (cm_call): check, commit, release

// The body of a budget call for the order.
static json_t *
s_budget_body(const json_t *doc, const char *step, const char *reservation,
              int64_t amount)
{
    json_t *body = json_pack("{s:O, s:I, s:{s:s, s:O}}", "line",
                             json_object_get(doc, "budget_line"), "amount",
                             (json_int_t)amount, "document", "type",
                             ORDER_DOC_TYPE, "id", json_object_get(doc, "id"));
    if (step) {
        json_object_set_new(json_object_get(body, "document"), "step",
                            json_string(step));
    }
    if (reservation) {
        json_object_set_new(body, "reservation", json_string(reservation));
    }
    const char *request = cm_doc_string(doc, "expenditure_request");
    if (request && *request) {
        json_object_set_new(body, "expenditure_request", json_string(request));
    }
    return body;
}

// One call to finance: NULL on a 2xx (*reply gets the body when not NULL),
// else the problem to answer (finance's own, or 503 when it did not answer).
static json_t *
s_finance(cm_action_t *a, const char *path, const json_t *body, const char *key,
          json_t **reply)
{
    cm_call_t call = {.service = S_FINANCE,
                      .method = "POST",
                      .path = path,
                      .body = body,
                      .idempotency_key = key};
    cm_call_result_t result;
    if (cm_ctx_call(a->ctx, &call, &result) != 0) {
        json_t *problem = cm_problem_new(503, "finance_unavailable",
                                         "finance did not answer; nothing "
                                         "was written; retry with the same "
                                         "Idempotency-Key");
        return problem;
    }
    json_t *problem = NULL;
    if (result.status >= 300) {
        problem = result.error
                      ? json_incref(result.error)
                      : cm_problem_new(result.status, "finance_refused",
                                       "finance refused the budget");
    } else if (reply) {
        *reply = json_incref(result.body);
    }
    cm_call_result_clear(&result);
    return problem;
}

static json_t *
s_budget_check(cm_action_t *a)
{
    json_t *body =
        s_budget_body(a->doc, NULL, NULL, cm_doc_integer(a->doc, "amount"));
    json_t *problem = s_finance(a, S_CHECK_PATH, body, NULL, NULL);
    json_decref(body);
    return problem;
}

// After the final approval's commit: release the commitment when the
// approval was surely not written (an unknown outcome keeps it: the
// client's retry or finance's expiry settles it).
static void
s_after_approve(cm_action_t *a, int outcome)
{
    if (!a->saga || outcome == CM_COMMIT_OK || outcome == CM_COMMIT_DONE
        || outcome == CM_EUNAVAILABLE) {
        return;
    }
    cm_call_t release = {.service = S_FINANCE,
                         .method = "POST",
                         .path = S_RELEASE_PATH,
                         .body = a->saga,
                         .idempotency_key =
                             cm_doc_string(a->saga, "reservation")};
    cm_ctx_compensate(a->ctx, &release, S_RELEASE_PATH);
}

// The final approval: commit the order's amount on its budget line.
static json_t *
s_budget_commit(cm_action_t *a)
{
    char key[CM_CALL_KEY_MAX];
    const json_t *approval = json_object_get(a->doc, "approval");
    cm_call_key(key, sizeof key, ORDER_DOC_TYPE, cm_doc_text(a->doc, "id"),
                "approve", cm_doc_integer(approval, "round"));
    int64_t amount = cm_doc_integer(a->doc, "amount");
    json_t *body = s_budget_body(a->doc, "approve", key, amount);
    json_t *problem = s_finance(a, S_COMMIT_PATH, body, key, NULL);
    if (problem) {
        json_decref(body);
        return problem;
    }
    json_t *release = json_pack("{s:s}", "reservation", key);
    a->saga = release;
    a->after_commit = s_after_approve;
    json_object_set_new(a->doc, "budget_reservation", json_string(key));
    json_object_set_new(a->doc, "committed", json_integer(amount));
    json_decref(body);
    return NULL;
}

// Release `amount` of the order's commitment (0: nothing to do).
static json_t *
s_budget_release(cm_action_t *a, int64_t amount, const char *why)
{
    const char *reservation = cm_doc_string(a->doc, "budget_reservation");
    if (!reservation || amount <= 0) {
        return NULL;
    }
    char key[CM_CALL_KEY_MAX + 16];
    snprintf(key, sizeof key, "%s:%s", reservation, why);
    json_t *body = json_pack("{s:s, s:I}", "reservation", reservation, "amount",
                             (json_int_t)amount);
    json_t *problem = s_finance(a, S_RELEASE_PATH, body, key, NULL);
    json_decref(body);
    if (!problem) {
        json_object_set_new(a->doc, "released", json_integer(amount));
    }
    return problem;
}

// ---- effects

static json_t *
s_update(cm_action_t *a)
{
    s_number_lines(a->doc);
    return s_check_order(a->store, a->doc);
}

static json_t *
s_submit(cm_action_t *a)
{
    json_t *problem = s_check_order(a->store, a->doc);
    problem = problem ? problem : s_budget_check(a);
    return problem ? problem
                   : cm_approval_submit(a, ORDER_DOC_TYPE, INVENTORY_DEPARTMENT,
                                        cm_doc_integer(a->doc, "amount"), NULL,
                                        "pending", "approved");
}

static json_t *
s_resubmit(cm_action_t *a)
{
    json_t *problem = s_check_order(a->store, a->doc);
    problem = problem ? problem : s_budget_check(a);
    return problem ? problem
                   : cm_approval_resubmit(a, cm_doc_integer(a->doc, "amount"),
                                          "pending", "approved");
}

static json_t *
s_approve(cm_action_t *a)
{
    const json_t *approval = json_object_get(a->doc, "approval");
    size_t steps = json_array_size(json_object_get(approval, "steps"));
    bool last = (size_t)cm_doc_integer(approval, "current") + 1 >= steps;
    json_t *problem = last ? s_budget_commit(a) : s_budget_check(a);
    problem = problem ? problem : cm_approval_approve(a, "pending", "approved");
    if (!problem && cm_approval_is_complete(a->doc)) {
        cm_action_event(
            a, INVENTORY_EVENT_ORDER_APPROVED,
            json_pack("{s:O}", "budget_reservation",
                      json_object_get(a->doc, "budget_reservation")));
    }
    return problem;
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "returned");
}

static json_t *
s_order(cm_action_t *a)
{
    return supplier_require_qualified(a->store, cm_doc_text(a->doc, "supplier"),
                                      "supplier");
}

static json_t *
s_close(cm_action_t *a)
{
    int64_t unused =
        cm_doc_integer(a->doc, "committed") - s_accepted_value(a->doc);
    return s_budget_release(a, unused, "close");
}

static json_t *
s_cancel(cm_action_t *a)
{
    if (s_accepted_value(a->doc) > 0) {
        return cm_action_refuse(a, 409, "order_received",
                                "goods were received on this order: close "
                                "it instead");
    }
    return s_budget_release(a, cm_doc_integer(a->doc, "committed"), "cancel");
}

// ---- receipt

// The order line named `id` ("L2"), or NULL. Borrowed from doc.
static json_t *
s_line(json_t *doc, const char *id)
{
    json_t *lines = json_object_get(doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *line = json_array_get(lines, i);
        if (strcmp(cm_doc_text(line, "id"), id) == 0) {
            return line;
        }
    }
    return NULL;
}

// Every receipt line names an order line once and stays within the
// ordered quantity plus the tolerance. NULL or a problem.
static json_t *
s_check_receipt(cm_action_t *a, const json_t *receipt)
{
    json_t *problem = NULL;
    int64_t tolerance = inventory_of(a->ctx)->receipt_tolerance_pct;
    for (size_t i = 0; i < json_array_size(receipt); i++) {
        const json_t *in = json_array_get(receipt, i);
        const json_t *line = s_line(a->doc, cm_doc_text(in, "line"));
        char field[S_FIELD_MAX];
        snprintf(field, sizeof field, "lines[%zu].line", i);
        for (size_t j = 0; line && j < i; j++) {
            const char *other = cm_doc_text(json_array_get(receipt, j), "line");
            line = strcmp(other, cm_doc_text(in, "line")) == 0 ? NULL : line;
        }
        if (!line) {
            cm_validate_fail(&problem, field,
                             "is not a line of this order, or named twice");
            continue;
        }
        int64_t ordered = cm_doc_integer(line, "quantity");
        int64_t allowed = ordered + ordered * tolerance / 100;
        int64_t after =
            cm_doc_integer(line, "accepted") + cm_doc_integer(in, "accepted");
        if (!problem && after > allowed) {
            snprintf(field, sizeof field, "lines[%zu].accepted", i);
            problem = cm_action_refuse(a, 422, "over_delivery",
                                       "more would be accepted than ordered");
            cm_problem_set(problem, "field", json_string(field));
            cm_problem_set(problem, "ordered", json_integer(ordered));
            cm_problem_set(problem, "allowed", json_integer(allowed));
            cm_problem_set(problem, "received",
                           json_integer(cm_doc_integer(line, "accepted")));
        }
    }
    return problem;
}

// The ledger entry of an accepted line at the item's location.
static int
s_receipt_entry(cm_action_t *a, const json_t *line, int64_t accepted,
                const char *expires_on)
{
    json_t *item = NULL;
    int64_t version = 0, number = 0;
    int rc = cm_doc_read(a->store, &item_type, cm_doc_text(line, "item"), &item,
                         &version);
    rc = rc == 0
             ? cm_store_next_id(a->store, INVENTORY_OWNER, "movement", &number)
             : rc;
    if (rc == 0) {
        char id[CM_ID_MAX], at[CM_TIME_TEXT_MAX];
        snprintf(id, sizeof id, "MV-%" PRId64, number);
        json_t *entry = json_pack(
            "{s:s, s:s, s:O, s:O, s:s, s:I, s:O, s:{s:O, s:O}}", "id", id, "at",
            cm_time_format(a->now_ms, at), "item",
            json_object_get(line, "item"), "location",
            json_object_get(item, "location"), "kind", "receipt", "quantity",
            (json_int_t)accepted, "reference", json_object_get(a->doc, "id"),
            "actor", "id", json_object_get(a->actor, "id"), "role",
            json_object_get(a->actor, "role"));
        stock_set_expiry(entry, item, expires_on, a->now_ms);
        stock_commit_entry(a->commit, entry, a->now_ms);
        json_decref(entry);
    }
    json_decref(item);
    return rc;
}

// One receipt line: the ledger, the order line's figures, the supplier's
// rejected count, the equipment event.
static int
s_receive_line(cm_action_t *a, const json_t *in, json_t *line)
{
    int64_t accepted = cm_doc_integer(in, "accepted");
    int64_t rejected = cm_doc_integer(in, "rejected");
    int rc = accepted > 0 ? s_receipt_entry(a, line, accepted,
                                            cm_doc_string(in, "expires_on"))
                          : 0;
    json_object_set_new(
        line, "accepted",
        json_integer(cm_doc_integer(line, "accepted") + accepted));
    json_object_set_new(
        line, "rejected",
        json_integer(cm_doc_integer(line, "rejected") + rejected));
    if (rejected > 0) {
        char key[CM_STORE_KEY_MAX];
        cm_doc_key(&supplier_type, cm_doc_text(a->doc, "supplier"), key,
                   sizeof key);
        cm_commit_counter(a->commit, key, SUPPLIER_FIELD_REJECTED, rejected, 0,
                          CM_COUNTER_NO_MAX);
    }
    if (rc == 0 && accepted > 0
        && json_is_true(json_object_get(line, "equipment"))) {
        cm_action_event(
            a, INVENTORY_EVENT_EQUIPMENT_RECEIVED,
            json_pack("{s:{s:O, s:O, s:I, s:O, s:O, s:O}}", "equipment", "line",
                      json_object_get(line, "id"), "item",
                      json_object_get(line, "item"), "quantity",
                      (json_int_t)accepted, "unit_price",
                      json_object_get(line, "unit_price"), "after_sales",
                      json_object_get(line, "after_sales"), "specification",
                      json_object_get(line, "specification")
                          ? json_object_get(line, "specification")
                          : json_null()));
    }
    return rc;
}

static bool
s_all_received(const json_t *doc)
{
    const json_t *lines = json_object_get(doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        if (cm_doc_integer(line, "accepted")
            < cm_doc_integer(line, "quantity")) {
            return false;
        }
    }
    return true;
}

static void
s_after_receive(cm_action_t *a, int outcome)
{
    stock_answer_limit(a->ctx, outcome); // a location under count
}

static json_t *
s_receive(cm_action_t *a)
{
    const json_t *receipt = json_object_get(a->body, "lines");
    json_t *problem = s_check_receipt(a, receipt);
    for (size_t i = 0; !problem && i < json_array_size(receipt); i++) {
        const json_t *in = json_array_get(receipt, i);
        json_t *line = s_line(a->doc, cm_doc_text(in, "line"));
        if (s_receive_line(a, in, line) != 0) {
            problem = cm_problem_from_status(CM_EUNAVAILABLE, NULL);
        }
    }
    if (problem) {
        return problem;
    }
    char at[CM_TIME_TEXT_MAX];
    json_t *receipts = json_object_get(a->doc, "receipts");
    if (!json_is_array(receipts)) {
        receipts = json_array();
        json_object_set_new(a->doc, "receipts", receipts);
    }
    json_array_append_new(receipts,
                          json_pack("{s:s, s:{s:O, s:O}, s:O}", "at",
                                    cm_time_format(a->now_ms, at), "inspector",
                                    "id", json_object_get(a->actor, "id"),
                                    "role", json_object_get(a->actor, "role"),
                                    "lines", receipt));
    while (json_array_size(receipts) > S_RECEIPTS_KEEP) {
        json_array_remove(receipts, 0); // every receipt is in the history
    }
    // The event carries the order's lines with their totals (the body's
    // lines are the receipt's).
    json_object_set(a->event_data, "lines", json_object_get(a->doc, "lines"));
    json_object_set(a->event_data, "receipt", (json_t *)receipt);
    a->after_commit = s_after_receive;
    a->next_state = s_all_received(a->doc) ? "received" : "partially_received";
    return NULL;
}

// ---- the process

#define S_K     INVENTORY_KEEPERS
#define S_GUARD inventory_keeper_guard

static const cm_workflow_row_t s_rows[] = {
    {"draft returned", "update", S_K, 0, NULL, CM_WORKFLOW_STAY,
     INVENTORY_EVENT_ORDER_UPDATED, s_update_fields, s_update, S_GUARD},
    {"draft", "submit", S_K, 0, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_ORDER_SUBMITTED, s_note_only, s_submit, S_GUARD},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_ORDER_STEP_APPROVED, cm_approval_approve_fields,
     s_approve},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_ORDER_REJECTED, cm_approval_reject_fields, s_reject},
    {"returned", "resubmit", S_K, 0, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_ORDER_SUBMITTED, s_note_only, s_resubmit, S_GUARD},
    {"approved", "order", S_K, 0, NULL, "ordered",
     INVENTORY_EVENT_ORDER_ORDERED, s_note_only, s_order, S_GUARD},
    // The inspector is never the buyer who requested the order.
    {"ordered partially_received", "receive", S_K, CM_WORKFLOW_NOT_REQUESTER,
     NULL, CM_WORKFLOW_BY_CODE, INVENTORY_EVENT_ORDER_RECEIVED,
     s_receive_fields, s_receive, S_GUARD},
    {"ordered partially_received received", "close", S_K, 0, NULL, "closed",
     INVENTORY_EVENT_ORDER_CLOSED, s_note_only, s_close, S_GUARD},
    {"draft pending returned approved ordered", "cancel", S_K, 0, NULL,
     "cancelled", INVENTORY_EVENT_ORDER_CANCELLED, s_reason_fields, s_cancel,
     S_GUARD},
};

const cm_workflow_t order_workflow = {
    .name = "purchase_order",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "closed cancelled",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"supplier"},
    {"state", NULL,
     "draft pending returned approved ordered partially_received received "
     "closed cancelled"},
    {NULL},
};

const cm_doc_type_t order_type = {
    .owner = INVENTORY_OWNER,
    .kind = "order",
    .what = "purchase order",
    .id_prefix = "PO",
    .path = "/v1/purchase-orders",
    .filters = s_filters,
    .workflow = &order_workflow,
};

// ---- handlers

void
order_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!inventory_is_keeper(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the logistics store keepers place orders");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new("PO-0", "draft", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_del(doc, "note");
    s_number_lines(doc);
    problem = s_check_order(cm_ctx_store(ctx), doc);
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (cm_doc_next_id(ctx, &order_type, id) == 0) {
        json_object_set_new(doc, "id", json_string(id));
        json_object_set_new(doc, "department",
                            json_string(INVENTORY_DEPARTMENT));
        json_object_set_new(doc, "requested_by",
                            json_string(cm_ctx_actor_id(ctx)));
        cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
        cm_doc_commit(commit, &order_type, NULL, doc, CM_VERSION_NEW, now);
        cm_doc_event(ctx, commit, &order_type, INVENTORY_EVENT_ORDER_CREATED,
                     doc, 1, NULL);
        cm_doc_reply_commit(ctx, commit, &order_type, 201, doc, 1);
        cm_commit_destroy(&commit);
    }
    json_decref(doc);
}

void
order_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &order_type, NULL);
}

void
order_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &order_type);
}

void
order_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &order_type);
}

void
order_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &order_type);
}

void
order_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &order_type);
}
