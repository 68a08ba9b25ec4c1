#include "invoice.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_problem.h"
#include "cm_validate.h"
#include "finance.h"
#include "nested.h"
#include "period.h"

#define S_MESSAGE_MAX 160

static const cm_field_t s_fields[] = {
    {"number", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"date", CM_FIELD_DATE, CM_FIELD_REQUIRED},
    {"amount", CM_FIELD_MONEY, CM_FIELD_REQUIRED},
    {"issuer", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

bool
invoice_check_item(const json_t *value, const char *field, json_t **problem_p)
{
    return nested_check(s_fields, value, field, problem_p);
}

// One invoice's date against the claim's day: the same fiscal year, not
// after it, not older than max_age_days.
static void
s_check_date(const json_t *invoice, size_t i, int64_t claim_day,
             int max_age_days, json_t **problem)
{
    int64_t day = 0;
    char field[48];
    snprintf(field, sizeof field, "invoices[%zu].date", i);
    if (!period_parse_day(cm_doc_text(invoice, "date"), &day)) {
        return; // reported by the field check
    }
    if (day > claim_day) {
        cm_validate_fail(problem, field, "is after the claim's date");
    } else if (period_day_year(day) != period_day_year(claim_day)) {
        cm_validate_fail(problem, field,
                         "is out of period: not in the claim's fiscal year");
    } else if (claim_day - day > max_age_days) {
        char message[S_MESSAGE_MAX];
        snprintf(message, sizeof message,
                 "is out of period: older than %d days", max_age_days);
        cm_validate_fail(problem, field, message);
    }
}

json_t *
invoice_check(const json_t *claim, int max_age_days)
{
    json_t *problem = NULL;
    int64_t claim_day = 0, sum = 0;
    const json_t *invoices = json_object_get(claim, "invoices");
    bool dated = period_parse_day(cm_doc_text(claim, "date"), &claim_day);
    json_t *seen = json_object();
    for (size_t i = 0; i < json_array_size(invoices); i++) {
        const json_t *invoice = json_array_get(invoices, i);
        const char *number = cm_doc_text(invoice, "number");
        sum += cm_doc_integer(invoice, "amount");
        if (dated) {
            s_check_date(invoice, i, claim_day, max_age_days, &problem);
        }
        if (json_object_get(seen, number)) {
            char field[48];
            snprintf(field, sizeof field, "invoices[%zu].number", i);
            cm_validate_fail(&problem, field, "appears twice in this claim");
        }
        json_object_set_new(seen, number, json_true());
    }
    json_decref(seen);
    int64_t amount = cm_doc_integer(claim, "amount");
    if (sum != amount) {
        char message[S_MESSAGE_MAX];
        snprintf(message, sizeof message,
                 "must sum to the amount %lld: they sum to %lld",
                 (long long)amount, (long long)sum);
        cm_validate_fail(&problem, "invoices", message);
    }
    return problem;
}

static bool
s_has_number(const json_t *doc, const char *number)
{
    const json_t *invoices = json_object_get(doc, "invoices");
    for (size_t i = 0; i < json_array_size(invoices); i++) {
        if (strcmp(cm_doc_text(json_array_get(invoices, i), "number"), number)
            == 0) {
            return true;
        }
    }
    return false;
}

static json_t *
s_used(const char *number, const char *claim)
{
    char detail[S_MESSAGE_MAX];
    snprintf(detail, sizeof detail, "invoice %s is already used on claim %s",
             number, claim);
    json_t *problem = cm_problem_new(409, "invoice_used", detail);
    cm_problem_set(problem, "invoice", json_string(number));
    cm_problem_set(problem, "claim", json_string(claim));
    return problem;
}

// Hold (claim id) or free (claim NULL) one number, at its current version.
static json_t *
s_commit_number(cm_store_t *store, cm_commit_t *commit, const char *number,
                const char *claim, const char *own)
{
    char key[CM_STORE_KEY_MAX];
    cm_doc_t stored;
    int rc = cm_store_get(store, finance_key(key, "invoice", number), &stored);
    if (rc != 0 && rc != CM_ENOTFOUND) {
        return cm_problem_from_status(rc, NULL);
    }
    json_t *held = rc == 0 ? json_loads(stored.json, 0, NULL) : NULL;
    int64_t version = rc == 0 ? stored.version : CM_VERSION_NEW;
    if (rc == 0) {
        cm_doc_clear(&stored);
    }
    const char *holder = cm_doc_text(held, "claim");
    json_t *problem = NULL;
    if (claim && *holder && strcmp(holder, own) != 0) {
        problem = s_used(number, holder);
    } else if (claim || strcmp(holder, own) == 0) {
        json_t *doc = json_pack("{s:s, s:s}", "number", number, "claim",
                                claim ? claim : "");
        char *text = json_dumps(doc, JSON_COMPACT);
        cm_commit_doc(commit, key, version, text);
        cm_commit_field(commit, "state", claim ? "held" : "free");
        free(text);
        json_decref(doc);
    }
    json_decref(held);
    return problem;
}

json_t *
invoice_commit(cm_store_t *store, cm_commit_t *commit, const json_t *old,
               const json_t *doc)
{
    const char *own = cm_doc_text(doc ? doc : old, "id");
    json_t *problem = NULL;
    const json_t *invoices = json_object_get(doc, "invoices");
    for (size_t i = 0; !problem && i < json_array_size(invoices); i++) {
        const char *number = cm_doc_text(json_array_get(invoices, i), "number");
        if (!old || !s_has_number(old, number)) {
            problem = s_commit_number(store, commit, number, own, own);
        }
    }
    invoices = json_object_get(old, "invoices");
    for (size_t i = 0; !problem && i < json_array_size(invoices); i++) {
        const char *number = cm_doc_text(json_array_get(invoices, i), "number");
        if (!doc || !s_has_number(doc, number)) {
            problem = s_commit_number(store, commit, number, NULL, own);
        }
    }
    return problem;
}

json_t *
invoice_conflict(cm_store_t *store, const json_t *doc)
{
    const char *own = cm_doc_text(doc, "id");
    const json_t *invoices = json_object_get(doc, "invoices");
    for (size_t i = 0; i < json_array_size(invoices); i++) {
        const char *number = cm_doc_text(json_array_get(invoices, i), "number");
        char key[CM_STORE_KEY_MAX];
        cm_doc_t stored;
        if (cm_store_get(store, finance_key(key, "invoice", number), &stored)
            != 0) {
            continue;
        }
        json_t *held = json_loads(stored.json, 0, NULL);
        cm_doc_clear(&stored);
        const char *holder = cm_doc_text(held, "claim");
        json_t *problem =
            *holder && strcmp(holder, own) != 0 ? s_used(number, holder) : NULL;
        json_decref(held);
        if (problem) {
            return problem;
        }
    }
    return NULL;
}
