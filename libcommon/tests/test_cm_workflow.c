#include "cm_workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "cm_problem.h"
#include "suites.h"

// The inquiry process of docs/domain.md, plus a note, a cancel, a reopen and
// an escalation that only the SLA clock (role system) may perform.
static const cm_workflow_row_t inquiry_rows[] = {
    {"recorded", "answer", "cs_agent", 0, "answer", "answered",
     "intake.case.answered"},
    {"recorded", "forward", "cs_agent", 0, "department reply_by", "forwarded",
     "intake.case.forwarded"},
    {"forwarded", "reply", "dept_head", CM_WORKFLOW_DEPARTMENT, "answer",
     "replied", "intake.case.replied"},
    {"forwarded", "reply", "technician cs_agent", CM_WORKFLOW_ASSIGNEE,
     "answer", "replied", "intake.case.replied"},
    {"forwarded", "escalate", "system", CM_WORKFLOW_STRICT, NULL,
     CM_WORKFLOW_STAY, "intake.case.escalated"},
    {"replied", "relay", "cs_agent", 0, NULL, "relayed", "intake.case.relayed"},
    {"answered relayed", "confirm", "cs_agent", 0, "satisfied score",
     CM_WORKFLOW_BY_CODE, "intake.case.confirmed"},
    {"*", "note", "cs_agent dept_head", 0, "note", CM_WORKFLOW_STAY,
     "intake.case.noted"},
    {"*", "cancel", "cs_agent", 0, "reason", "cancelled",
     "intake.case.cancelled"},
    {"closed", "reopen", "cs_agent", 0, "reason", "recorded",
     "intake.case.reopened"},
};

static const cm_workflow_t inquiry = {
    .name = "case.inquiry",
    .rows = inquiry_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(inquiry_rows),
    .final_states = "closed cancelled",
    .superuser_role = "station_head",
};

// A requisition (docs/domain.md): the requester's dept head approves, and
// nobody approves their own request.
static const cm_workflow_row_t requisition_rows[] = {
    {"submitted", "approve", "dept_head",
     CM_WORKFLOW_DEPARTMENT | CM_WORKFLOW_NOT_REQUESTER, NULL, "approved",
     "inventory.requisition.approved"},
    {"submitted", "reject", "dept_head", CM_WORKFLOW_DEPARTMENT, "reason",
     "rejected", "inventory.requisition.rejected"},
};

static const cm_workflow_t requisition = {
    .name = "requisition",
    .rows = requisition_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(requisition_rows),
    .final_states = "approved rejected",
    .superuser_role = "station_head",
    .requester_field = "requester",
};

// Fresh for every test: checked fixture.
static json_t *agent;      // cs_agent in customer_service
static json_t *technician; // the case's assignee
static json_t *other_tech; // a technician who is not the assignee
static json_t *tech_head;  // dept_head of technical, the case's department
static json_t *other_head; // dept_head of logistics
static json_t *head;       // station_head
static json_t *auditor;    // reads everything, changes nothing
static json_t *sla_clock;  // the SLA clock
static json_t *case_doc;   // an inquiry forwarded to technical, assigned

static json_t *
s_actor(const char *id, const char *role, const char *department)
{
    json_t *actor = json_pack("{s:s, s:s, s:s?}", "id", id, "role", role,
                              "department", department);
    ck_assert_ptr_nonnull(actor);
    return actor;
}

static void
setup(void)
{
    agent = s_actor("ST-1", "cs_agent", "customer_service");
    technician = s_actor("ST-2", "technician", "technical");
    other_tech = s_actor("ST-6", "technician", "technical");
    tech_head = s_actor("ST-3", "dept_head", "technical");
    other_head = s_actor("ST-4", "dept_head", "logistics");
    head = s_actor("ST-9", "station_head", NULL);
    auditor = s_actor("ST-5", "auditor", NULL);
    sla_clock = s_actor("dispatch", "system", NULL);
    case_doc =
        json_pack("{s:s, s:s, s:s, s:s}", "id", "CS-1024", "kind", "inquiry",
                  "department", "technical", "assignee", "ST-2");
    ck_assert_ptr_nonnull(case_doc);
}

static void
teardown(void)
{
    json_decref(case_doc);
    json_decref(sla_clock);
    json_decref(auditor);
    json_decref(head);
    json_decref(other_head);
    json_decref(tech_head);
    json_decref(other_tech);
    json_decref(technician);
    json_decref(agent);
}

