// Integration tests of the desk's corrections and rules of forwarding: a
// case is forwarded only to a department the org view knows (422 naming
// the field, nothing changed); an inquiry needs the promised reply time, a
// complaint may go without; PATCH /v1/cases/{id} needs If-Match (428, 412)
// and changes subject, description and severity while the case is open;
// reclassify changes a recorded case's kind (its process follows); notes
// say whether the customer may see them; technical support is triaged with
// nature and severity and assigned only to an active technician of its
// department. Suite: intake_desk_suite.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_id.h"
#include "cm_time.h"
#include "suites.h"
#include "test_intake_stack.h"

static json_t *s_agent;   // cs_agent at the desk
static json_t *s_auditor; // reads every case, changes none

static void
s_setup(void)
{
    intake_stack_setup();
    s_agent = harness_mdp_actor("ST-2", "cs_agent", "customer_service");
    s_auditor = harness_mdp_actor("ST-9", "auditor", "audit");
}

static void
s_teardown(void)
{
    json_decref(s_agent);
    json_decref(s_auditor);
    s_agent = s_auditor = NULL;
    intake_stack_teardown();
}

// A case of kind recorded by the desk; its id (free).
static char *
s_create(const char *kind)
{
    json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind", kind,
                             "channel", "phone", "customer", "name", "Li Wei",
                             "phone", "+86 555 0199", "subject",
                             "Water pressure", "description", "Low since May");
    json_t *doc = intake_expect(201, s_agent, "POST", "/v1/cases", body);
    json_decref(body);
    char *id = strdup(json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
    return id;
}

static json_t *
s_get(const char *id)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    return intake_expect(200, s_agent, "GET", path, NULL);
}

static json_int_t
s_version(const char *id)
{
    json_t *doc = s_get(id);
    json_int_t version = json_integer_value(json_object_get(doc, "version"));
    json_decref(doc);
    return version;
}

static const char *
s_text(const json_t *doc, const char *member)
{
    return json_string_value(json_object_get(doc, member));
}

// The first error's field of a reply envelope's problem.
static const char *
s_error_field(const json_t *reply)
{
    const json_t *errors =
        json_object_get(json_object_get(reply, "error"), "errors");
    return s_text(json_array_get(errors, 0), "field");
}

static json_t *
s_forward_body(const char *department, bool promise)
{
    char reply_by[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + 3600LL * 1000, reply_by);
    json_t *body = json_pack("{s:s}", "department", department);
    if (promise) {
        json_object_set_new(body, "reply_by", json_string(reply_by));
    }
    return body;
}

// PATCH the case with If-Match (NULL: none); the reply envelope.
static json_t *
s_patch(const json_t *actor, const char *id, const char *if_match, json_t *body)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    cm_envelope_request_t fields = {
        .actor = actor,
        .method = "PATCH",
        .path = path,
        .body = body,
        .if_match = if_match,
    };
    json_t *reply = intake_call_with(&fields);
    ck_assert_ptr_nonnull(reply);
    json_decref(body);
    return reply;
}

START_TEST(test_intake_desk_forward_rules)
{
    char *id = s_create("inquiry");
    // No such department: 422 naming the field, nothing changed.
    json_t *reply = intake_act(s_agent, id, "forward",
                               s_forward_body("nowhere", true), 422);
    ck_assert_str_eq(harness_mdp_error_code(reply), "unknown_department");
    ck_assert_str_eq(s_error_field(reply), "department");
    json_decref(reply);
    ck_assert_int_eq(s_version(id), 1);
    // An inquiry needs the promised reply time.
    reply = intake_act(s_agent, id, "forward", s_forward_body("finance", false),
                       400);
    ck_assert_str_eq(s_error_field(reply), "reply_by");
    json_decref(reply);
    json_decref(intake_act(s_agent, id, "forward",
                           s_forward_body("finance", true), 200));
    free(id);

    // A complaint may be forwarded without one.
    id = s_create("complaint");
    json_decref(
        intake_act(s_agent, id, "triage",
                   json_pack("{s:s, s:s, s:s}", "nature", "service", "severity",
                             "low", "calming_note", "sorry"),
                   200));
    reply = intake_act(s_agent, id, "forward",
                       s_forward_body("logistics", false), 200);
    json_t *doc = json_object_get(reply, "body");
    ck_assert_str_eq(s_text(doc, "state"), "forwarded");
    ck_assert_str_eq(s_text(doc, "department"), "logistics");
    json_decref(reply);
    free(id);
}
END_TEST

