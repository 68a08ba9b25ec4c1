// Who may do what to work orders, and what dispatch refuses: roles and the
// org view (heads, deputies, the system account), If-Match, a work order's
// source case, its assignee, and the validation of every dispatch route.
// Suite: dispatch_rules_suite.
#include <check.h>
#include <czmq.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cm_time.h"
#include "events/dispatch.h"
#include "suites.h"
#include "test_dispatch_stack.h"

// The people of these tests besides dispatch_seed_org's.
static void
s_seed(void)
{
    dispatch_seed_org();
    dispatch_staff("ST-21", "deputy_head", "management"); // oversees nothing
    dispatch_staff("ST-31", "logistics", "logistics");
    dispatch_staff("ST-40", "auditor", "management");
    dispatch_staff("ST-41", "cs_agent", "customer_service");
    ck_assert(dispatch_wait_doc("sm:{dispatch}:org:staff:ST-41"));
}

static json_t *
s_person(const char *id)
{
    static const char *const people[][3] = {
        {"ST-1", "station_head", "management"},
        {"ST-2", "dept_head", "customer_service"},
        {"ST-3", "dept_head", "technical"},
        {"ST-5", "technician", "technical"},
        {"ST-7", "technician", "technical"},
        {"ST-9", "dept_head", "logistics"},
        {"ST-20", "deputy_head", "management"},
        {"ST-21", "deputy_head", "management"},
        {"ST-31", "logistics", "logistics"},
        {"ST-40", "auditor", "management"},
        {"ST-41", "cs_agent", "customer_service"},
        {"SYS-1", "system", NULL},
    };
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
        if (strcmp(people[i][0], id) == 0) {
            return harness_mdp_actor(id, people[i][1], people[i][2]);
        }
    }
    ck_abort_msg("no test person %s", id);
    return NULL;
}

// The status of a request by person id; the reply goes to *reply_p when
// given (caller owns it), else it is freed.
static int
s_status(const char *id, const char *method, const char *path, json_t *body,
         json_t **reply_p)
{
    json_t *reply = dispatch_call(s_person(id), method, path, body);
    int status = harness_mdp_status(reply);
    if (reply_p) {
        *reply_p = reply;
    } else {
        json_decref(reply);
    }
    return status;
}

static int
s_query_status(const char *path, json_t *query)
{
    dispatch_call_options_t options = {.query = query};
    json_t *reply =
        dispatch_call_with(s_person("ST-1"), "GET", path, NULL, &options);
    int status = harness_mdp_status(reply);
    json_decref(reply);
    return status;
}

// Create a work order as id in dept; its id into out (201 asserted).
static void
s_create(const char *id, const char *dept, char *out, size_t size)
{
    json_t *reply = NULL;
    int status = s_status(
        id, "POST", "/v1/work-orders",
        json_pack("{s:s, s:s}", "title", "t", "department", dept), &reply);
    ck_assert_msg(status == 201, "create by %s in %s: %d %s", id, dept, status,
                  harness_mdp_error_code(reply));
    snprintf(out, size, "%s", harness_mdp_body_string(reply, "id"));
    json_decref(reply);
}

static int
s_act(const char *id, const char *wo, const char *action, json_t *body)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/work-orders/%s/%s", wo, action);
    return s_status(id, "POST", path, body, NULL);
}

static json_t *
s_assignee(const char *assignee)
{
    return json_pack("{s:s}", "assignee", assignee);
}

// The error entry for field in a problem reply, or NULL.
static const char *
s_error_for(const json_t *reply, const char *field)
{
    const json_t *errors =
        json_object_get(json_object_get(reply, "error"), "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        const char *name = json_string_value(json_object_get(e, "field"));
        if (name && strcmp(name, field) == 0) {
            return json_string_value(json_object_get(e, "message"));
        }
    }
    return NULL;
}

