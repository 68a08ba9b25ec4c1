#include "finance_events.h"

#include <stdio.h>
#include <string.h>

#include "account.h"
#include "cm_doc.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_time.h"
#include "commitment.h"
#include "events/assets.h"
#include "events/external.h"
#include "events/personnel.h"
#include "finance.h"
#include "journal.h"
#include "reconciliation.h"

#define S_MEMO_MAX 160

static json_t *
s_envelope(const cm_event_t *event)
{
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    if (!envelope) {
        cm_log_warn("event.unparseable", "type", event->type);
    }
    return envelope;
}

// Confirm the commitment an event names (data.budget_reservation).
static int
s_confirm(cm_store_t *store, const json_t *envelope, cm_commit_t *commit)
{
    const char *reservation =
        cm_doc_string(json_object_get(envelope, "data"), "budget_reservation");
    if (!reservation) {
        return 0;
    }
    return commitment_confirm(store, commit, reservation,
                              cm_doc_text(envelope, "type"));
}

// Post a two-line entry into the consumer's commit. A problem (an account
// missing from the chart) is logged and the event acknowledged: retrying
// cannot fix it.
static int
s_post(cm_store_t *store, cm_commit_t *commit, const json_t *envelope,
       const char *debit, const char *credit, int64_t amount, const char *memo)
{
    json_t *lines = json_pack("[{s:s, s:I}, {s:s, s:I}]", "account", debit,
                              "debit", (json_int_t)amount, "account", credit,
                              "credit", (json_int_t)amount);
    json_t *source =
        json_pack("{s:s, s:s}", "type", cm_doc_text(envelope, "type"), "id",
                  cm_doc_text(envelope, "id"));
    journal_post_t post = {
        .lines = lines,
        .memo = memo,
        .reference = cm_doc_string(envelope, "subject"),
        .source = source,
        .actor = json_object_get(envelope, "actor"),
        .correlation = cm_doc_string(envelope, "correlation_id"),
    };
    char id[CM_ID_MAX];
    int rc = journal_next_id(store, id);
    json_t *entry = NULL;
    json_t *problem = rc ? NULL
                         : journal_prepare(store, commit, &post, id,
                                           cm_time_now_ms(), &entry);
    if (problem) {
        cm_log_warn("event.not_posted", "type", cm_doc_text(envelope, "type"),
                    "reason", cm_doc_text(problem, "detail"));
    }
    json_decref(problem);
    json_decref(entry);
    json_decref(source);
    json_decref(lines);
    return rc;
}

static int
s_sanction(cm_store_t *store, const json_t *envelope, cm_commit_t *commit)
{
    const json_t *data = json_object_get(envelope, "data");
    const char *kind = cm_doc_text(data, "kind");
    int64_t amount = cm_doc_integer(data, "amount");
    char memo[S_MEMO_MAX];
    snprintf(memo, sizeof memo, "%s of %s", kind, cm_doc_text(data, "staff"));
    if (amount <= 0) {
        return 0; // a sanction without money (criticism, warning)
    }
    if (strcmp(kind, "fine") == 0) {
        return s_post(store, commit, envelope, ACCOUNT_STAFF, ACCOUNT_INCOME,
                      amount, memo);
    }
    if (strcmp(kind, "bonus") == 0) {
        return s_post(store, commit, envelope, ACCOUNT_EXPENSE, ACCOUNT_STAFF,
                      amount, memo);
    }
    return 0;
}

int
finance_events_on_personnel(cm_store_t *store, const cm_event_t *event,
                            cm_commit_t *commit, void *arg)
{
    int rc = cm_org_consume(store, event, commit, arg);
    json_t *envelope = rc == 0 ? s_envelope(event) : NULL;
    if (envelope) {
        rc = s_confirm(store, envelope, commit);
        if (rc == 0
            && strcmp(event->type, PERSONNEL_EVENT_SANCTION_PUBLISHED) == 0) {
            rc = s_sanction(store, envelope, commit);
        }
    }
    json_decref(envelope);
    return rc;
}

int
finance_events_on_producer(cm_store_t *store, const cm_event_t *event,
                           cm_commit_t *commit, void *arg)
{
    (void)arg; // the configuration is not needed
    json_t *envelope = s_envelope(event);
    int rc = envelope ? s_confirm(store, envelope, commit) : 0;
    json_decref(envelope);
    return rc;
}

int
finance_events_on_assets(cm_store_t *store, const cm_event_t *event,
                         cm_commit_t *commit, void *arg)
{
    (void)arg; // the configuration is not needed
    json_t *envelope = s_envelope(event);
    int rc = envelope ? s_confirm(store, envelope, commit) : 0;
    const json_t *data = json_object_get(envelope, "data");
    int64_t proceeds = cm_doc_integer(data, "proceeds");
    if (rc == 0 && strcmp(event->type, ASSETS_EVENT_SCRAP_DISPOSED) == 0
        && proceeds > 0) {
        char memo[S_MEMO_MAX];
        snprintf(memo, sizeof memo, "disposal proceeds of %s",
                 cm_doc_text(data, "request"));
        rc = s_post(store, commit, envelope, ACCOUNT_BANK, ACCOUNT_INCOME,
                    proceeds, memo);
    }
    json_decref(envelope);
    return rc;
}

int
finance_events_on_ingest(cm_store_t *store, const cm_event_t *event,
                         cm_commit_t *commit, void *arg)
{
    (void)arg; // the configuration is not needed
    if (strcmp(event->type, EXTERNAL_EVENT_BANK_STATEMENT) != 0) {
        return 0;
    }
    json_t *envelope = s_envelope(event);
    int rc = envelope ? reconciliation_from_event(store, envelope, commit) : 0;
    json_decref(envelope);
    return rc;
}