// Space-joined names of a JSON array of strings ("answer forward"), or of
// the `field` of each object in it, into buf.
static const char *
s_join(const json_t *array, const char *member, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < json_array_size(array) && used < size; i++) {
        const json_t *item = json_array_get(array, i);
        if (member) {
            item = json_object_get(item, member);
        }
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? " " : "",
                                 json_string_value(item));
    }
    return buf;
}

// The actions an actor may take, joined, into buf.
static const char *
s_actions(const cm_workflow_t *table, const char *state, const json_t *actor,
          const json_t *doc, char *buf, size_t size)
{
    json_t *actions = cm_workflow_actions(table, state, actor, doc);
    ck_assert(json_is_array(actions));
    s_join(actions, NULL, buf, size);
    json_decref(actions);
    return buf;
}

// Apply and expect a refusal with this status and code; returns the problem.
static json_t *
s_refused(const cm_workflow_t *table, const char *state, const char *action,
          const json_t *actor, const json_t *doc, const json_t *body,
          int status, const char *code)
{
    cm_workflow_step_t step;
    json_t *problem =
        cm_workflow_apply(table, state, action, actor, doc, body, &step);
    ck_assert_ptr_nonnull(problem);
    ck_assert_int_eq(cm_problem_status(problem), status);
    ck_assert_str_eq(json_string_value(json_object_get(problem, "code")), code);
    ck_assert_ptr_null(step.row);
    return problem;
}

// Apply and expect success; returns the step.
static cm_workflow_step_t
s_allowed(const cm_workflow_t *table, const char *state, const char *action,
          const json_t *actor, const json_t *doc, const json_t *body)
{
    cm_workflow_step_t step;
    json_t *problem =
        cm_workflow_apply(table, state, action, actor, doc, body, &step);
    ck_assert_msg(!problem, "%s in %s refused with %d", action, state,
                  cm_problem_status(problem));
    ck_assert_ptr_nonnull(step.row);
    return step;
}

START_TEST(test_cm_workflow_tables_pass_check)
{
    ck_assert_int_eq(cm_workflow_check(&inquiry), 0);
    ck_assert_int_eq(cm_workflow_check(&requisition), 0);
}
END_TEST

START_TEST(test_cm_workflow_check_rejects_bad_rows)
{
    static const cm_workflow_row_t no_roles[] = {
        {"new", "go", NULL, 0, NULL, "done", NULL},
    };
    static const cm_workflow_row_t two_actions[] = {
        {"new", "go stop", "cs_agent", 0, NULL, "done", NULL},
    };
    static const cm_workflow_row_t any_next[] = {
        {"new", "go", "cs_agent", 0, NULL, "*", NULL},
    };
    const cm_workflow_t tables[] = {
        {.name = "no_roles", .rows = no_roles, .row_count = 1},
        {.name = "two_actions", .rows = two_actions, .row_count = 1},
        {.name = "any_next", .rows = any_next, .row_count = 1},
        {.name = "no_rows", .rows = NULL, .row_count = 2},
    };
    char *text = NULL;
    size_t length = 0;
    FILE *stream = open_memstream(&text, &length);
    ck_assert_ptr_nonnull(stream);
    cm_log_set_stream(stream);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        ck_assert_msg(cm_workflow_check(&tables[i]) == -1, "%s accepted",
                      tables[i].name);
    }
    cm_log_set_stream(NULL);
    ck_assert_int_eq(fclose(stream), 0);
    ck_assert_ptr_nonnull(strstr(text, "workflow.table_invalid"));
    ck_assert_ptr_nonnull(strstr(text, "two_actions"));
    free(text);
}
END_TEST

START_TEST(test_cm_workflow_apply_returns_next_state_and_event)
{
    json_t *body = json_pack("{s:s, s:s}", "department", "technical",
                             "reply_by", "2026-11-27T16:00:00Z");
    cm_workflow_step_t step =
        s_allowed(&inquiry, "recorded", "forward", agent, case_doc, body);
    ck_assert_str_eq(step.next_state, "forwarded");
    ck_assert_str_eq(step.event_type, "intake.case.forwarded");
    ck_assert_ptr_eq(step.row, &inquiry_rows[1]);
    json_decref(body);
}
END_TEST

START_TEST(test_cm_workflow_stay_and_by_code)
{
    json_t *body = json_pack("{s:s, s:b, s:i}", "note", "called back",
                             "satisfied", 0, "score", 2);
    const char *state = "forwarded";
    cm_workflow_step_t step =
        s_allowed(&inquiry, state, "note", tech_head, case_doc, body);
    ck_assert_ptr_eq(step.next_state, state); // borrowed from the argument
    ck_assert_str_eq(step.event_type, "intake.case.noted");
    // One row serves two states; the service picks closed or forwarded.
    step = s_allowed(&inquiry, "answered", "confirm", agent, case_doc, body);
    ck_assert_ptr_null(step.next_state);
    ck_assert_str_eq(step.event_type, "intake.case.confirmed");
    step = s_allowed(&inquiry, "relayed", "confirm", agent, case_doc, body);
    ck_assert_ptr_null(step.next_state);
    json_decref(body);
}
END_TEST

