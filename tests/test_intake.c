// Integration tests of intake's customer processes (docs/domain.md): the full
// path of each kind with two unsatisfied rounds, refusals (403, 409 with
// allowed actions, 400 naming fields), idempotent creation, lists,
// customers and the satisfaction report. Real redis-server, broker, hub and
// intake; requests over MDP. Suite: intake_suite.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "suites.h"
#include "test_intake_stack.h"

static json_t *s_agent;      // cs_agent of customer service
static json_t *s_finance;    // head of finance: the department cases go to
static json_t *s_tech_head;  // dept_head of the technical department
static json_t *s_tech;       // technician ST-4
static json_t *s_other_tech; // technician ST-5
static json_t *s_auditor;    // reads only
static json_t *s_head;       // station head

static void
s_setup(void)
{
    intake_stack_setup();
    s_agent = harness_mdp_actor("ST-2", "cs_agent", "customer_service");
    s_finance = harness_mdp_actor("ST-6", "dept_head", "finance");
    s_tech_head = harness_mdp_actor("ST-3", "dept_head", "technical");
    s_tech = harness_mdp_actor("ST-4", "technician", "technical");
    s_other_tech = harness_mdp_actor("ST-5", "technician", "technical");
    s_auditor = harness_mdp_actor("ST-9", "auditor", "audit");
    s_head = harness_mdp_actor("ST-1", "station_head", "management");
}

static void
s_release(json_t **actor)
{
    json_decref(*actor);
    *actor = NULL;
}

static void
s_teardown(void)
{
    s_release(&s_agent);
    s_release(&s_finance);
    s_release(&s_tech_head);
    s_release(&s_tech);
    s_release(&s_other_tech);
    s_release(&s_auditor);
    s_release(&s_head);
    intake_stack_teardown();
}

// A case of kind for a customer with this phone; returns its id (free).
static char *
s_create(const char *kind, const char *phone)
{
    json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind", kind,
                             "channel", "phone", "customer", "name", "Li Wei",
                             "phone", phone, "subject", "Water pressure",
                             "description", "Low pressure since Monday");
    json_t *doc = intake_expect(201, s_agent, "POST", "/v1/cases", body);
    json_decref(body);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "state")),
                     "recorded");
    char *id = strdup(json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
    return id;
}

static json_t *
s_get(const json_t *actor, const char *id)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    return intake_expect(200, actor, "GET", path, NULL);
}

static const char *
s_state(const json_t *reply)
{
    return harness_mdp_body_string(reply, "state");
}

static json_t *
s_reply_by(void)
{
    char text[32];
    cm_time_format(cm_time_now_ms() + 3600LL * 1000, text);
    return json_pack("{s:s, s:s}", "department", "finance", "reply_by", text);
}

static json_t *
s_confirm(bool satisfied, int score)
{
    return json_pack("{s:b, s:i, s:s}", "satisfied", satisfied, "score", score,
                     "comment", satisfied ? "thanks" : "not solved");
}

static void
s_check_step(const json_t *actor, const char *id, const char *action,
             json_t *body, const char *state)
{
    json_t *reply = intake_act(actor, id, action, body, 200);
    ck_assert_str_eq(s_state(reply), state);
    json_decref(reply);
}

static int64_t
s_member_int(const json_t *doc, const char *member)
{
    return json_integer_value(json_object_get(doc, member));
}

