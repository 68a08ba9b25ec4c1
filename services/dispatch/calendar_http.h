// calendar_http — business calendars as cm_doc documents and their routes.
//
// sm:{dispatch}:calendar:<name> holds the JSON form (calendar.h) with the
// document members (state "current", history, …); "default" is seeded at
// start and is always there for clocks, stored or not.
//   GET /v1/calendars/{name}   any authenticated actor
//   PUT /v1/calendars/{name}   deputy_head, station_head (creates or
//                              replaces; the body is checked as a calendar)
#ifndef DISPATCH_CALENDAR_HTTP_H
#define DISPATCH_CALENDAR_HTTP_H

#include "calendar.h"
#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_store.h"

// The document type. Static.
extern const cm_doc_type_t calendar_type;

// Read calendar `name` into *calendar; a missing "default" is the seeded
// default. 0, CM_ENOTFOUND, CM_EUNAVAILABLE or CM_EINTERNAL.
int calendar_load(cm_store_t *store, const char *name, calendar_t *calendar);

// calendar_load of a document read already (NULL: there is none).
int calendar_of(const char *name, const json_t *doc, calendar_t *calendar);

// Whether calendar `name` exists ("default" always does): 0, CM_ENOTFOUND
// or CM_EUNAVAILABLE.
int calendar_exists(cm_store_t *store, const char *name);

// Store the default calendar unless present. 0 or a negative cm_status_t.
int calendar_seed(cm_store_t *store);

// GET /v1/calendars/{name}.
void calendar_http_get(cm_ctx_t *ctx);

// PUT /v1/calendars/{name}.
void calendar_http_put(cm_ctx_t *ctx);

#endif