START_TEST(test_cm_workflow_unknown_action_is_404)
{
    json_t *problem = s_refused(&inquiry, "recorded", "teleport", agent,
                                case_doc, NULL, 404, "unknown_action");
    ck_assert_ptr_null(json_object_get(problem, "allowed_actions"));
    ck_assert_ptr_nonnull(strstr(
        json_string_value(json_object_get(problem, "detail")), "teleport"));
    json_decref(problem);
}
END_TEST

START_TEST(test_cm_workflow_wrong_state_is_409_with_allowed_actions)
{
    char buf[256];
    json_t *problem = s_refused(&inquiry, "recorded", "reply", agent, case_doc,
                                NULL, 409, "invalid_transition");
    ck_assert_str_eq(json_string_value(json_object_get(problem, "state")),
                     "recorded");
    ck_assert_str_eq(s_join(json_object_get(problem, "allowed_actions"), NULL,
                            buf, sizeof buf),
                     "answer forward note cancel");
    json_decref(problem);
    // The state check comes first: even a role that may never reply gets
    // 409, with its own (empty) list of actions.
    problem = s_refused(&inquiry, "recorded", "reply", auditor, case_doc, NULL,
                        409, "invalid_transition");
    ck_assert_int_eq(
        json_array_size(json_object_get(problem, "allowed_actions")), 0);
    json_decref(problem);
}
END_TEST

START_TEST(test_cm_workflow_wrong_role_is_403_with_allowed_actions)
{
    char buf[256];
    json_t *problem = s_refused(&inquiry, "recorded", "forward", auditor,
                                case_doc, NULL, 403, "forbidden");
    ck_assert(json_is_array(json_object_get(problem, "allowed_actions")));
    ck_assert_int_eq(
        json_array_size(json_object_get(problem, "allowed_actions")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(problem, "state")),
                     "recorded");
    json_decref(problem);
    // A dept head of another department may note the case but not reply.
    problem = s_refused(&inquiry, "forwarded", "reply", other_head, case_doc,
                        NULL, 403, "forbidden");
    ck_assert_str_eq(s_join(json_object_get(problem, "allowed_actions"), NULL,
                            buf, sizeof buf),
                     "note");
    json_decref(problem);
    // No actor at all, or one without a role: nothing is allowed.
    problem = s_refused(&inquiry, "recorded", "forward", NULL, case_doc, NULL,
                        403, "forbidden");
    json_decref(problem);
}
END_TEST

START_TEST(test_cm_workflow_missing_fields_are_400_naming_each)
{
    char buf[256];
    json_t *bodies[] = {
        NULL,
        json_object(),
        json_pack("{s:s, s:n}", "department", "  ", "reply_by"),
        json_string("not an object"),
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        json_t *problem =
            s_refused(&inquiry, "recorded", "forward", agent, case_doc,
                      bodies[i], 400, "validation_failed");
        json_t *errors = json_object_get(problem, "errors");
        ck_assert_str_eq(s_join(errors, "field", buf, sizeof buf),
                         "department reply_by");
        ck_assert_str_eq(s_join(errors, "message", buf, sizeof buf),
                         "is required is required");
        json_decref(problem);
        json_decref(bodies[i]);
    }
    // Permission comes before fields: the auditor learns nothing of them.
    json_t *problem = s_refused(&inquiry, "recorded", "forward", auditor,
                                case_doc, NULL, 403, "forbidden");
    json_decref(problem);
}
END_TEST

START_TEST(test_cm_workflow_superuser_may_do_everything_not_strict)
{
    char buf[256];
    json_t *body = json_pack("{s:s}", "answer", "the fuse was replaced");
    // Not in the row's roles, not of the department, not the assignee.
    cm_workflow_step_t step =
        s_allowed(&inquiry, "forwarded", "reply", head, case_doc, body);
    ck_assert_str_eq(step.next_state, "replied");
    ck_assert_str_eq(
        s_actions(&inquiry, "forwarded", head, case_doc, buf, sizeof buf),
        "reply note cancel");
    // A strict row binds the superuser: only the SLA clock escalates.
    json_t *problem = s_refused(&inquiry, "forwarded", "escalate", head,
                                case_doc, NULL, 403, "forbidden");
    json_decref(problem);
    step =
        s_allowed(&inquiry, "forwarded", "escalate", sla_clock, case_doc, NULL);
    ck_assert_str_eq(step.next_state, "forwarded");
    // Still 400 for missing fields: the superuser skips roles, not data.
    problem = s_refused(&inquiry, "forwarded", "reply", head, case_doc, NULL,
                        400, "validation_failed");
    json_decref(problem);
    json_decref(body);
}
END_TEST