START_TEST(test_dispatch_rules_who_creates)
{
    s_seed();
    json_t *body =
        json_pack("{s:s, s:s}", "title", "t", "department", "technical");
    struct {
        const char *who;
        int status;
    } cases[] = {
        {"ST-3", 201},  // the department's head
        {"ST-20", 201}, // the deputy overseeing it
        {"ST-1", 201},  // the station head
        {"ST-5", 201},  // its own staff
        {"ST-21", 403}, // a deputy overseeing other departments
        {"ST-2", 403},  // another department's head
        {"ST-31", 403}, // another department's staff
        {"ST-40", 403}, // the auditor changes nothing
        {"SYS-1", 403}, // a system account: only through events
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *reply = NULL;
        int status = s_status(cases[i].who, "POST", "/v1/work-orders",
                              json_deep_copy(body), &reply);
        ck_assert_msg(status == cases[i].status, "%s: %d %s", cases[i].who,
                      status, harness_mdp_error_code(reply));
        json_decref(reply);
    }
    json_decref(body);
}
END_TEST

START_TEST(test_dispatch_rules_who_assigns)
{
    s_seed();
    char wo[32];
    s_create("ST-3", "technical", wo, sizeof wo);
    ck_assert_int_eq(s_act("SYS-1", wo, "assign", s_assignee("ST-5")), 403);
    ck_assert_int_eq(s_act("ST-21", wo, "assign", s_assignee("ST-5")), 403);
    ck_assert_int_eq(s_act("ST-9", wo, "assign", s_assignee("ST-5")), 403);
    ck_assert_int_eq(s_act("ST-5", wo, "assign", s_assignee("ST-5")), 403);
    ck_assert_int_eq(s_act("ST-20", wo, "assign", s_assignee("ST-5")), 200);
    ck_assert_int_eq(s_act("SYS-1", wo, "reassign", s_assignee("ST-6")), 403);
    ck_assert_int_eq(s_act("ST-21", wo, "reassign", s_assignee("ST-6")), 403);
    ck_assert_int_eq(s_act("ST-3", wo, "reassign", s_assignee("ST-6")), 200);
    ck_assert_int_eq(s_act("ST-1", wo, "reassign", s_assignee("ST-7")), 200);
    // Only dispatch itself escalates and closes.
    ck_assert_int_eq(s_act("SYS-1", wo, "escalate", NULL), 403);
    ck_assert_int_eq(s_act("SYS-1", wo, "close", NULL), 403);
    ck_assert_int_eq(s_act("ST-1", wo, "close", NULL), 403);
}
END_TEST

START_TEST(test_dispatch_rules_assignee_is_department_staff)
{
    s_seed();
    char wo[32];
    s_create("ST-3", "technical", wo, sizeof wo);
    json_t *reply = NULL;
    char path[96];
    snprintf(path, sizeof path, "/v1/work-orders/%s/assign", wo);
    ck_assert_int_eq(s_status("ST-3", "POST", path, s_assignee("ST-9"), &reply),
                     422);
    ck_assert_str_eq(harness_mdp_error_code(reply), "assignee_unavailable");
    json_decref(reply);
    ck_assert_int_eq(s_act("ST-3", wo, "assign", s_assignee("anybody")), 422);
    ck_assert_int_eq(
        s_act("ST-3", wo, "assign", json_pack("{s:i}", "assignee", 5)), 400);
    ck_assert_int_eq(s_act("ST-3", wo, "assign", s_assignee("ST-5")), 200);
    ck_assert_int_eq(s_act("ST-3", wo, "reassign", s_assignee("ST-31")), 422);
    // The event path checks the same: a case assigned to someone outside
    // the work order's department leaves the work order alone.
    dispatch_case_event("intake.case.created",
                        dispatch_case("CS-60", "tech_support", "recorded",
                                      "high", "technical"));
    dispatch_case_event("intake.case.forwarded",
                        dispatch_case("CS-60", "tech_support", "forwarded",
                                      "high", "technical"));
    char id[32];
    ck_assert(dispatch_wait_case_workorder("CS-60", id, sizeof id));
    json_t *summary =
        dispatch_case("CS-60", "tech_support", "assigned", "high", "technical");
    json_object_set_new(summary, "assignee", json_string("ST-31"));
    dispatch_case_event("intake.case.assigned", summary);
    ck_assert(harness_proc_wait_event(&dispatch_stack.dispatch[0],
                                      "workorder.assign_refused", 1,
                                      DISPATCH_TEST_WAIT_MS));
    char key[96];
    snprintf(key, sizeof key, "sm:{dispatch}:workorder:%s", id);
    json_t *doc = dispatch_doc(key);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "open");
    json_decref(doc);
}
END_TEST

