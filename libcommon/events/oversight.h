// events/oversight.h — the event types oversight publishes on
// sm:{oversight}:outbox (relayed as evt.<type>). Oversight and every
// consumer name them here only; docs/asyncapi.yaml describes each one's
// data, and `make lint-events` checks that both list the same types.
#ifndef LIBCOMMON_EVENTS_OVERSIGHT_H
#define LIBCOMMON_EVENTS_OVERSIGHT_H

#define OVERSIGHT_EVENT_REVIEW_CREATED   "oversight.review.created"
#define OVERSIGHT_EVENT_REVIEW_UPDATED   "oversight.review.updated"
#define OVERSIGHT_EVENT_REVIEW_PUBLISHED "oversight.review.published"
#define OVERSIGHT_EVENT_REVIEW_CLOSED    "oversight.review.closed"
// An improvement measure asked of dispatch as work, and withdrawn when the
// measure is done (services/dispatch/work_request.h).
#define OVERSIGHT_EVENT_REVIEW_WORK_REQUESTED "oversight.review.work_requested"
#define OVERSIGHT_EVENT_REVIEW_WORK_CANCELLED "oversight.review.work_cancelled"
#define OVERSIGHT_EVENT_MEASURE_DONE          "oversight.measure.done"
// A measure past its due time and not done: level 1 to the owner's
// department head, level 2 to the reviewer.
#define OVERSIGHT_EVENT_MEASURE_OVERDUE "oversight.measure.overdue"

#endif