START_TEST(test_cm_workflow_assignee_and_department_relations)
{
    json_t *body = json_pack("{s:s}", "answer", "restart the router");
    s_allowed(&inquiry, "forwarded", "reply", technician, case_doc, body);
    s_allowed(&inquiry, "forwarded", "reply", tech_head, case_doc, body);
    json_t *problem = s_refused(&inquiry, "forwarded", "reply", other_tech,
                                case_doc, body, 403, "forbidden");
    json_decref(problem);
    // An unassigned case has no assignee, however the actor's id looks.
    json_t *unassigned =
        json_pack("{s:s, s:n}", "department", "technical", "assignee");
    problem = s_refused(&inquiry, "forwarded", "reply", technician, unassigned,
                        body, 403, "forbidden");
    json_decref(problem);
    json_t *anonymous = json_pack("{s:s, s:n}", "role", "technician", "id");
    problem = s_refused(&inquiry, "forwarded", "reply", anonymous, unassigned,
                        body, 403, "forbidden");
    json_decref(problem);
    json_decref(anonymous);
    json_decref(unassigned);
    json_decref(body);
}
END_TEST

// A service's own relation: only agents at the desk (an actor fact the
// service adds) may answer; the superuser passes, a strict row binds it.
static bool
s_at_desk(const json_t *actor, const json_t *doc)
{
    (void)doc; // the relation reads only the actor here
    return json_is_true(json_object_get(actor, "desk"));
}

static const cm_workflow_row_t desk_rows[] = {
    {"recorded", "answer", "cs_agent", 0, NULL, "answered", NULL, NULL, NULL,
     s_at_desk},
    {"recorded", "close", "cs_agent", CM_WORKFLOW_STRICT, NULL, "closed", NULL,
     NULL, NULL, s_at_desk},
};

static const cm_workflow_t desk = {
    .name = "desk",
    .rows = desk_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(desk_rows),
    .final_states = "closed",
    .superuser_role = "station_head",
};

START_TEST(test_cm_workflow_row_guard_function)
{
    char buf[64];
    json_t *at = json_pack("{s:s, s:s, s:b}", "id", "ST-2", "role", "cs_agent",
                           "desk", 1);
    json_t *away = json_pack("{s:s, s:s, s:b}", "id", "ST-3", "role",
                             "cs_agent", "desk", 0);
    s_allowed(&desk, "recorded", "answer", at, case_doc, NULL);
    json_t *problem = s_refused(&desk, "recorded", "answer", away, case_doc,
                                NULL, 403, "forbidden");
    json_decref(problem);
    ck_assert_str_eq(
        s_actions(&desk, "recorded", away, case_doc, buf, sizeof buf), "");
    ck_assert_str_eq(
        s_actions(&desk, "recorded", head, case_doc, buf, sizeof buf),
        "answer");
    ck_assert_str_eq(
        s_actions(&desk, "recorded", at, case_doc, buf, sizeof buf),
        "answer close");
    json_decref(at);
    json_decref(away);
}
END_TEST

START_TEST(test_cm_workflow_nobody_approves_their_own_request)
{
    json_t *own =
        json_pack("{s:s, s:s}", "department", "technical", "requester", "ST-3");
    json_t *by_technician =
        json_pack("{s:s, s:s}", "department", "technical", "requester", "ST-2");
    json_t *by_head =
        json_pack("{s:s, s:s}", "department", "technical", "requester", "ST-9");
    json_t *problem = s_refused(&requisition, "submitted", "approve", tech_head,
                                own, NULL, 403, "forbidden");
    char buf[64];
    // The same dept head may still reject it.
    ck_assert_str_eq(s_join(json_object_get(problem, "allowed_actions"), NULL,
                            buf, sizeof buf),
                     "reject");
    json_decref(problem);
    s_allowed(&requisition, "submitted", "approve", tech_head, by_technician,
              NULL);
    problem = s_refused(&requisition, "submitted", "approve", other_head,
                        by_technician, NULL, 403, "forbidden");
    json_decref(problem);
    // The rule binds the station head too.
    problem = s_refused(&requisition, "submitted", "approve", head, by_head,
                        NULL, 403, "forbidden");
    json_decref(problem);
    s_allowed(&requisition, "submitted", "approve", head, own, NULL);
    json_decref(by_head);
    json_decref(by_technician);
    json_decref(own);
}
END_TEST