START_TEST(test_intake_inquiry_full_path)
{
    char *id = s_create("inquiry", "+86 139 0000 0001");
    s_check_step(s_agent, id, "forward", s_reply_by(), "forwarded");
    for (int round = 1; round <= 3; round++) {
        s_check_step(s_finance, id, "reply",
                     json_pack("{s:s}", "answer", "Bills are monthly"),
                     "replied");
        s_check_step(s_agent, id, "relay", NULL, "relayed");
        s_check_step(s_agent, id, "confirm", s_confirm(round == 3, round + 2),
                     round == 3 ? "closed" : "forwarded");
    }
    json_t *doc = s_get(s_agent, id);
    ck_assert_int_eq(s_member_int(doc, "round"), 3);
    ck_assert_int_eq(s_member_int(doc, "unsatisfied_rounds"), 2);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "satisfaction")), 3);
    // record + forward + 3 x (reply, relay, confirm)
    ck_assert_int_eq(json_array_size(json_object_get(doc, "history")), 11);
    ck_assert(intake_has(json_object_get(doc, "actions"), "reopen"));
    ck_assert_ptr_nonnull(json_string_value(json_object_get(doc, "closed_at")));
    json_decref(doc);
    json_t *reply =
        intake_act(s_agent, id, "reopen",
                   json_pack("{s:s}", "reason", "called back"), 200);
    ck_assert_str_eq(s_state(reply), "recorded");
    json_decref(reply);
    free(id);
}
END_TEST

START_TEST(test_intake_inquiry_answered_on_the_spot)
{
    char *id = s_create("inquiry", "+86 139 0000 0002");
    s_check_step(s_agent, id, "answer",
                 json_pack("{s:s, s:s}", "answer", "Open 8-17", "note", "easy"),
                 "answered");
    s_check_step(s_agent, id, "confirm", s_confirm(true, 5), "closed");
    free(id);
}
END_TEST

START_TEST(test_intake_complaint_full_path)
{
    char *id = s_create("complaint", "+86 139 0000 0003");
    s_check_step(s_agent, id, "triage",
                 json_pack("{s:s, s:s, s:s}", "nature", "billing", "severity",
                           "high", "calming_note", "apologised"),
                 "triaged");
    s_check_step(s_agent, id, "forward", s_reply_by(), "forwarded");
    for (int round = 1; round <= 3; round++) {
        s_check_step(s_finance, id, "propose",
                     json_pack("{s:s}", "solution", "refund part"), "proposed");
        s_check_step(s_agent, id, "present",
                     json_pack("{s:s}", "opinion", "wants more"), "presented");
        s_check_step(s_agent, id, "confirm", s_confirm(round == 3, 2),
                     round == 3 ? "resolved" : "forwarded");
    }
    json_t *doc = s_get(s_agent, id);
    ck_assert_int_eq(s_member_int(doc, "unsatisfied_rounds"), 2);
    json_t *visit = json_object_get(doc, "return_visit");
    ck_assert_ptr_nonnull(json_string_value(json_object_get(visit, "due_at")));
    json_decref(doc);
    char *due = intake_redis("ZSCORE", "sm:{intake}:timers:return_visit", id);
    ck_assert_msg(due && strcmp(due, "(nil)") != 0, "no return visit timer");
    free(due);
    json_t *reply =
        intake_act(s_agent, id, "return-visit",
                   json_pack("{s:s, s:{s:s}}", "outcome", "happy now",
                             "new_issue", "subject", "Meter reading wrong"),
                   200);
    ck_assert_str_eq(s_state(reply), "closed");
    json_t *linked =
        json_object_get(json_object_get(reply, "body"), "linked_cases");
    ck_assert_int_eq(json_array_size(linked), 1);
    json_t *other =
        s_get(s_agent, json_string_value(json_array_get(linked, 0)));
    ck_assert_str_eq(json_string_value(json_object_get(other, "linked_from")),
                     id);
    json_decref(other);
    json_decref(reply);
    free(id);
}
END_TEST

// Technician rounds: diagnose, fix, verify, report.
static void
s_tech_round(const char *id)
{
    s_check_step(s_tech, id, "diagnose",
                 json_pack("{s:s, s:s}", "diagnosis", "valve", "solution",
                           "replace valve"),
                 "diagnosed");
    s_check_step(s_tech, id, "fix", json_pack("{s:s}", "work_done", "done"),
                 "fixed");
    s_check_step(s_tech, id, "verify", json_pack("{s:s}", "result", "ok"),
                 "verified");
    s_check_step(s_tech, id, "report", json_pack("{s:s}", "report", "fixed"),
                 "reported");
}

