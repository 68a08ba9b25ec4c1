// events/personnel.h — the event types personnel publishes on
// sm:{personnel}:outbox (relayed as evt.<type>). Personnel and every
// consumer (each service's org view, cm_org; the gateway's auth cache;
// finance) name them here only; docs/asyncapi.yaml describes each one's
// data, and `make lint-events` checks that both list the same types.
#ifndef LIBCOMMON_EVENTS_PERSONNEL_H
#define LIBCOMMON_EVENTS_PERSONNEL_H

#define PERSONNEL_EVENT_DEPARTMENT_CREATED "personnel.department.created"
#define PERSONNEL_EVENT_DEPARTMENT_UPDATED "personnel.department.updated"

#define PERSONNEL_EVENT_POSITION_CREATED "personnel.position.created"
#define PERSONNEL_EVENT_POSITION_UPDATED "personnel.position.updated"

#define PERSONNEL_EVENT_STAFF_CREATED      "personnel.staff.created"
#define PERSONNEL_EVENT_STAFF_UPDATED      "personnel.staff.updated"
#define PERSONNEL_EVENT_STAFF_SUSPENDED    "personnel.staff.suspended"
#define PERSONNEL_EVENT_STAFF_REINSTATED   "personnel.staff.reinstated"
#define PERSONNEL_EVENT_STAFF_LEFT         "personnel.staff.left"
#define PERSONNEL_EVENT_STAFF_ROLE_CHANGED "personnel.staff.role_changed"

#define PERSONNEL_EVENT_TOKEN_ISSUED  "personnel.token.issued"
#define PERSONNEL_EVENT_TOKEN_REVOKED "personnel.token.revoked"

#define PERSONNEL_EVENT_DELEGATION_CREATED "personnel.delegation.created"
#define PERSONNEL_EVENT_DELEGATION_REVOKED "personnel.delegation.revoked"

// Rewards and punishments (services/personnel/sanction.h). A published
// one is effective; finance posts fines and bonuses.
#define PERSONNEL_EVENT_SANCTION_CREATED   "personnel.sanction.created"
#define PERSONNEL_EVENT_SANCTION_SUBMITTED "personnel.sanction.submitted"
#define PERSONNEL_EVENT_SANCTION_STEP_APPROVED                                 \
    "personnel.sanction.step_approved"
#define PERSONNEL_EVENT_SANCTION_APPROVED    "personnel.sanction.approved"
#define PERSONNEL_EVENT_SANCTION_REJECTED    "personnel.sanction.rejected"
#define PERSONNEL_EVENT_SANCTION_RESUBMITTED "personnel.sanction.resubmitted"
#define PERSONNEL_EVENT_SANCTION_WITHDRAWN   "personnel.sanction.withdrawn"
#define PERSONNEL_EVENT_SANCTION_RESPONDED   "personnel.sanction.responded"
#define PERSONNEL_EVENT_SANCTION_PUBLISHED   "personnel.sanction.published"

// Prefixes: every personnel event, and those the org view applies.
#define PERSONNEL_EVENT_PREFIX            "personnel."
#define PERSONNEL_EVENT_STAFF_PREFIX      "personnel.staff."
#define PERSONNEL_EVENT_DEPARTMENT_PREFIX "personnel.department."
#define PERSONNEL_EVENT_DELEGATION_PREFIX "personnel.delegation."

#endif