START_TEST(test_cm_workflow_final_states_allow_nothing)
{
    char buf[256];
    const json_t *everyone[] = {agent, tech_head, head, sla_clock};
    for (size_t i = 0; i < sizeof everyone / sizeof everyone[0]; i++) {
        s_actions(&inquiry, "cancelled", everyone[i], case_doc, buf,
                  sizeof buf);
        ck_assert_str_eq(buf, "");
    }
    ck_assert(cm_workflow_is_final(&inquiry, "cancelled"));
    ck_assert(!cm_workflow_is_final(&inquiry, "forwarded"));
    // "*" rows stop at final states: no cancel or note after closing.
    json_t *body = json_pack("{s:s}", "reason", "duplicate");
    json_t *problem = s_refused(&inquiry, "cancelled", "cancel", head, case_doc,
                                body, 409, "invalid_transition");
    ck_assert_int_eq(
        json_array_size(json_object_get(problem, "allowed_actions")), 0);
    json_decref(problem);
    // Only a row naming a final state applies there.
    ck_assert_str_eq(
        s_actions(&inquiry, "closed", agent, case_doc, buf, sizeof buf),
        "reopen");
    cm_workflow_step_t step =
        s_allowed(&inquiry, "closed", "reopen", agent, case_doc, body);
    ck_assert_str_eq(step.next_state, "recorded");
    json_decref(body);
}
END_TEST

START_TEST(test_cm_workflow_actions_per_role)
{
    char buf[256];
    struct {
        const char *state;
        const json_t *actor;
        const char *expected;
    } cases[] = {
        {"recorded", agent, "answer forward note cancel"},
        {"recorded", tech_head, "note"},
        {"recorded", auditor, ""},
        {"forwarded", agent, "note cancel"},
        {"forwarded", technician, "reply"},
        {"forwarded", other_tech, ""},
        {"forwarded", tech_head, "reply note"},
        {"forwarded", other_head, "note"},
        {"forwarded", sla_clock, "escalate"},
        {"replied", agent, "relay note cancel"},
        {"relayed", agent, "confirm note cancel"},
        {"answered", head, "confirm note cancel"},
        {"no_such_state", agent, "note cancel"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s_actions(&inquiry, cases[i].state, cases[i].actor, case_doc, buf,
                  sizeof buf);
        ck_assert_msg(strcmp(buf, cases[i].expected) == 0,
                      "case %zu (%s): got \"%s\", want \"%s\"", i,
                      cases[i].state, buf, cases[i].expected);
    }
}
END_TEST

Suite *
cm_workflow_suite(void)
{
    Suite *suite = suite_create("cm_workflow");
    TCase *table = tcase_create("table");
    tcase_add_test(table, test_cm_workflow_tables_pass_check);
    tcase_add_test(table, test_cm_workflow_check_rejects_bad_rows);
    suite_add_tcase(suite, table);
    TCase *apply = tcase_create("apply");
    tcase_add_checked_fixture(apply, setup, teardown);
    tcase_add_test(apply, test_cm_workflow_apply_returns_next_state_and_event);
    tcase_add_test(apply, test_cm_workflow_stay_and_by_code);
    tcase_add_test(apply, test_cm_workflow_unknown_action_is_404);
    tcase_add_test(apply,
                   test_cm_workflow_wrong_state_is_409_with_allowed_actions);
    tcase_add_test(apply,
                   test_cm_workflow_wrong_role_is_403_with_allowed_actions);
    tcase_add_test(apply, test_cm_workflow_missing_fields_are_400_naming_each);
    suite_add_tcase(suite, apply);
    TCase *roles = tcase_create("roles");
    tcase_add_checked_fixture(roles, setup, teardown);
    tcase_add_test(roles,
                   test_cm_workflow_superuser_may_do_everything_not_strict);
    tcase_add_test(roles, test_cm_workflow_assignee_and_department_relations);
    tcase_add_test(roles, test_cm_workflow_nobody_approves_their_own_request);
    tcase_add_test(roles, test_cm_workflow_final_states_allow_nothing);
    tcase_add_test(roles, test_cm_workflow_actions_per_role);
    tcase_add_test(roles, test_cm_workflow_row_guard_function);
    suite_add_tcase(suite, roles);
    return suite;
}
