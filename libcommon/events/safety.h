// events/safety.h — the event types of the safety-audit service (stream
// sm:{safety-audit}:outbox). Every service's org view (cm_org) keeps each
// staff member's onboarding training from safety.onboarding.* events; the
// data of each type is in docs/asyncapi.yaml.
#ifndef LIBCOMMON_EVENTS_SAFETY_H
#define LIBCOMMON_EVENTS_SAFETY_H

// Onboarding: the three-level safety training of a staff member.
#define SAFETY_EVENT_ONBOARDING_CREATED    "safety.onboarding.created"
#define SAFETY_EVENT_ONBOARDING_SIGNED_OFF "safety.onboarding.signed_off"
#define SAFETY_EVENT_ONBOARDING_COMPLETED  "safety.onboarding.completed"
#define SAFETY_EVENT_ONBOARDING_UPDATED    "safety.onboarding.updated"

#define SAFETY_EVENT_ONBOARDING_PREFIX "safety.onboarding."

// Every safety-audit event (the service is "safety-audit", its types
// "safety.*": subscribers name the doorbell topic "evt." SAFETY_EVENT_PREFIX).
#define SAFETY_EVENT_PREFIX "safety."

// Procedures: versioned safety rules and operating procedures.
#define SAFETY_EVENT_PROCEDURE_CREATED        "safety.procedure.created"
#define SAFETY_EVENT_PROCEDURE_REVISED        "safety.procedure.revised"
#define SAFETY_EVENT_PROCEDURE_REVIEWED       "safety.procedure.reviewed"
#define SAFETY_EVENT_PROCEDURE_RETIRED        "safety.procedure.retired"
#define SAFETY_EVENT_PROCEDURE_REVIEW_OVERDUE "safety.procedure.review_overdue"

// Hazards, and the rectification work asked of dispatch (the family
// evt.{producer}.{entity}.work_requested that dispatch consumes).
#define SAFETY_EVENT_HAZARD_REPORTED       "safety.hazard.reported"
#define SAFETY_EVENT_HAZARD_MEASURED       "safety.hazard.measured"
#define SAFETY_EVENT_HAZARD_ASSIGNED       "safety.hazard.assigned"
#define SAFETY_EVENT_HAZARD_RECTIFIED      "safety.hazard.rectified"
#define SAFETY_EVENT_HAZARD_VERIFIED       "safety.hazard.verified"
#define SAFETY_EVENT_HAZARD_CLOSED         "safety.hazard.closed"
#define SAFETY_EVENT_HAZARD_ESCALATED      "safety.hazard.escalated"
#define SAFETY_EVENT_HAZARD_WORK_REQUESTED "safety.hazard.work_requested"

// Inspections: templates, schedules, inspections and the work order asked
// of dispatch for each inspection.
#define SAFETY_EVENT_INSPECTION_TEMPLATE_CREATED                               \
    "safety.inspection_template.created"
#define SAFETY_EVENT_INSPECTION_TEMPLATE_RETIRED                               \
    "safety.inspection_template.retired"
#define SAFETY_EVENT_INSPECTION_SCHEDULE_CREATED                               \
    "safety.inspection_schedule.created"
#define SAFETY_EVENT_INSPECTION_SCHEDULE_STOPPED                               \
    "safety.inspection_schedule.stopped"
#define SAFETY_EVENT_INSPECTION_CREATED  "safety.inspection.created"
#define SAFETY_EVENT_INSPECTION_RECORDED "safety.inspection.recorded"
#define SAFETY_EVENT_INSPECTION_WORK_REQUESTED                                 \
    "safety.inspection.work_requested"

// Safety training sessions.
#define SAFETY_EVENT_TRAINING_CREATED   "safety.training.created"
#define SAFETY_EVENT_TRAINING_RECORDED  "safety.training.recorded"
#define SAFETY_EVENT_TRAINING_CANCELLED "safety.training.cancelled"

#endif