START_TEST(test_intake_desk_patch)
{
    char *id = s_create("inquiry");
    // Without If-Match: 428; a stale one: 412; neither changes anything.
    json_t *reply = s_patch(s_agent, id, NULL,
                            json_pack("{s:s}", "subject", "No water at all"));
    ck_assert_int_eq(harness_mdp_status(reply), 428);
    json_decref(reply);
    reply = s_patch(s_agent, id, "\"9\"",
                    json_pack("{s:s}", "subject", "No water at all"));
    ck_assert_int_eq(harness_mdp_status(reply), 412);
    json_decref(reply);
    // Only the fields of the correction; bad values named.
    reply =
        s_patch(s_agent, id, "\"1\"", json_pack("{s:s}", "state", "closed"));
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    reply = s_patch(s_agent, id, "\"1\"",
                    json_pack("{s:s}", "severity", "apocalyptic"));
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_error_field(reply), "severity");
    json_decref(reply);
    // A reader who is not the desk: 403.
    reply = s_patch(s_auditor, id, "\"1\"", json_pack("{s:s}", "subject", "x"));
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    json_decref(reply);
    ck_assert_int_eq(s_version(id), 1);

    reply = s_patch(s_agent, id, "\"1\"",
                    json_pack("{s:s, s:s}", "subject", "No water at all",
                              "severity", "high"));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    json_t *doc = s_get(id);
    ck_assert_str_eq(s_text(doc, "subject"), "No water at all");
    ck_assert_str_eq(s_text(doc, "severity"), "high");
    ck_assert_str_eq(s_text(doc, "state"), "recorded");
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "version")), 2);
    json_decref(doc);

    // A closed case is not corrected: 409.
    json_decref(intake_act(s_agent, id, "answer",
                           json_pack("{s:s}", "answer", "A main broke"), 200));
    json_decref(intake_act(s_agent, id, "confirm",
                           json_pack("{s:b, s:i}", "satisfied", 1, "score", 4),
                           200));
    reply = s_patch(s_agent, id, "\"4\"", json_pack("{s:s}", "subject", "x"));
    ck_assert_int_eq(harness_mdp_status(reply), 409);
    json_decref(reply);
    free(id);
}
END_TEST

