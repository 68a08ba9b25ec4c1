// roster — who is on duty per department (PUT/GET /v1/rosters/{department}).
//
// Key sm:{dispatch}:roster:<department>: {"department","on_duty":[ids],
// "date":"YYYY-MM-DD"|null,"updated_by","updated_at"}. A roster with a date
// applies on that date (UTC) only; without one it applies every day.
#ifndef DISPATCH_ROSTER_H
#define DISPATCH_ROSTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"

#define ROSTER_SIZE_MAX 200 // people in one roster

// GET /v1/rosters/{department}: any authenticated actor.
void roster_get(cm_ctx_t *ctx);

// PUT /v1/rosters/{department}: the department's head, a deputy head, the
// station head (roster_rules()).
void roster_put(cm_ctx_t *ctx);

// The ids on duty in `dept` at now_ms (empty when no roster applies).
// Caller owns the result; NULL when Redis is unavailable.
json_t *roster_on_duty(cm_store_t *store, const char *dept, int64_t now_ms);

// True when `name` is a usable department or settings name:
// 1..63 characters of [a-z0-9_-].
bool roster_name_is_valid(const char *name);

#endif
