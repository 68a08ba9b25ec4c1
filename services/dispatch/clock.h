// clock — SLA clocks (first_response, department_reply, resolution) of a
// subject (a case today), their deadlines in business time, pauses, and
// their durable timers.
//
// Key sm:{dispatch}:clock:<subject>:<target>; document:
//   {"id":"CS-5:resolution","case_id":"CS-5","workorder_id":"WO-2"|null,
//    "target":"resolution","kind","severity","department",
//    "state":"running|paused|stopped|cancelled","business_time":true,
//    "calendar":"default","duration_ms":N,"started_at","deadline",
//    "deadline_ms":N,"level":0..3,"next_escalation_ms":N|null,
//    "paused_at":…|null,"pauses":[{"start","end","duration_ms"}],
//    "escalations":[{"level","to","at"}],"updated_at",
//    "case_version":N}
// A clock starts at the time of the case event that starts it (the case's
// created_at, the forward's time), never when dispatch handles the event;
// case_version is the version of that event, so a redelivered event does
// not restart the clock it started.
// A running clock has one timer, member "<subject>:<target>" in
// sm:{dispatch}:timers:clocks, due at its deadline (level 0) or at its next
// escalation; a paused or stopped clock has none.
#ifndef DISPATCH_CLOCK_H
#define DISPATCH_CLOCK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "cm_doc.h"
#include "cm_store.h"
#include "sla_policy.h"

#define CLOCK_TIMERS    "clocks" // sm:{dispatch}:timers:clocks
#define CLOCK_LEVEL_MAX 3        // station head

// The three clocks of one subject, loaded, changed in memory, then written
// in one commit.
typedef struct {
    json_t *docs[SLA_TARGET_COUNT];     // NULL when absent (owned)
    int64_t versions[SLA_TARGET_COUNT]; // 0 when absent
    bool dirty[SLA_TARGET_COUNT];       // changed since load
} clock_set_t;

// A new running clock for the case summary (id, kind, severity,
// department), started at start_ms, deadline from terms under calendar.
// department_fallback is used when the summary has none. Caller owns it.
json_t *clock_new(const json_t *summary, sla_target_t target,
                  const sla_terms_t *terms, const calendar_t *calendar,
                  const char *department_fallback, int64_t start_ms);

// The key of the clock timers, sm:{dispatch}:timers:clocks, into key
// (CM_STORE_KEY_MAX bytes). Returns key.
const char *clock_timers_key(char *key);

// Read clock id ("CS-5:resolution"). 0 (caller owns *clock), CM_ENOTFOUND,
// CM_EUNAVAILABLE or CM_EINTERNAL.
int clock_load(cm_store_t *store, const char *id, json_t **clock,
               int64_t *version);

// The calendar a clock runs on: always open without business time, else
// the named calendar read from store. 0 or a negative cm_status_t.
int clock_calendar(cm_store_t *store, const json_t *clock,
                   calendar_t *calendar);

// When the clock's timer is due (deadline, or next escalation once
// breached); 0 when it needs no timer (not running, or fully escalated).
int64_t clock_due(const json_t *clock);

// Pause a running clock at now_ms. True when it changed.
bool clock_pause(json_t *clock, int64_t now_ms);

// Resume a paused clock at now_ms: records the pause (start, end, business
// duration) and moves the deadline (and a pending escalation) later by the
// paused business time. True when it changed.
bool clock_resume(json_t *clock, const calendar_t *calendar, int64_t now_ms);

// Stop a running or paused clock: state becomes `state` ("stopped",
// "cancelled"). True when it changed.
bool clock_stop(json_t *clock, const char *state, int64_t now_ms);

// Set the deadline to a promised time (RFC 3339 already parsed). True when
// it changed.
bool clock_set_deadline(json_t *clock, int64_t deadline_ms, int64_t now_ms);

// Set a string member (department, workorder_id) of a clock that is not
// finished. True when it changed.
bool clock_set_member(json_t *clock, const char *field, const char *value);

// True when the clock is running or paused.
bool clock_is_live(const json_t *clock);

// Where clocks live. Static.
extern const cm_doc_type_t clock_type;

#define CLOCK_ID_MAX 160 // a clock's id: "<case>:<target>" and NUL

// The id of the clock of `target` of subject (a case).
void clock_id(const char *subject, sla_target_t target, char *buf, size_t size);

// A set of the SLA_TARGET_COUNT clocks read already (cm_doc_read_refs, in
// target order): takes docs[] (NULL: absent), leaving them NULL.
void clock_set_take(clock_set_t *set, json_t **docs, const int64_t *versions);

// Replace clock `target` (takes ownership of clock) and mark it dirty.
void clock_set_put(clock_set_t *set, sla_target_t target, json_t *clock);

// clock_set_member on every clock of the set, marking the changed dirty.
void clock_set_member_all(clock_set_t *set, const char *field,
                          const char *value);

// Add every dirty clock and its timer change to commit.
void clock_set_flush(const clock_set_t *set, cm_commit_t *commit);

// Free the documents.
void clock_set_clear(clock_set_t *set);

// Add the write of one clock (expected version) and its timer to commit.
void clock_commit(cm_commit_t *commit, const json_t *clock, int64_t expected);

#endif
