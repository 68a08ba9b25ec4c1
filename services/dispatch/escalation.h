// escalation — what happens when a clock's timer falls due: the target is
// breached and escalated one level along the org chart (1 the department's
// head, 2 its deputy head, 3 the station head), one level per further
// missed interval (dispatch/escalation_step_ms, default the target's own
// duration). Each step is one commit: the clock, its next timer,
// dispatch.sla.breached and, with a work order, dispatch.workorder.escalated,
// plus one `sla.escalated` log line.
#ifndef DISPATCH_ESCALATION_H
#define DISPATCH_ESCALATION_H

#include <jansson.h>
#include <stdint.h>

#include "calendar.h"
#include "cm_store.h"
#include "dispatch.h"

// Claim the due clock timers (each due timer goes to exactly one replica,
// leased for DISPATCH_TIMER_LEASE_MS) and escalate each; the step's commit
// moves the timer to the next level or removes it, so a replica that dies
// before committing loses no step. Runs on the background thread (tick).
void escalation_tick(const dispatch_t *state, cm_store_t *store);

// The due time of the step after one that fell due at due_ms: step_ms (0:
// the clock's duration) later, in the clock's business time. Pure.
int64_t escalation_next_due(const json_t *clock, const calendar_t *calendar,
                            int64_t step_ms, int64_t due_ms);

#endif