START_TEST(test_dispatch_rules_stale_if_match)
{
    s_seed();
    char wo[32];
    s_create("ST-3", "technical", wo, sizeof wo);
    char path[96];
    snprintf(path, sizeof path, "/v1/work-orders/%s/assign", wo);
    dispatch_call_options_t stale = {.if_match = "\"7\""};
    json_t *reply = dispatch_call_with(s_person("ST-3"), "POST", path,
                                       s_assignee("ST-5"), &stale);
    ck_assert_int_eq(harness_mdp_status(reply), 412);
    json_decref(reply);
    char key[96];
    snprintf(key, sizeof key, "sm:{dispatch}:workorder:%s", wo);
    ck_assert_int_eq(dispatch_doc_version(key), 1);
    json_t *doc = dispatch_doc(key);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "open");
    json_decref(doc);
    json_t *events = dispatch_outbox_events("dispatch.workorder.assigned");
    ck_assert_int_eq(json_array_size(events), 0);
    json_decref(events);
    dispatch_call_options_t current = {.if_match = "\"1\""};
    reply = dispatch_call_with(s_person("ST-3"), "POST", path,
                               s_assignee("ST-5"), &current);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
}
END_TEST

// A technical case CS-109, forwarded and assigned to ST-7 by intake.
static void
s_case_109(void)
{
    dispatch_case_event("intake.case.created",
                        dispatch_case("CS-109", "tech_support", "recorded",
                                      "high", "technical"));
    dispatch_case_event("intake.case.forwarded",
                        dispatch_case("CS-109", "tech_support", "forwarded",
                                      "high", "technical"));
    json_t *summary = dispatch_case("CS-109", "tech_support", "assigned",
                                    "high", "technical");
    json_object_set_new(summary, "assignee", json_string("ST-7"));
    dispatch_case_event("intake.case.assigned", summary);
    char id[32];
    ck_assert(dispatch_wait_case_workorder("CS-109", id, sizeof id));
    char key[96];
    snprintf(key, sizeof key, "sm:{dispatch}:workorder:%s", id);
    bool assigned = false;
    for (int i = 0; i < 500 && !assigned; i++) {
        json_t *doc = dispatch_doc(key);
        const char *who = json_string_value(json_object_get(doc, "assignee"));
        assigned = who && strcmp(who, "ST-7") == 0;
        json_decref(doc);
        zmq_poll(NULL, 0, 20); // polling with a timeout
    }
    ck_assert_msg(assigned, "CS-109's work order was not assigned to ST-7");
}

static int
s_create_from(const char *who, const char *dept, const char *type,
              const char *case_id, json_t **reply_p)
{
    return s_status(who, "POST", "/v1/work-orders",
                    json_pack("{s:s, s:s, s:{s:s, s:s}}", "title", "parts",
                              "department", dept, "source", "type", type, "id",
                              case_id),
                    reply_p);
}

