// assign — automatic assignment policies (dispatch/assign_policy).
//
// "least_loaded": the department's on-duty staff (roster ∩ active staff of
// the department in the org view ∩ eligible) with the fewest unfinished
// work orders; ties go to the smallest id. The pick is then assigned
// through the work order process (row "assign" of dispatch's own role), so
// it passes the same checks as a manual assignment. A work order naming a
// `skill` goes only to staff whose record (personnel's `skills`, in the
// org view) lists it; nobody on duty has it: it stays open.
#ifndef DISPATCH_ASSIGN_H
#define DISPATCH_ASSIGN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_store.h"
#include "dispatch.h"

#define ASSIGN_POLICIES "least_loaded"

// The index of the least loaded of n candidates (ties: smallest id by
// cm_org_id_compare), or -1 when n is 0. Pure.
int assign_least_loaded(const char *const *ids, const int64_t *loads, size_t n);

// Whether staff may take this work order: active staff and, for field work
// (workorder_is_field_work), only once their three-level safety training is
// complete (the org view's training record, from safety-audit's events).
bool assign_is_eligible(cm_store_t *store, const json_t *staff,
                        const json_t *workorder);

// The safety training levels person `id` still lacks, from the org view's
// training record ("station department team" when there is none): 0 and
// *missing (caller owns; an empty array when complete), or
// CM_EUNAVAILABLE.
int assign_training_missing(cm_store_t *store, const char *id,
                            json_t **missing);

// Whether staff's record lists the skill the work order needs (true when it
// needs none). Pure.
bool assign_has_skill(const json_t *staff, const json_t *workorder);

// Pick an assignee for the work order under `policy` into out (size bytes;
// "" when nobody is on duty). 0 or a negative cm_status_t.
int assign_pick(cm_store_t *store, const char *policy, const json_t *workorder,
                int64_t now_ms, char *out, size_t size);

// If auto assignment is on and somebody is on duty in the work order's
// department, assign doc (an open work order at version, in memory) to
// them as dispatch and append the assignment's events to `events`;
// returns 1. 0 when it stays open (logged as workorder.unassigned); a
// negative cm_status_t when Redis is unavailable.
int assign_auto(const dispatch_t *state, cm_store_t *store, json_t *doc,
                int64_t version, int64_t now_ms, json_t *events);

#endif