START_TEST(test_intake_desk_reclassify_and_notes)
{
    char *id = s_create("inquiry");
    // Reason required; the same kind is refused.
    json_t *reply = intake_act(s_agent, id, "reclassify",
                               json_pack("{s:s}", "kind", "complaint"), 400);
    ck_assert_str_eq(s_error_field(reply), "reason");
    json_decref(reply);
    reply = intake_act(
        s_agent, id, "reclassify",
        json_pack("{s:s, s:s}", "kind", "inquiry", "reason", "same"), 409);
    ck_assert_str_eq(harness_mdp_error_code(reply), "same_kind");
    json_decref(reply);
    json_decref(intake_act(s_agent, id, "reclassify",
                           json_pack("{s:s, s:s}", "kind", "complaint",
                                     "reason", "the caller is complaining"),
                           200));
    // The complaint process applies now: triage, not answer.
    json_t *doc = s_get(id);
    ck_assert_str_eq(s_text(doc, "kind"), "complaint");
    ck_assert(intake_has(json_object_get(doc, "actions"), "triage"));
    ck_assert(!intake_has(json_object_get(doc, "actions"), "answer"));
    json_decref(doc);
    json_t *query = json_pack("{s:s}", "kind", "complaint");
    reply = intake_call(s_agent, "GET", "/v1/cases", query, NULL, NULL);
    json_decref(query);
    const json_t *items =
        json_object_get(json_object_get(reply, "body"), "items");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(s_text(json_array_get(items, 0), "id"), id);
    json_decref(reply);
    json_decref(
        intake_act(s_agent, id, "triage",
                   json_pack("{s:s, s:s, s:s}", "nature", "service", "severity",
                             "low", "calming_note", "sorry"),
                   200));
    // Only while recorded.
    reply = intake_act(
        s_agent, id, "reclassify",
        json_pack("{s:s, s:s}", "kind", "inquiry", "reason", "changed my mind"),
        409);
    json_decref(reply);

    // Notes: internal unless marked for the customer; kept in history.
    json_decref(intake_act(s_agent, id, "note",
                           json_pack("{s:s, s:s}", "note", "Told her Friday",
                                     "visibility", "customer"),
                           200));
    reply = intake_act(
        s_agent, id, "note",
        json_pack("{s:s, s:s}", "note", "x", "visibility", "everyone"), 400);
    ck_assert_str_eq(s_error_field(reply), "visibility");
    json_decref(reply);
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s/history", id);
    json_t *history = intake_expect(200, s_agent, "GET", path, NULL);
    bool seen_reclassify = false;
    bool seen_note = false;
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(history, "items"), i, entry)
    {
        const char *action = s_text(entry, "action");
        const json_t *data = json_object_get(entry, "data");
        if (action && strcmp(action, "reclassify") == 0) {
            ck_assert_str_eq(s_text(data, "previous_kind"), "inquiry");
            ck_assert_str_eq(s_text(data, "reason"),
                             "the caller is complaining");
            seen_reclassify = true;
        }
        if (action && strcmp(action, "note") == 0) {
            ck_assert_str_eq(s_text(data, "visibility"), "customer");
            seen_note = true;
        }
    }
    ck_assert(seen_reclassify && seen_note);
    json_decref(history);
    free(id);
}
END_TEST

// Technical support: triage judges nature and severity; the head assigns
// only an active technician of the case's department.
START_TEST(test_intake_desk_tech_triage_and_assign)
{
    char *id = s_create("tech_support");
    json_t *reply = intake_act(s_agent, id, "triage",
                               json_pack("{s:s}", "severity", "high"), 400);
    ck_assert_str_eq(s_error_field(reply), "nature");
    json_decref(reply);
    json_decref(intake_act(
        s_agent, id, "triage",
        json_pack("{s:s, s:s}", "severity", "high", "nature", "network"), 200));
    json_t *head = harness_mdp_actor("ST-3", "dept_head", "technical");
    intake_org_event("personnel.staff.created",
                     "{\"id\":\"ST-40\",\"role\":\"technician\","
                     "\"department\":\"technical\",\"status\":"
                     "\"suspended\"}");
    const char *refused[] = {"ST-99", "ST-2", "ST-40"};
    for (size_t i = 0; i < 3; i++) {
        reply = intake_act(head, id, "assign",
                           json_pack("{s:s}", "technician", refused[i]), 422);
        ck_assert_str_eq(harness_mdp_error_code(reply), "not_assignable");
        ck_assert_str_eq(s_error_field(reply), "technician");
        json_decref(reply);
    }
    ck_assert_int_eq(s_version(id), 2);
    reply = intake_act(head, id, "assign",
                       json_pack("{s:s}", "technician", "ST-4"), 200);
    json_t *doc = json_object_get(reply, "body");
    ck_assert_str_eq(s_text(doc, "assignee"), "ST-4");
    ck_assert_str_eq(s_text(doc, "nature"), "network");
    json_decref(reply);
    json_decref(head);
    free(id);
}
END_TEST