START_TEST(test_dispatch_rules_source_case)
{
    s_seed();
    s_case_109();
    json_t *reply = NULL;
    // The logistics clerk cannot hang his work order on a technical case.
    ck_assert_int_eq(
        s_create_from("ST-31", "logistics", "case", "CS-109", &reply), 422);
    ck_assert_ptr_nonnull(s_error_for(reply, "source.id"));
    json_decref(reply);
    ck_assert_int_eq(
        s_create_from("ST-31", "logistics", "case", "CS-999", &reply), 422);
    ck_assert_str_eq(harness_mdp_error_code(reply), "unknown_source");
    json_decref(reply);
    ck_assert_int_eq(
        s_create_from("ST-31", "logistics", "asset", "EQ-1", &reply), 400);
    json_decref(reply);
    // A technician who is not on the case may not act for it.
    ck_assert_int_eq(s_create_from("ST-5", "technical", "case", "CS-109", NULL),
                     403);
    ck_assert_int_eq(s_create_from("ST-7", "technical", "case", "CS-109", NULL),
                     201);
    ck_assert_int_eq(
        s_create_from("ST-3", "technical", "case", "CS-109", &reply), 201);
    ck_assert_str_eq(harness_mdp_body_string(reply, "origin"), "request");
    json_decref(reply);
    // The case's own work order, opened by dispatch, says so in its events:
    // intake takes an assignment only from that one.
    json_t *events = dispatch_outbox_events("dispatch.workorder.created");
    size_t own = 0;
    for (size_t i = 0; i < json_array_size(events); i++) {
        const json_t *data = json_object_get(json_array_get(events, i), "data");
        const char *origin = json_string_value(json_object_get(data, "origin"));
        own += origin && strcmp(origin, "event") == 0;
    }
    ck_assert_uint_eq(own, 1);
    json_decref(events);
}
END_TEST

START_TEST(test_dispatch_rules_validation)
{
    s_seed();
    ck_assert_int_eq(
        s_query_status("/v1/work-orders", json_pack("{s:s}", "state", "x")),
        400);
    ck_assert_int_eq(
        s_query_status("/v1/work-orders", json_pack("{s:s}", "colour", "red")),
        400);
    ck_assert_int_eq(
        s_query_status("/v1/work-orders", json_pack("{s:s}", "state", "open")),
        200);
    ck_assert_int_eq(
        s_query_status("/v1/queues", json_pack("{s:s}", "limit", "5")), 400);
    ck_assert_int_eq(s_query_status("/v1/queues/technical",
                                    json_pack("{s:s}", "colour", "red")),
                     400);
    ck_assert_int_eq(s_query_status("/v1/queues/technical", NULL), 200);
    ck_assert_int_eq(s_query_status("/v1/queues/nowhere", NULL), 404);
    ck_assert_int_eq(
        s_query_status("/v1/sla-policies", json_pack("{s:s}", "kind", "x")),
        400);
    ck_assert_int_eq(s_query_status("/v1/sla-policies/bogus", NULL), 404);
    ck_assert_int_eq(s_query_status("/v1/rosters/nowhere", NULL), 404);
    ck_assert_int_eq(s_query_status("/v1/rosters/logistics", NULL), 200);
    ck_assert_int_eq(s_status("ST-1", "PUT", "/v1/rosters/nowhere",
                              json_pack("{s:[]}", "on_duty"), NULL),
                     404);
    json_t *reply = NULL;
    ck_assert_int_eq(
        s_status("ST-1", "POST", "/v1/work-orders",
                 json_pack("{s:s, s:s}", "title", "t", "department", "nowhere"),
                 &reply),
        422);
    ck_assert_ptr_nonnull(s_error_for(reply, "department"));
    json_decref(reply);
    json_t *row = json_pack("{s:i, s:i, s:i}", "first_response_ms", 1000,
                            "department_reply_ms", 1000, "resolution_ms", 1000);
    ck_assert_int_eq(
        s_status("ST-1", "PUT", "/v1/sla-policies/inquiry",
                 json_pack("{s:b, s:s, s:{s:O}}", "business_time", 1,
                           "calendar", "null", "targets", "default", row),
                 &reply),
        422);
    ck_assert_ptr_nonnull(s_error_for(reply, "calendar"));
    json_decref(reply);
    ck_assert_int_eq(
        s_status("ST-1", "PUT", "/v1/sla-policies/inquiry",
                 json_pack("{s:b, s:s, s:{s:o}}", "business_time", 1,
                           "calendar", "default", "targets", "default", row),
                 NULL),
        200);
}
END_TEST

