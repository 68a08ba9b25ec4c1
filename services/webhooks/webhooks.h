// webhooks — signed outbound webhooks: other systems subscribe a URL to
// event types and receive each matching event of every producer's outbox
// as a signed POST, at least once, retried with backoff for hours, with a
// delivery log, a dead-letter list and automatic disable after a failure
// streak (docs/events.md, "Webhooks"; docs/architecture.md §12).
//
// Keys (hash tag {webhooks}) besides the document types' own (cm_doc.h):
//   sm:{webhooks}:webhook:<WH-n>     the webhook; its hash also holds the
//                                    counter failure_streak
//   sm:{webhooks}:secret:<WH-n>      {"secret"}: the signing secret, never
//                                    in the document, a view or a log
//   sm:{webhooks}:delivery:<WD-n>    one event for one webhook, with its
//                                    payload and attempts
//   sm:{webhooks}:timers:deliveries  pending deliveries by due time
//
// Who: the station head, or a system account (role `system`, the accounts
// other systems hold); anyone else is 403 on every route.
#ifndef WEBHOOKS_WEBHOOKS_H
#define WEBHOOKS_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_service.h"

#define WEBHOOKS_OWNER        "webhooks"
#define WEBHOOKS_ADMINS       "station_head system"
#define WEBHOOKS_SCHEDULE_MAX 32 // retries after the first attempt, at most
#define WEBHOOKS_ACTIVE_MAX                                                    \
    15 // active webhooks: one event's deliveries
       // fit one commit (CM_COMMIT_DOCS_MAX)

// Configuration, read once at start (webhooks/...). Read-only afterwards.
typedef struct {
    char allowed_hosts[2048];                   // host[:port] entries
    int64_t schedule_ms[WEBHOOKS_SCHEDULE_MAX]; // wait before retry i+1
    size_t schedule_count;                      // retries after the first try
    int64_t disable_after;                      // failed attempts in a row
    int timeout_ms;                             // one attempt, at most
    int batch;                                  // attempts per tick
    char ca_file[512];                          // CA bundle for https
} webhooks_t;

// The service definition.
extern const cm_service_def_t webhooks_service;

// The configuration of the request's service. Borrowed.
const webhooks_t *webhooks_of(cm_ctx_t *ctx);

// True when the request's actor may manage webhooks; otherwise answers 403
// and returns false.
bool webhooks_may_manage(cm_ctx_t *ctx);

// Parse a schedule "5000 30000 …" (ms, each 1..7 days) into self. 0 or -1.
int webhooks_parse_schedule(webhooks_t *self, const char *text);

// The service's own actor (automatic disable, dead letters). Caller owns.
json_t *webhooks_actor(void);

#endif