// A suggestion: acknowledged, forwarded, adopted with the measure taken
// or declined with a reason by the department's head, then the customer
// is told and it closes.
START_TEST(test_intake_desk_suggestions)
{
    json_t *fin_head = harness_mdp_actor("ST-6", "dept_head", "finance");
    json_t *clerk = harness_mdp_actor("ST-16", "finance", "finance");
    const char *ends[] = {"adopt", "decline"};
    for (size_t i = 0; i < 2; i++) {
        char *id = s_create("suggestion");
        json_t *reply = intake_act(s_agent, id, "forward",
                                   s_forward_body("finance", false), 409);
        json_decref(reply);
        json_decref(intake_act(s_agent, id, "acknowledge", NULL, 200));
        json_decref(intake_act(s_agent, id, "forward",
                               s_forward_body("finance", false), 200));
        const char *member = i == 0 ? "measure" : "reason";
        reply = intake_act(fin_head, id, ends[i], json_object(), 400);
        ck_assert_str_eq(s_error_field(reply), member);
        json_decref(reply);
        json_decref(intake_act(clerk, id, ends[i],
                               json_pack("{s:s}", member, "monthly bills"),
                               403));
        reply = intake_act(fin_head, id, ends[i],
                           json_pack("{s:s}", member, "monthly bills"), 200);
        ck_assert_str_eq(s_text(json_object_get(reply, "body"), "state"),
                         i == 0 ? "adopted" : "not_adopted");
        json_decref(reply);
        reply = intake_act(s_agent, id, "inform",
                           json_pack("{s:s}", "note", "told by phone"), 200);
        ck_assert_str_eq(s_text(json_object_get(reply, "body"), "state"),
                         "closed");
        json_decref(reply);
        free(id);
    }
    json_decref(fin_head);
    json_decref(clerk);
}
END_TEST

// The ids of a customer search page, space separated, into out; the next
// cursor into cursor ("" when none).
static void
s_names(const char *name, const char *limit, const char *after, char *out,
        size_t size, char *cursor, size_t cursor_size)
{
    json_t *query = json_pack("{s:s, s:s}", "name", name, "limit", limit);
    if (after) {
        json_object_set_new(query, "cursor", json_string(after));
    }
    json_t *reply =
        intake_call(s_agent, "GET", "/v1/customers", query, NULL, NULL);
    json_decref(query);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    const json_t *body = json_object_get(reply, "body");
    size_t n = 0;
    out[0] = '\0';
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(body, "items"), i, item)
    {
        n += (size_t)snprintf(out + n, size - n, "%s%s", n ? " " : "",
                              s_text(item, "id"));
    }
    const char *next = s_text(body, "next_cursor");
    snprintf(cursor, cursor_size, "%s", next ? next : "");
    json_decref(reply);
}

// Customers by the start of their name, case and spacing aside, in name
// order, a page at a time; a rename moves the customer in the index.
START_TEST(test_intake_desk_customer_names)
{
    const char *names[] = {"Li Wei", "li  na", "Liu Yang", "Wang Fang"};
    char ids[4][CM_ID_MAX];
    for (int i = 0; i < 4; i++) {
        char phone[32];
        snprintf(phone, sizeof phone, "+86 139 0000 000%d", i);
        json_t *body =
            json_pack("{s:s, s:s}", "name", names[i], "phone", phone);
        json_t *doc =
            intake_expect(201, s_agent, "POST", "/v1/customers", body);
        snprintf(ids[i], sizeof ids[i], "%s", s_text(doc, "id"));
        json_decref(doc);
        json_decref(body);
    }
    char page[256], cursor[256], want[256];
    s_names("LI", "2", NULL, page, sizeof page, cursor, sizeof cursor);
    snprintf(want, sizeof want, "%s %s", ids[1], ids[0]); // "li na", "li wei"
    ck_assert_str_eq(page, want);
    ck_assert_str_ne(cursor, "");
    char next[256];
    s_names("LI", "2", cursor, page, sizeof page, next, sizeof next);
    ck_assert_str_eq(page, ids[2]);
    ck_assert_str_eq(next, "");
    s_names(" li   w", "50", NULL, page, sizeof page, cursor, sizeof cursor);
    ck_assert_str_eq(page, ids[0]);
    // Renamed: found under the new name only.
    char path[64];
    snprintf(path, sizeof path, "/v1/customers/%s", ids[3]);
    json_t *rename = json_pack("{s:s}", "name", "Li Fang");
    json_decref(intake_expect(200, s_agent, "PATCH", path, rename));
    json_decref(rename);
    s_names("wang", "50", NULL, page, sizeof page, cursor, sizeof cursor);
    ck_assert_str_eq(page, "");
    s_names("li f", "50", NULL, page, sizeof page, cursor, sizeof cursor);
    ck_assert_str_eq(page, ids[3]);
    // Blank: 400 naming the parameter.
    json_t *query = json_pack("{s:s}", "name", "  ");
    json_t *reply =
        intake_call(s_agent, "GET", "/v1/customers", query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_error_field(reply), "name");
    json_decref(reply);
    json_decref(query);
}
END_TEST

