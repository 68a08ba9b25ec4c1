// assign — automatic assignment policies (dispatch/assign_policy).
//
// "least_loaded": the department's on-duty staff (roster ∩ active staff of
// the department in the org copy ∩ eligible) with the fewest unfinished
// work orders; ties go to the smallest id.
#ifndef DISPATCH_ASSIGN_H
#define DISPATCH_ASSIGN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_store.h"

#define ASSIGN_POLICIES "least_loaded"

// The index of the least loaded of n candidates (ties: smallest id by
// org_id_compare), or -1 when n is 0. Pure.
int assign_least_loaded(const char *const *ids, const int64_t *loads, size_t n);

// Whether staff may take this work order. Every active staff member today;
// the trained-only filter (domain.md §5: field work only after three-level
// safety training) plugs in here.
bool assign_is_eligible(const json_t *staff, const json_t *workorder);

// Pick an assignee for the work order under `policy` into out (size bytes;
// "" when nobody is on duty). 0 or a negative cm_status_t.
int assign_pick(cm_store_t *store, const char *policy, const json_t *workorder,
                int64_t now_ms, char *out, size_t size);

#endif