// A roster, a policy and a calendar stored before documents had a state
// and history are replaced by the next PUT.
START_TEST(test_dispatch_rules_put_over_old_layout)
{
    s_seed();
    const char *olds[][2] = {
        {"sm:{dispatch}:roster:logistics",
         "{\"department\":\"logistics\",\"on_duty\":[],\"date\":null}"},
        {"sm:{dispatch}:calendar:old",
         "{\"name\":\"old\",\"utc_offset_minutes\":0,\"hours\":{}}"},
    };
    for (size_t i = 0; i < sizeof olds / sizeof olds[0]; i++) {
        cm_commit_t *commit = cm_commit_new("dispatch");
        cm_commit_doc(commit, olds[i][0], CM_VERSION_ANY, olds[i][1]);
        cm_commit_result_t result;
        ck_assert_int_eq(cm_store_commit(dispatch_stack.store, commit, &result),
                         0);
        cm_commit_result_clear(&result);
        cm_commit_destroy(&commit);
    }
    json_t *reply = NULL;
    ck_assert_int_eq(s_status("ST-9", "PUT", "/v1/rosters/logistics",
                              json_pack("{s:[s]}", "on_duty", "ST-31"), &reply),
                     200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "current");
    json_decref(reply);
    ck_assert_int_eq(
        s_status("ST-1", "PUT", "/v1/calendars/old",
                 json_pack("{s:i, s:{s:[s]}}", "utc_offset_minutes", 60,
                           "hours", "mon", "09:00-17:00"),
                 &reply),
        200);
    ck_assert_int_eq(dispatch_doc_version("sm:{dispatch}:calendar:old"), 2);
    json_decref(reply);
}
END_TEST

// A work order's own due date: in the past is a 400; once it passes an
// unfinished work order escalates to its department's head; a finished
// one does not.
START_TEST(test_dispatch_rules_due_date_escalates)
{
    s_seed();
    char due[CM_TIME_TEXT_MAX], past[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + 1500, due);
    cm_time_format(cm_time_now_ms() - 1000, past);
    json_t *reply = NULL;
    ck_assert_int_eq(
        s_status("ST-3", "POST", "/v1/work-orders",
                 json_pack("{s:s, s:s, s:s}", "title", "t", "department",
                           "technical", "due_at", past),
                 &reply),
        400);
    ck_assert_ptr_nonnull(s_error_for(reply, "due_at"));
    json_decref(reply);
    char late[32] = "", done[32] = "";
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(
            s_status("ST-3", "POST", "/v1/work-orders",
                     json_pack("{s:s, s:s, s:s}", "title", "t", "department",
                               "technical", "due_at", due),
                     &reply),
            201);
        snprintf(i == 0 ? late : done, 32, "%s",
                 harness_mdp_body_string(reply, "id"));
        json_decref(reply);
    }
    ck_assert_int_eq(s_act("ST-3", done, "assign", s_assignee("ST-5")), 200);
    const char *steps[] = {"accept", "start", "complete"};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(s_act("ST-5", done, steps[i], NULL), 200);
    }
    char key[64];
    snprintf(key, sizeof key, "sm:{dispatch}:workorder:%s", late);
    int64_t level = 0;
    for (int i = 0; i < 100 && level == 0; i++) {
        json_t *doc = dispatch_doc(key);
        level = json_integer_value(json_object_get(doc, "escalation_level"));
        json_decref(doc);
        usleep(100 * 1000);
    }
    ck_assert_int_eq(level, 1);
    json_t *events = dispatch_outbox_events(DISPATCH_EVENT_WORKORDER_ESCALATED);
    ck_assert_int_eq(json_array_size(events), 1);
    const json_t *data = json_object_get(json_array_get(events, 0), "data");
    ck_assert_str_eq(json_string_value(json_object_get(data, "id")), late);
    ck_assert_str_eq(json_string_value(json_object_get(data, "escalated_to")),
                     "ST-3");
    json_decref(events);
    snprintf(key, sizeof key, "sm:{dispatch}:workorder:%s", done);
    json_t *doc = dispatch_doc(key);
    ck_assert_int_eq(
        json_integer_value(json_object_get(doc, "escalation_level")), 0);
    json_decref(doc);
}
END_TEST

