// sla_policy — time limits per case kind and severity, a
// cm_doc document per kind (inquiry | complaint | tech_support |
// suggestion), seeded at
// start: sm:{dispatch}:sla_policy:<kind>
//   {"id":"complaint","kind":"complaint","business_time":true,
//    "calendar":"default","state":"current",
//    "targets":{"default":{"first_response_ms":…,"department_reply_ms":…,
//               "resolution_ms":…},"low":{…},"medium":{…},"high":{…},
//               "critical":{…}}, history, …}
// Durations are business milliseconds under `calendar`; with business_time
// false they are wall milliseconds (24/7). "default" is required and is
// used for a null severity or a severity without its own row. A PUT
// replaces the policy (deputy_head, station_head); the calendar it names
// must exist (422 unknown_calendar).
#ifndef DISPATCH_SLA_POLICY_H
#define DISPATCH_SLA_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_store.h"

#define SLA_KINDS        "inquiry complaint tech_support suggestion"
#define SLA_SEVERITIES   "low medium high critical"
#define SLA_DURATION_MAX (366LL * 24 * 3600 * 1000) // one year

typedef enum {
    SLA_FIRST_RESPONSE,
    SLA_DEPARTMENT_REPLY,
    SLA_RESOLUTION,
    SLA_TARGET_COUNT
} sla_target_t;

// What a clock needs from a policy row.
typedef struct {
    bool business_time;                    // false: 24/7
    char calendar[CALENDAR_NAME_MAX];      // calendar name
    int64_t duration_ms[SLA_TARGET_COUNT]; // per target
} sla_terms_t;

// "first_response", "department_reply", "resolution".
const char *sla_target_name(sla_target_t target);

// The target named `name`, or -1.
int sla_target_parse(const char *name);

// The document type. Static.
extern const cm_doc_type_t sla_policy_type;

// The terms of a policy document for severity (NULL or unknown: the
// "default" row). 0, or -1 when the document is malformed.
int sla_policy_row_terms(const json_t *policy, const char *severity,
                         sla_terms_t *terms);

// The seeded default policy of a kind, as a new document at now_ms.
// Caller owns the result.
json_t *sla_policy_default(const char *kind, int64_t now_ms);

// Store the default policies that are missing. 0 or a negative cm_status_t.
int sla_policy_seed(cm_store_t *store);

// The terms for kind and severity in a policy document read already (NULL:
// not stored, so the seeded default of kind). 0, CM_ENOTFOUND (unknown
// kind) or CM_EINTERNAL.
int sla_policy_terms_of(const char *kind, const json_t *policy,
                        const char *severity, sla_terms_t *terms);

// GET /v1/sla-policies (no parameters), GET /v1/sla-policies/{id} (404 for
// a kind that is not one): any authenticated actor.
void sla_policy_http_list(cm_ctx_t *ctx);
void sla_policy_http_get(cm_ctx_t *ctx);

// PUT /v1/sla-policies/{id}: deputy_head, station_head.
void sla_policy_http_put(cm_ctx_t *ctx);

#endif
