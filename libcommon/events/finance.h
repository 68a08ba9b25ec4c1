// events/finance.h — the event types finance publishes on
// sm:{finance}:outbox (relayed as evt.<type>). Finance and every consumer
// name them here only; docs/asyncapi.yaml describes each one's data, and
// `make lint-events` checks that both list the same types.
#ifndef LIBCOMMON_EVENTS_FINANCE_H
#define LIBCOMMON_EVENTS_FINANCE_H

#define FINANCE_EVENT_BUDGET_CREATED       "finance.budget.created"
#define FINANCE_EVENT_BUDGET_UPDATED       "finance.budget.updated"
#define FINANCE_EVENT_BUDGET_SUBMITTED     "finance.budget.submitted"
#define FINANCE_EVENT_BUDGET_STEP_APPROVED "finance.budget.step_approved"
#define FINANCE_EVENT_BUDGET_APPROVED      "finance.budget.approved"
#define FINANCE_EVENT_BUDGET_REJECTED      "finance.budget.rejected"
#define FINANCE_EVENT_BUDGET_RESUBMITTED   "finance.budget.resubmitted"
#define FINANCE_EVENT_BUDGET_CLOSED        "finance.budget.closed"
#define FINANCE_EVENT_BUDGET_THRESHOLD_REACHED                                 \
    "finance.budget.threshold_reached"
#define FINANCE_EVENT_BUDGET_OVERSPEND_WARNED "finance.budget.overspend_warned"
#define FINANCE_EVENT_BUDGET_COMMITTED        "finance.budget.committed"
#define FINANCE_EVENT_BUDGET_COMMITMENT_CONFIRMED                              \
    "finance.budget.commitment_confirmed"
#define FINANCE_EVENT_BUDGET_RELEASED "finance.budget.released"

#define FINANCE_EVENT_ADJUSTMENT_CREATED   "finance.budget_adjustment.created"
#define FINANCE_EVENT_ADJUSTMENT_SUBMITTED "finance.budget_adjustment.submitted"
#define FINANCE_EVENT_ADJUSTMENT_STEP_APPROVED                                 \
    "finance.budget_adjustment.step_approved"
#define FINANCE_EVENT_ADJUSTMENT_APPROVED "finance.budget_adjustment.approved"
#define FINANCE_EVENT_ADJUSTMENT_REJECTED "finance.budget_adjustment.rejected"
#define FINANCE_EVENT_ADJUSTMENT_RESUBMITTED                                   \
    "finance.budget_adjustment.resubmitted"
#define FINANCE_EVENT_ADJUSTMENT_WITHDRAWN "finance.budget_adjustment.withdrawn"

#define FINANCE_EVENT_CLAIM_CREATED       "finance.claim.created"
#define FINANCE_EVENT_CLAIM_UPDATED       "finance.claim.updated"
#define FINANCE_EVENT_CLAIM_SUBMITTED     "finance.claim.submitted"
#define FINANCE_EVENT_CLAIM_STEP_APPROVED "finance.claim.step_approved"
#define FINANCE_EVENT_CLAIM_APPROVED      "finance.claim.approved"
#define FINANCE_EVENT_CLAIM_REJECTED      "finance.claim.rejected"
#define FINANCE_EVENT_CLAIM_RESUBMITTED   "finance.claim.resubmitted"
#define FINANCE_EVENT_CLAIM_PAID          "finance.claim.paid"
#define FINANCE_EVENT_CLAIM_CANCELLED     "finance.claim.cancelled"

#define FINANCE_EVENT_EXPENDITURE_CREATED "finance.expenditure_request.created"
#define FINANCE_EVENT_EXPENDITURE_UPDATED "finance.expenditure_request.updated"
#define FINANCE_EVENT_EXPENDITURE_SUBMITTED                                    \
    "finance.expenditure_request.submitted"
#define FINANCE_EVENT_EXPENDITURE_STEP_APPROVED                                \
    "finance.expenditure_request.step_approved"
#define FINANCE_EVENT_EXPENDITURE_APPROVED                                     \
    "finance.expenditure_request.approved"
#define FINANCE_EVENT_EXPENDITURE_REJECTED                                     \
    "finance.expenditure_request.rejected"
#define FINANCE_EVENT_EXPENDITURE_RESUBMITTED                                  \
    "finance.expenditure_request.resubmitted"
#define FINANCE_EVENT_EXPENDITURE_WITHDRAWN                                    \
    "finance.expenditure_request.withdrawn"

#define FINANCE_EVENT_RECONCILIATION_CREATED  "finance.reconciliation.created"
#define FINANCE_EVENT_RECONCILIATION_IMPORTED "finance.reconciliation.imported"
#define FINANCE_EVENT_RECONCILIATION_MATCHED  "finance.reconciliation.matched"
#define FINANCE_EVENT_RECONCILIATION_EXPLAINED                                 \
    "finance.reconciliation.explained"
#define FINANCE_EVENT_RECONCILIATION_SUBMITTED                                 \
    "finance.reconciliation.submitted"
#define FINANCE_EVENT_RECONCILIATION_STEP_APPROVED                             \
    "finance.reconciliation.step_approved"
#define FINANCE_EVENT_RECONCILIATION_CLOSED   "finance.reconciliation.closed"
#define FINANCE_EVENT_RECONCILIATION_REJECTED "finance.reconciliation.rejected"

#define FINANCE_EVENT_JOURNAL_POSTED "finance.journal.posted"

#define FINANCE_EVENT_ACCOUNT_CREATED "finance.account.created"

#endif
