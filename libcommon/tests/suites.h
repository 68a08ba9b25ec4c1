// One Check suite per libcommon module (docs/coding.md).
#ifndef LIBCOMMON_TESTS_SUITES_H
#define LIBCOMMON_TESTS_SUITES_H

#include <check.h>

Suite *cm_log_suite(void);
Suite *cm_time_suite(void);
Suite *cm_id_suite(void);
Suite *cm_problem_suite(void);
Suite *cm_config_suite(void);
Suite *cm_envelope_suite(void);
Suite *cm_mdp_suite(void);
Suite *cm_store_suite(void);
Suite *cm_prefetch_suite(void);
Suite *cm_events_suite(void);
Suite *cm_events_bus_suite(void);
Suite *cm_outbox_suite(void);
Suite *cm_cloudevent_suite(void);
Suite *cm_workflow_suite(void);
Suite *cm_validate_suite(void);
Suite *cm_service_suite(void);
Suite *cm_field_suite(void);
Suite *cm_approval_suite(void);
Suite *cm_kit_suite(void);
Suite *cm_doc_suite(void);
Suite *cm_list_suite(void);
Suite *cm_org_suite(void);
Suite *cm_csv_suite(void);
Suite *cm_action_suite(void);
Suite *cm_curve_suite(void);
Suite *cm_attach_suite(void);
Suite *cm_schedule_suite(void);
Suite *cm_summary_suite(void);

#endif
