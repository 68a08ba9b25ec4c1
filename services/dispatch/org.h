// org — dispatch's own copy of the org chart, fed by personnel events, so
// assignment and escalation need no synchronous call.
//
// Keys: sm:{dispatch}:org:staff:<id> and sm:{dispatch}:org:department:<id>
// (the personnel documents as published), indexes
// sm:{dispatch}:idx:org_role:<role> and sm:{dispatch}:idx:org_dept:<dept>
// holding the *active* staff with that role / in that department.
#ifndef DISPATCH_ORG_H
#define DISPATCH_ORG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cm_store.h"

#define ORG_ID_MAX      64  // staff and department ids
#define ORG_MEMBERS_MAX 200 // staff read from one role or department index

// Add the effect of a personnel event (personnel.staff.* or
// personnel.department.*; data = the document) to commit. Other types are
// ignored. 0, or a negative cm_status_t when the old copy cannot be read.
int org_apply_event(cm_store_t *store, const char *type, const json_t *data,
                    cm_commit_t *commit);

// The copy of staff `id`, or NULL when unknown or unreadable. Caller owns
// the result.
json_t *org_staff(cm_store_t *store, const char *id);

// The copy of department `id`, or NULL. Caller owns the result.
json_t *org_department(cm_store_t *store, const char *id);

// True when a staff document's status is active (absent counts as active).
bool org_staff_is_active(const json_t *staff);

// True when staff `id` is known and active.
bool org_staff_id_is_active(cm_store_t *store, const char *id);

// Ids of the active staff of department `dept`, ascending by id. Caller
// owns the result (array of strings); NULL when Redis is unavailable.
json_t *org_department_staff(cm_store_t *store, const char *dept);

// Who a breach at `level` (1..3) in department `dept` goes to: 1 the
// department's head, 2 its deputy or else any active deputy_head, 3 the
// active station_head. Writes the staff id into out ("" when nobody).
void org_escalation_target(cm_store_t *store, const char *dept, int level,
                           char *out, size_t size);

// Order two ids by their number ("ST-3" < "ST-12"), then by text.
int org_id_compare(const char *a, const char *b);

#endif