START_TEST(test_intake_tech_support_full_path)
{
    char *id = s_create("tech_support", "+86 139 0000 0004");
    s_check_step(
        s_agent, id, "triage",
        json_pack("{s:s, s:s}", "severity", "high", "nature", "equipment"),
        "triaged");
    s_check_step(s_tech_head, id, "assign",
                 json_pack("{s:s}", "technician", "ST-4"), "assigned");
    for (int round = 1; round <= 3; round++) {
        s_tech_round(id);
        s_check_step(s_agent, id, "confirm", s_confirm(round == 3, 3),
                     round == 3 ? "confirmed" : "assigned");
    }
    // Closing without the summary is refused, naming what is allowed.
    json_t *reply = intake_act(s_tech, id, "close", NULL, 409);
    json_t *error = json_object_get(reply, "error");
    ck_assert_str_eq(harness_mdp_error_code(reply), "invalid_transition");
    ck_assert(
        intake_has(json_object_get(error, "allowed_actions"), "summarize"));
    json_decref(reply);
    reply = intake_act(s_tech, id, "summarize",
                       json_pack("{s:s}", "root_cause", "old valve"), 400);
    error = json_object_get(reply, "error");
    ck_assert_str_eq(
        json_string_value(json_object_get(
            json_array_get(json_object_get(error, "errors"), 0), "field")),
        "improvement_measures");
    json_decref(reply);
    s_check_step(s_tech, id, "summarize",
                 json_pack("{s:s, s:s}", "root_cause", "old valve",
                           "improvement_measures", "yearly valve check"),
                 "closed");
    free(id);
}
END_TEST

START_TEST(test_intake_refusals)
{
    char *id = s_create("tech_support", "+86 139 0000 0005");
    // Wrong state: 409 with what this caller may do instead.
    json_t *reply = intake_act(
        s_agent, id, "diagnose",
        json_pack("{s:s, s:s}", "diagnosis", "x", "solution", "y"), 409);
    json_t *allowed =
        json_object_get(json_object_get(reply, "error"), "allowed_actions");
    ck_assert(intake_has(allowed, "triage"));
    ck_assert(intake_has(allowed, "cancel"));
    json_decref(reply);
    // Wrong role: an auditor only reads.
    json_decref(intake_act(
        s_auditor, id, "triage",
        json_pack("{s:s, s:s}", "severity", "low", "nature", "equipment"),
        403));
    // Missing and bad fields, all named at once.
    reply = intake_act(
        s_agent, id, "triage",
        json_pack("{s:s, s:s}", "nature", "weird", "colour", "red"), 400);
    json_t *errors = json_object_get(json_object_get(reply, "error"), "errors");
    ck_assert_int_eq(json_array_size(errors), 3);
    json_decref(reply);
    s_check_step(
        s_agent, id, "triage",
        json_pack("{s:s, s:s}", "severity", "low", "nature", "equipment"),
        "triaged");
    // Only the head of the case's department assigns: another
    // department's head may not even see the case (need-to-know: 404), a
    // dept_head of the department whom personnel did not name its head
    // sees it but may not assign.
    json_t *other_head = harness_mdp_actor("ST-8", "dept_head", "logistics");
    json_decref(intake_act(other_head, id, "assign",
                           json_pack("{s:s}", "technician", "ST-4"), 404));
    json_decref(other_head);
    json_t *unnamed = harness_mdp_actor("ST-10", "dept_head", "technical");
    json_decref(intake_act(unnamed, id, "assign",
                           json_pack("{s:s}", "technician", "ST-4"), 403));
    json_decref(unnamed);
    s_check_step(s_tech_head, id, "assign",
                 json_pack("{s:s}", "technician", "ST-4"), "assigned");
    // Only the assignee works on it; the station head may do everything.
    json_decref(intake_act(
        s_other_tech, id, "diagnose",
        json_pack("{s:s, s:s}", "diagnosis", "x", "solution", "y"), 403));
    s_check_step(s_head, id, "cancel", json_pack("{s:s}", "reason", "dup"),
                 "cancelled");
    reply = intake_act(s_agent, id, "reopen",
                       json_pack("{s:s}", "reason", "again"), 409);
    json_decref(reply);
    free(id);
}
END_TEST

