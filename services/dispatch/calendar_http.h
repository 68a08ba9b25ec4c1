// calendar_http — business calendars in Redis and their routes.
//
// Key sm:{dispatch}:calendar:<name> holds the JSON form (calendar.h);
// "default" is seeded at start.
//   GET /v1/calendars/{name}   any authenticated actor
//   PUT /v1/calendars/{name}   station_head, deputy_head (settings_rules())
#ifndef DISPATCH_CALENDAR_HTTP_H
#define DISPATCH_CALENDAR_HTTP_H

#include "calendar.h"
#include "cm_ctx.h"
#include "cm_store.h"

// Read calendar `name` into *calendar; a missing "default" is the seeded
// default. 0, CM_ENOTFOUND, CM_EUNAVAILABLE or CM_EINTERNAL.
int calendar_load(cm_store_t *store, const char *name, calendar_t *calendar);

// Store the default calendar unless present. 0 or a negative cm_status_t.
int calendar_seed(cm_store_t *store);

// GET /v1/calendars/{name}.
void calendar_http_get(cm_ctx_t *ctx);

// PUT /v1/calendars/{name}.
void calendar_http_put(cm_ctx_t *ctx);

#endif
