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

// Recruitment plans and candidates (services/personnel/recruitment.h,
// candidate.h).
#define PERSONNEL_EVENT_RECRUITMENT_CREATED "personnel.recruitment_plan.created"
#define PERSONNEL_EVENT_RECRUITMENT_SUBMITTED                                  \
    "personnel.recruitment_plan.submitted"
#define PERSONNEL_EVENT_RECRUITMENT_STEP_APPROVED                              \
    "personnel.recruitment_plan.step_approved"
#define PERSONNEL_EVENT_RECRUITMENT_APPROVED                                   \
    "personnel.recruitment_plan.approved"
#define PERSONNEL_EVENT_RECRUITMENT_REJECTED                                   \
    "personnel.recruitment_plan.rejected"
#define PERSONNEL_EVENT_RECRUITMENT_RESUBMITTED                                \
    "personnel.recruitment_plan.resubmitted"
#define PERSONNEL_EVENT_RECRUITMENT_WITHDRAWN                                  \
    "personnel.recruitment_plan.withdrawn"
#define PERSONNEL_EVENT_RECRUITMENT_CLOSED    "personnel.recruitment_plan.closed"
#define PERSONNEL_EVENT_CANDIDATE_CREATED     "personnel.candidate.created"
#define PERSONNEL_EVENT_CANDIDATE_SCREENED    "personnel.candidate.screened"
#define PERSONNEL_EVENT_CANDIDATE_INTERVIEWED "personnel.candidate.interviewed"
#define PERSONNEL_EVENT_CANDIDATE_TESTED      "personnel.candidate.tested"
#define PERSONNEL_EVENT_CANDIDATE_OFFERED     "personnel.candidate.offered"
#define PERSONNEL_EVENT_CANDIDATE_DECLINED    "personnel.candidate.declined"
#define PERSONNEL_EVENT_CANDIDATE_HIRED       "personnel.candidate.hired"

// General training records (services/personnel/training.h).
#define PERSONNEL_EVENT_TRAINING_RECORDED "personnel.training.recorded"

// Learning resources (services/personnel/learning.h). Marking one studied
// is a training record: PERSONNEL_EVENT_TRAINING_RECORDED, kind self_study.
#define PERSONNEL_EVENT_LEARNING_RESOURCE_CREATED                              \
    "personnel.learning_resource.created"
#define PERSONNEL_EVENT_LEARNING_RESOURCE_UPDATED                              \
    "personnel.learning_resource.updated"
#define PERSONNEL_EVENT_LEARNING_RESOURCE_RETIRED                              \
    "personnel.learning_resource.retired"

// Evaluation cycles and evaluations (services/personnel/evaluation.h).
#define PERSONNEL_EVENT_CYCLE_CREATED        "personnel.evaluation_cycle.created"
#define PERSONNEL_EVENT_CYCLE_CLOSED         "personnel.evaluation_cycle.closed"
#define PERSONNEL_EVENT_EVALUATION_CREATED   "personnel.evaluation.created"
#define PERSONNEL_EVENT_EVALUATION_SCORED    "personnel.evaluation.scored"
#define PERSONNEL_EVENT_EVALUATION_FINALIZED "personnel.evaluation.finalized"
#define PERSONNEL_EVENT_EVALUATION_CONFIRMED "personnel.evaluation.confirmed"
#define PERSONNEL_EVENT_EVALUATION_REJECTED  "personnel.evaluation.rejected"

// Prefixes: every personnel event, and those the org view applies.
#define PERSONNEL_EVENT_PREFIX            "personnel."
#define PERSONNEL_EVENT_STAFF_PREFIX      "personnel.staff."
#define PERSONNEL_EVENT_DEPARTMENT_PREFIX "personnel.department."
#define PERSONNEL_EVENT_DELEGATION_PREFIX "personnel.delegation."

#endif
