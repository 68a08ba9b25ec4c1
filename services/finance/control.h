// control — budget control of one spend against a line (regulations ch. 7):
// `stop` refuses what would overspend (422 over_budget naming the line,
// available and requested), `warn` allows it with a warning in the reply
// and an event, `ignore` allows it. A closed fiscal year refuses every
// movement (409 fiscal_year_closed). The check runs when a claim or order
// is drafted and at every approval step; the commit at the final step
// holds the bounded counter, so concurrent commits can never overspend a
// stop line whatever the check saw.
#ifndef FINANCE_CONTROL_H
#define FINANCE_CONTROL_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"
#include "line.h"

#define CONTROL_THRESHOLD_DEFAULT 80 // percent used that raises the event

// Check amount against line ref. NULL when it may go on (warn mode over
// budget included), else the problem to answer (404 unknown line, 409
// closed year, 422 over budget, 503). *figures (when not NULL) gets the
// line's figures with requested, fits, control and warning. Caller owns
// both.
json_t *control_check(cm_store_t *store, const char *ref, int64_t amount,
                      json_t **figures);

// The 422 over_budget problem. Caller owns the result.
json_t *control_over_budget(const char *ref, int64_t available,
                            int64_t requested);

// After a commit that ended CM_COMMIT_LIMIT on a line: replace the reply
// with the domain's problem (over budget with the available amount the
// commit saw, or the closed year). No-op for another outcome.
void control_answer_limit(cm_ctx_t *ctx, int outcome, const char *ref,
                          int64_t requested);

// Add to commit the finance.budget.overspend_warned event when figures say
// a warn line is overspent by this spend.
void control_warn_event(cm_ctx_t *ctx, cm_commit_t *commit,
                        const json_t *figures);

// After a committed spend on line ref: when the line's use passed its
// threshold, raise finance.budget.threshold_reached once per line per
// period (a separate commit bounded by a counter). Best effort: logged.
void control_threshold(cm_ctx_t *ctx, const char *ref, int64_t now_ms);

#endif
