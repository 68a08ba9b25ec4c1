#include "finance.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "adjustment.h"
#include "budget.h"
#include "claim.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "commitment.h"
#include "expenditure.h"
#include "finance_events.h"
#include "journal.h"
#include "reconciliation.h"
#include "report.h"
#include "summary.h"

// The one piece of mutable static state: written by s_start before any
// thread runs (cm_service_start), read-only afterwards (as dispatch's).
static finance_t s_state;

static const cm_route_t s_routes[] = {
    {"POST", "/v1/budgets", budget_create},
    {"GET", "/v1/budgets", budget_list},
    {"GET", "/v1/budgets/{id}", budget_get, .reads = &budget_type},
    {"PATCH", "/v1/budgets/{id}", budget_patch},
    {"GET", "/v1/budgets/{id}/history", budget_history},
    {"GET", "/v1/budgets/{id}/lines/{line}", budget_line_get},
    {"GET", "/v1/budgets/{id}/lines/{line}/movements", budget_movements},
    {"POST", "/v1/budgets/{id}/verify", budget_verify},
    {"POST", "/v1/budgets/{id}/adjust", adjustment_create_transfer},
    {"POST", "/v1/budgets/{id}/supplement", adjustment_create_supplement},
    {"POST", "/v1/budgets/{id}/{action}", budget_act},
    {"POST", "/v1/budget-adjustments", adjustment_create},
    {"GET", "/v1/budget-adjustments", adjustment_list},
    {"GET", "/v1/budget-adjustments/{id}", adjustment_get,
     .reads = &adjustment_type},
    {"GET", "/v1/budget-adjustments/{id}/history", adjustment_history},
    {"POST", "/v1/budget-adjustments/{id}/{action}", adjustment_act},
    {"GET", "/v1/reports/budget", report_budget},
    {"POST", "/v1/expense-claims", claim_create},
    {"GET", "/v1/expense-claims", claim_list},
    {"GET", "/v1/expense-claims/{id}", claim_get, .reads = &claim_type},
    {"PATCH", "/v1/expense-claims/{id}", claim_patch},
    {"GET", "/v1/expense-claims/{id}/history", claim_history},
    {"POST", "/v1/expense-claims/{id}/{action}", claim_act},
    {"POST", "/v1/expenditure-requests", expenditure_create},
    {"GET", "/v1/expenditure-requests", expenditure_list},
    {"GET", "/v1/expenditure-requests/{id}", expenditure_get,
     .reads = &expenditure_type},
    {"PATCH", "/v1/expenditure-requests/{id}", expenditure_patch},
    {"GET", "/v1/expenditure-requests/{id}/history", expenditure_history},
    {"POST", "/v1/expenditure-requests/{id}/{action}", expenditure_act},
    {"POST", "/v1/accounts", account_create},
    {"GET", "/v1/accounts", account_list},
    {"GET", "/v1/accounts/{id}", account_get, .reads = &account_type},
    {"GET", "/v1/accounts/{id}/balance", account_balance},
    {"POST", "/v1/journal", journal_create},
    {"GET", "/v1/journal", journal_list},
    {"GET", "/v1/journal/{id}", journal_get},
    {"POST", "/v1/journal/{id}/reverse", journal_reverse},
    {"POST", "/v1/reconciliations", reconciliation_create},
    {"GET", "/v1/reconciliations", reconciliation_list},
    {"GET", "/v1/reconciliations/{id}", reconciliation_get,
     .reads = &reconciliation_type},
    {"GET", "/v1/reconciliations/{id}/history", reconciliation_history},
    {"GET", "/v1/reconciliations/{id}/statement", reconciliation_statement},
    {"POST", "/v1/reconciliations/{id}/{action}", reconciliation_act},
    {"POST", "/internal/budget/check", commitment_check},
    {"POST", "/internal/budget/commit", commitment_commit},
    {"POST", "/internal/budget/release", commitment_release},
    {"GET", "/internal/summary", summary_get},
    {NULL, NULL, NULL},
};

static const cm_config_option_t s_options[] = {
    {"finance/major_expenditure_fen", CM_CONFIG_INT, FINANCE_MAJOR_DEFAULT, 1,
     CM_FIELD_MONEY_MAX, false,
     "spending at or above this (fen) needs an approved expenditure request"},
    {"finance/reservation_ttl_ms", CM_CONFIG_INT, FINANCE_TTL_DEFAULT, 100,
     30LL * 24 * 3600 * 1000, false,
     "a budget commitment not confirmed by then is released"},
    {"finance/match_window_days", CM_CONFIG_INT, "3", 0, 31, false,
     "reconciliation: most days between a statement line and its entry"},
    {"finance/invoice_max_age_days", CM_CONFIG_INT, "180", 1, 366, false,
     "oldest invoice an expense claim may carry"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

static const cm_subscription_t s_subscriptions[] = {
    {"personnel", finance_events_on_personnel},
    {"safety-audit", cm_org_consume, CM_ORG_SAFETY_TOPIC},
    {"inventory", finance_events_on_producer},
    {"assets", finance_events_on_assets},
    {"ingest", finance_events_on_ingest},
    {NULL, NULL},
};

static int
s_start(cm_service_t *service, cm_store_t *store)
{
    const cm_config_t *config = cm_service_config(service);
    finance_t *self = cm_service_def(service)->state;
    self->major_expenditure_fen =
        cm_config_int(config, "finance/major_expenditure_fen");
    self->reservation_ttl_ms =
        cm_config_int(config, "finance/reservation_ttl_ms");
    self->match_window_days =
        (int)cm_config_int(config, "finance/match_window_days");
    self->invoice_max_age_days =
        (int)cm_config_int(config, "finance/invoice_max_age_days");
    const cm_workflow_t *tables[] = {
        &budget_workflow, &claim_workflow, &expenditure_workflow,
        &reconciliation_workflow, &adjustment_workflow};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (cm_workflow_check(tables[i]) != 0) {
            return -1;
        }
    }
    return account_seed(store);
}

static void
s_tick(cm_service_t *service, cm_store_t *store)
{
    (void)service; // the state is not needed: expiry times are stored
    commitment_expire(store, cm_time_now_ms());
}

const cm_service_def_t finance_service = {
    .name = FINANCE_OWNER,
    .routes = s_routes,
    .options = s_options,
    .subscriptions = s_subscriptions,
    .start = s_start,
    .tick = s_tick,
    .tick_ms = 200,
    .state = &s_state,
    .org_view = true,
};

const finance_t *
finance_of(cm_ctx_t *ctx)
{
    return cm_ctx_state(ctx);
}

bool
finance_is_system(cm_ctx_t *ctx)
{
    return strcmp(cm_ctx_actor_role(ctx), FINANCE_SYSTEM) == 0;
}

bool
finance_keeper_guard(const json_t *actor, const json_t *doc)
{
    (void)doc; // keeping the books is a place in the station, not a relation
    return cm_org_keeps(actor, "finance", FINANCE_DEPARTMENT);
}

bool
finance_is_keeper(cm_ctx_t *ctx)
{
    return finance_keeper_guard(cm_ctx_actor(ctx), NULL);
}