// Shifts: on duty from start to end of the day's time (here UTC); the
// work order goes to the one on shift now, not to the one whose shift is
// over.
START_TEST(test_dispatch_rules_roster_shifts)
{
    s_seed();
    int64_t now = cm_time_now_ms();
    int minute = (int)((now % (24LL * 3600 * 1000)) / 60000);
    char from[8], to[8], later[8], after[8];
    snprintf(from, sizeof from, "%02d:%02d", ((minute + 1380) % 1440) / 60,
             ((minute + 1380) % 1440) % 60);
    snprintf(to, sizeof to, "%02d:%02d", ((minute + 60) % 1440) / 60,
             ((minute + 60) % 1440) % 60);
    snprintf(later, sizeof later, "%02d:%02d", ((minute + 120) % 1440) / 60,
             ((minute + 120) % 1440) % 60);
    snprintf(after, sizeof after, "%02d:%02d", ((minute + 240) % 1440) / 60,
             ((minute + 240) % 1440) % 60);
    json_t *reply = NULL;
    ck_assert_int_eq(
        s_status("ST-3", "PUT", "/v1/rosters/technical",
                 json_pack("{s:[], s:[{s:s, s:s, s:[s]}]}", "on_duty", "shifts",
                           "start", "25:00", "end", to, "staff", "ST-5"),
                 &reply),
        400);
    ck_assert_ptr_nonnull(s_error_for(reply, "shifts[0].start"));
    json_decref(reply);
    ck_assert_int_eq(
        s_status("ST-3", "PUT", "/v1/rosters/technical",
                 json_pack("{s:[], s:[{s:s, s:s, s:[s]}, {s:s, s:s, s:[s]}]}",
                           "on_duty", "shifts", "start", later, "end", after,
                           "staff", "ST-6", "start", from, "end", to, "staff",
                           "ST-7"),
                 NULL),
        200);
    char wo[32];
    s_create("ST-3", "technical", wo, sizeof wo);
    char key[64];
    snprintf(key, sizeof key, "sm:{dispatch}:workorder:%s", wo);
    json_t *doc = dispatch_doc(key);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "assignee")),
                     "ST-7");
    json_decref(doc);
}
END_TEST

Suite *
dispatch_rules_suite(void)
{
    Suite *suite = suite_create("dispatch_rules");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, dispatch_stack_setup,
                              dispatch_stack_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_dispatch_rules_who_creates);
    tcase_add_test(core, test_dispatch_rules_who_assigns);
    tcase_add_test(core, test_dispatch_rules_assignee_is_department_staff);
    tcase_add_test(core, test_dispatch_rules_stale_if_match);
    tcase_add_test(core, test_dispatch_rules_source_case);
    tcase_add_test(core, test_dispatch_rules_validation);
    tcase_add_test(core, test_dispatch_rules_put_over_old_layout);
    tcase_add_test(core, test_dispatch_rules_due_date_escalates);
    tcase_add_test(core, test_dispatch_rules_roster_shifts);
    suite_add_tcase(suite, core);
    return suite;
}
