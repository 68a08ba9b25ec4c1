// notice — public notices of rewards and punishments (docs/domain.md,
// ch. 3: fair, just, open), a cm_doc type: id NT-n at /v1/notices, written
// only by publishing a sanction (sanction.h), read by every staff member.
//
//   {"sanction": "SAN-3", "staff", "staff_name", "department", "kind",
//    "category", "reason", "amount", "role", "previous_role", "response"
//    (the person's response on record, or null), "decided_by",
//    "published_by", "published_at", "state": "published"}
#ifndef PERSONNEL_NOTICE_H
#define PERSONNEL_NOTICE_H

#include <jansson.h>
#include <stdint.h>

#include "cm_action.h"
#include "cm_ctx.h"
#include "cm_doc.h"

extern const cm_doc_type_t notice_type;

// The notice of a sanction being published (a->doc), by a->actor at
// a->now_ms, added to a->commit; its id into id (CM_ID_MAX bytes). NULL or
// a problem (503). Caller owns it.
json_t *notice_publish(cm_action_t *a, char *id);

// GET /v1/notices, GET /v1/notices/{id}: every authenticated caller.
void notice_list(cm_ctx_t *ctx);
void notice_get(cm_ctx_t *ctx);

#endif