// Regular return visits: one work request per customer (keyed by customer
// and day) in one commit; every customer must exist; the desk's to ask.
START_TEST(test_intake_desk_return_visits)
{
    char due[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + 24LL * 3600 * 1000, due);
    const char *ids[2];
    char made[2][CM_ID_MAX];
    for (int i = 0; i < 2; i++) {
        char phone[32];
        snprintf(phone, sizeof phone, "+86 139 0000 100%d", i);
        json_t *body =
            json_pack("{s:s, s:s}", "name", "Visited", "phone", phone);
        json_t *doc =
            intake_expect(201, s_agent, "POST", "/v1/customers", body);
        snprintf(made[i], sizeof made[i], "%s", s_text(doc, "id"));
        ids[i] = made[i];
        json_decref(doc);
        json_decref(body);
    }
    json_t *body = json_pack("{s:[s, s], s:s}", "customers", ids[0], "CU-999",
                             "due_at", due);
    json_t *reply =
        intake_call(s_agent, "POST", "/v1/return-visits", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 422);
    ck_assert_str_eq(s_error_field(reply), "customers[1]");
    json_decref(reply);
    json_decref(body);
    body = json_pack("{s:[], s:s}", "customers", "due_at", due);
    reply = intake_call(s_agent, "POST", "/v1/return-visits", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    json_decref(body);
    body = json_pack("{s:[s, s], s:s, s:s}", "customers", ids[0], ids[1],
                     "due_at", due, "note", "yearly call");
    reply =
        intake_call(s_auditor, "POST", "/v1/return-visits", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    json_decref(reply);
    char *before = intake_redis("XLEN", "sm:{intake}:outbox", NULL);
    reply = intake_call(s_agent, "POST", "/v1/return-visits", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    const json_t *scheduled =
        json_object_get(json_object_get(reply, "body"), "scheduled");
    ck_assert_int_eq(json_array_size(scheduled), 2);
    char key[96];
    snprintf(key, sizeof key, "customer-visit/%s/%.10s", ids[1], due);
    ck_assert_str_eq(s_text(json_array_get(scheduled, 1), "key"), key);
    json_decref(reply);
    json_decref(body);
    char *after = intake_redis("XLEN", "sm:{intake}:outbox", NULL);
    ck_assert_int_eq(atoi(after), atoi(before) + 2);
    free(before);
    free(after);
}
END_TEST

Suite *
intake_desk_suite(void)
{
    Suite *suite = suite_create("intake_desk");
    TCase *desk = tcase_create("desk");
    tcase_add_checked_fixture(desk, s_setup, s_teardown);
    tcase_set_timeout(desk, 120);
    tcase_add_test(desk, test_intake_desk_forward_rules);
    tcase_add_test(desk, test_intake_desk_patch);
    tcase_add_test(desk, test_intake_desk_reclassify_and_notes);
    tcase_add_test(desk, test_intake_desk_tech_triage_and_assign);
    tcase_add_test(desk, test_intake_desk_suggestions);
    tcase_add_test(desk, test_intake_desk_customer_names);
    tcase_add_test(desk, test_intake_desk_return_visits);
    suite_add_tcase(suite, desk);
    return suite;
}
