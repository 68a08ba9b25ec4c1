// finance_events — what finance does with other services' events:
//   - personnel: the org view (cm_org), and a published sanction posts its
//     fine or bonus (personnel.sanction.published {kind, amount, staff}):
//     a fine Dr payables to staff / Cr non-operating income, a bonus Dr
//     administrative expenses / Cr payables to staff;
//   - assets: assets.scrap.disposed {proceeds, request} posts the proceeds
//     (Dr bank / Cr non-operating income);
//   - inventory, assets, personnel: any event whose data carries
//     `budget_reservation` confirms that commitment (commitment.h);
//   - ingest: bank.statement {account, lines | csv, period_start,
//     period_end} opens a reconciliation.
// Each effect goes into the consumer's commit with its dedupe marker.
#ifndef FINANCE_FINANCE_EVENTS_H
#define FINANCE_FINANCE_EVENTS_H

#include "cm_events.h"

int finance_events_on_personnel(cm_store_t *store, const cm_event_t *event,
                                cm_commit_t *commit, void *arg);
int finance_events_on_producer(cm_store_t *store, const cm_event_t *event,
                               cm_commit_t *commit, void *arg);
int finance_events_on_assets(cm_store_t *store, const cm_event_t *event,
                             cm_commit_t *commit, void *arg);
int finance_events_on_ingest(cm_store_t *store, const cm_event_t *event,
                             cm_commit_t *commit, void *arg);

#endif