START_TEST(test_intake_create_validation_and_idempotency)
{
    json_t *bad = json_pack("{s:s, s:s}", "kind", "gossip", "extra", "x");
    json_t *reply = intake_call(s_agent, "POST", "/v1/cases", NULL, bad, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_t *errors = json_object_get(json_object_get(reply, "error"), "errors");
    // extra, kind, channel, subject, description, customer
    ck_assert_int_eq(json_array_size(errors), 6);
    json_decref(reply);
    json_decref(bad);
    json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind",
                             "inquiry", "channel", "web", "customer", "name",
                             "Ann", "email", "Ann@Example.com", "subject",
                             "Hours", "description", "When open?");
    json_t *first =
        intake_call(s_agent, "POST", "/v1/cases", NULL, body, "key-1");
    json_t *second =
        intake_call(s_agent, "POST", "/v1/cases", NULL, body, "key-1");
    ck_assert_int_eq(harness_mdp_status(first), 201);
    ck_assert_int_eq(harness_mdp_status(second), 201);
    ck_assert_str_eq(harness_mdp_body_string(first, "id"),
                     harness_mdp_body_string(second, "id"));
    json_decref(second);
    // The customer is matched by email for a new case.
    json_object_set_new(json_object_get(body, "customer"), "email",
                        json_string("ann@example.com"));
    second = intake_call(s_agent, "POST", "/v1/cases", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(second), 201);
    ck_assert_str_eq(harness_mdp_body_string(first, "customer_id"),
                     harness_mdp_body_string(second, "customer_id"));
    json_decref(first);
    json_decref(second);
    json_decref(body);
    json_decref(intake_expect(403, s_auditor, "POST", "/v1/cases", NULL));
}
END_TEST

START_TEST(test_intake_list_filters_and_pages)
{
    char *ids[5];
    for (int i = 0; i < 5; i++) {
        ids[i] = s_create(i % 2 ? "complaint" : "inquiry", "+86 139 1111");
    }
    json_t *query = json_pack("{s:s}", "limit", "2");
    size_t seen = 0;
    for (int page = 0; page < 5; page++) {
        json_t *reply =
            intake_call(s_auditor, "GET", "/v1/cases", query, NULL, NULL);
        ck_assert_int_eq(harness_mdp_status(reply), 200);
        json_t *body = json_object_get(reply, "body");
        seen += json_array_size(json_object_get(body, "items"));
        json_t *next = json_object_get(body, "next_cursor");
        if (json_is_null(next)) {
            json_decref(reply);
            break;
        }
        json_object_set(query, "cursor", next);
        json_decref(reply);
    }
    ck_assert_int_eq(seen, 5);
    json_decref(query);
    query = json_pack("{s:s, s:s}", "kind", "complaint", "state", "recorded");
    json_t *reply = intake_call(s_agent, "GET", "/v1/cases", query, NULL, NULL);
    json_t *items = json_object_get(json_object_get(reply, "body"), "items");
    ck_assert_int_eq(json_array_size(items), 2);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(items, 0), "id")),
        ids[3]); // newest first
    json_decref(reply);
    json_decref(query);
    query = json_pack("{s:s, s:s}", "limit", "500", "cursor", "x");
    reply = intake_call(s_agent, "GET", "/v1/cases", query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    json_decref(query);
    for (int i = 0; i < 5; i++) {
        free(ids[i]);
    }
}
END_TEST

// One list page, each item checked against the case read alone. Returns
// the reply envelope (caller owns it).
static json_t *
s_list_checked(const json_t *query, size_t expected)
{
    json_t *reply =
        intake_call(s_auditor, "GET", "/v1/cases", query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_t *items = json_object_get(json_object_get(reply, "body"), "items");
    ck_assert_int_eq(json_array_size(items), expected);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        json_t *doc =
            s_get(s_auditor, json_string_value(json_object_get(item, "id")));
        ck_assert_int_eq(json_object_size(item), 17);
        const char *member;
        json_t *value;
        json_object_foreach(item, member, value)
        {
            const json_t *want =
                strcmp(member, "customer_name") == 0
                    ? json_object_get(json_object_get(doc, "customer"), "name")
                    : json_object_get(doc, member);
            ck_assert_msg(json_equal(value, want), "item member %s", member);
        }
        json_decref(doc);
    }
    return reply;
}

