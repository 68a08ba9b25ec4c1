// roster — who is on duty per department (PUT/GET /v1/rosters/{department}),
// a cm_doc document sm:{dispatch}:roster:<department>:
//   {"id": <department>, "department", "on_duty": [staff ids],
//    "shifts": [{"start": "08:00", "end": "16:00", "staff": [ids]}],
//    "utc_offset_minutes": 480, "date": "YYYY-MM-DD" | null,
//    "state": "current", history, …}
// A roster with a date applies on that date (local time: UTC plus
// utc_offset_minutes) only; without one it applies every day. On duty:
// everyone in on_duty all day, and each shift's staff from its start to
// its end (an end before the start runs past midnight). The department must be
// one the org view knows (404 otherwise); each PUT replaces on_duty and date
// and adds a history entry. PUT: the department's head, the deputy head
// overseeing it, the station head.
#ifndef DISPATCH_ROSTER_H
#define DISPATCH_ROSTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_store.h"

#define ROSTER_SIZE_MAX   200 // people in one roster (and one shift)
#define ROSTER_SHIFTS_MAX 12  // shifts in one roster

// The document type. Static.
extern const cm_doc_type_t roster_type;

// GET /v1/rosters/{department}: any authenticated actor; an empty roster
// (version 0) when none was set.
void roster_get(cm_ctx_t *ctx);

// PUT /v1/rosters/{department}: {on_duty, shifts?, utc_offset_minutes?,
// date?, note?}.
void roster_put(cm_ctx_t *ctx);

// The ids on duty in `dept` at now_ms (empty when no roster applies).
// Caller owns the result; NULL when Redis is unavailable.
json_t *roster_on_duty(cm_store_t *store, const char *dept, int64_t now_ms);

// True when `name` is a usable department or settings name:
// 1..63 characters of [a-z0-9_-].
bool roster_name_is_valid(const char *name);

// The department of a path parameter as the org view knows it: true, or
// false after answering 404 naming it (503 when the view is unreadable).
bool roster_department_exists(cm_ctx_t *ctx, const char *dept);

#endif