static const char *
s_item_id(const json_t *reply, size_t i)
{
    json_t *items = json_object_get(json_object_get(reply, "body"), "items");
    return json_string_value(json_object_get(json_array_get(items, i), "id"));
}

// Lists are built from each case's stored item (read for a page at once):
// the same members as the case, its current version; a case stored before
// items existed is still listed. Combined filters give short pages with a
// cursor.
START_TEST(test_intake_list_items_and_combined_pages)
{
    char *ids[5];
    for (int i = 0; i < 5; i++) {
        ids[i] = s_create(i % 2 ? "complaint" : "inquiry", "+86 139 2222");
    }
    s_check_step(s_agent, ids[4], "answer",
                 json_pack("{s:s}", "answer", "Open 8-17"), "answered");
    json_t *query = json_pack("{s:s}", "limit", "5");
    json_t *before = s_list_checked(query, 5);
    ck_assert_str_eq(s_item_id(before, 0), ids[4]);
    char key[64];
    snprintf(key, sizeof key, "sm:{intake}:case:%s", ids[2]);
    free(intake_redis("HDEL", key, "item"));
    json_t *after = s_list_checked(query, 5);
    ck_assert(json_equal(json_object_get(before, "body"),
                         json_object_get(after, "body")));
    json_decref(before);
    json_decref(after);
    json_decref(query);

    // state=recorded holds ids 3 2 1 0; kind=complaint keeps 3 and 1.
    query = json_pack("{s:s, s:s, s:s}", "kind", "complaint", "state",
                      "recorded", "limit", "1");
    const char *pages[] = {ids[3], ids[1], NULL};
    for (size_t page = 0; page < 3; page++) {
        json_t *reply = s_list_checked(query, pages[page] ? 1 : 0);
        json_t *next =
            json_object_get(json_object_get(reply, "body"), "next_cursor");
        if (pages[page]) {
            ck_assert_str_eq(s_item_id(reply, 0), pages[page]);
            ck_assert(json_is_string(next));
            json_object_set(query, "cursor", next);
        } else {
            ck_assert(json_is_null(next));
        }
        json_decref(reply);
    }
    json_decref(query);
    for (int i = 0; i < 5; i++) {
        free(ids[i]);
    }
}
END_TEST

// Items with long subjects and customer names (each at its maximum, 200
// characters of three bytes): a page of 200 would pass the 64 KiB reply,
// so pages end early with a cursor and the walk still sees every case once.
START_TEST(test_intake_list_page_byte_bound)
{
    char subject[200 * 3 + 1];
    for (int i = 0; i < 200; i++) {
        memcpy(subject + i * 3, "\xe4\xb8\xad", 3); // U+4E2D
    }
    subject[sizeof subject - 1] = '\0';
    for (int i = 0; i < 60; i++) {
        json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind",
                                 "inquiry", "channel", "web", "customer",
                                 "name", subject, "phone", "+86 139 3333",
                                 "subject", subject, "description", "long");
        json_decref(intake_expect(201, s_agent, "POST", "/v1/cases", body));
        json_decref(body);
    }
    json_t *query = json_pack("{s:s}", "limit", "200");
    size_t seen = 0;
    size_t pages = 0;
    for (; pages < 10; pages++) {
        json_t *reply =
            intake_call(s_auditor, "GET", "/v1/cases", query, NULL, NULL);
        ck_assert_int_eq(harness_mdp_status(reply), 200);
        json_t *body = json_object_get(reply, "body");
        size_t count = json_array_size(json_object_get(body, "items"));
        ck_assert_int_gt(count, 0);
        seen += count;
        json_t *next = json_object_get(body, "next_cursor");
        if (json_is_null(next)) {
            json_decref(reply);
            break;
        }
        json_object_set(query, "cursor", next);
        json_decref(reply);
    }
    ck_assert_int_eq(seen, 60);
    ck_assert_int_ge(pages, 1); // at least two pages
    json_decref(query);
}
END_TEST

START_TEST(test_intake_customers)
{
    json_t *body = json_pack("{s:s, s:s}", "name", "Bo", "phone", "010-555");
    json_t *doc = intake_expect(201, s_agent, "POST", "/v1/customers", body);
    const char *id = json_string_value(json_object_get(doc, "id"));
    json_decref(intake_expect(409, s_agent, "POST", "/v1/customers", body));
    json_t *query = json_pack("{s:s}", "phone", "010 555");
    json_t *reply =
        intake_call(s_auditor, "GET", "/v1/customers", query, NULL, NULL);
    json_t *items = json_object_get(json_object_get(reply, "body"), "items");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(items, 0), "id")), id);
    json_decref(reply);
    json_decref(query);
    char path[64];
    snprintf(path, sizeof path, "/v1/customers/%s", id);
    json_t *patch = json_pack("{s:s}", "notes", "prefers email");
    json_t *patched = intake_expect(200, s_agent, "PATCH", path, patch);
    ck_assert_int_eq(s_member_int(patched, "version"), 2);
    json_decref(patched);
    json_decref(patch);
    json_decref(doc);
    json_decref(body);
}
END_TEST

START_TEST(test_intake_satisfaction_report)
{
    char *id = s_create("inquiry", "+86 139 0000 0006");
    s_check_step(s_agent, id, "forward", s_reply_by(), "forwarded");
    for (int round = 1; round <= 2; round++) {
        s_check_step(s_finance, id, "reply",
                     json_pack("{s:s}", "answer", "see bill"), "replied");
        s_check_step(s_agent, id, "relay", NULL, "relayed");
        s_check_step(s_agent, id, "confirm",
                     s_confirm(round == 2, round == 2 ? 5 : 2),
                     round == 2 ? "closed" : "forwarded");
    }
    json_t *query = json_pack("{s:s}", "department", "finance");
    json_t *reply = intake_call(s_auditor, "GET", "/v1/reports/satisfaction",
                                query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_t *body = json_object_get(reply, "body");
    ck_assert_int_eq(s_member_int(body, "count"), 2);
    ck_assert_int_eq(s_member_int(body, "unsatisfied_rounds"), 1);
    ck_assert_int_eq(s_member_int(body, "satisfied"), 1);
    ck_assert(json_real_value(json_object_get(body, "average_score")) == 3.5);
    json_decref(reply);
    json_decref(query);
    json_decref(
        intake_expect(403, s_tech, "GET", "/v1/reports/satisfaction", NULL));
    free(id);
}
END_TEST

Suite *
intake_suite(void)
{
    Suite *suite = suite_create("intake");
    TCase *flows = tcase_create("flows");
    tcase_add_checked_fixture(flows, s_setup, s_teardown);
    tcase_set_timeout(flows, 60);
    tcase_add_test(flows, test_intake_inquiry_full_path);
    tcase_add_test(flows, test_intake_inquiry_answered_on_the_spot);
    tcase_add_test(flows, test_intake_complaint_full_path);
    tcase_add_test(flows, test_intake_tech_support_full_path);
    tcase_add_test(flows, test_intake_refusals);
    suite_add_tcase(suite, flows);
    TCase *api = tcase_create("api");
    tcase_add_checked_fixture(api, s_setup, s_teardown);
    tcase_set_timeout(api, 60);
    tcase_add_test(api, test_intake_create_validation_and_idempotency);
    tcase_add_test(api, test_intake_list_filters_and_pages);
    tcase_add_test(api, test_intake_list_items_and_combined_pages);
    tcase_add_test(api, test_intake_list_page_byte_bound);
    tcase_add_test(api, test_intake_customers);
    tcase_add_test(api, test_intake_satisfaction_report);
    suite_add_tcase(suite, api);
    return suite;
}
