// Integration tests of intake's reactions to events and of crash safety:
// an external call.received delivered twice records one case; dispatch's
// SLA breach marks the case overdue and a work-order assignment sets the
// assignee; kill -9 of intake during a burst of creates, clients retrying
// with their Idempotency-Key, leaves every case exactly once.
// Suite: intake_events_suite.
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_time.h"
#include "suites.h"
#include "test_intake_stack.h"

#define S_WAIT_MS    15000
#define S_BURST      200
#define S_KILL_AFTER 60 // replies received before kill -9
#define S_BURST_MS   60000

static json_t *s_agent; // cs_agent

static void
s_setup(void)
{
    intake_stack_setup();
    s_agent = harness_mdp_actor("ST-2", "cs_agent", "customer_service");
}

static void
s_teardown(void)
{
    json_decref(s_agent);
    s_agent = NULL;
    intake_stack_teardown();
}

// Append an event envelope to producer's outbox the way the gateway does
// (cm_commit_event; the dedupe marker of the gateway is left out so the
// consumer's own dedupe is what is tested).
static void
s_publish(const char *producer, const json_t *envelope)
{
    char *text = cm_envelope_encode(envelope);
    ck_assert_ptr_nonnull(text);
    cm_commit_t *commit = cm_commit_new(producer);
    cm_commit_event(commit,
                    json_string_value(json_object_get(envelope, "type")), text);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(intake_stack.store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    free(text);
}

// s_publish, then release the envelope.
static void
s_publish_new(const char *producer, json_t *envelope)
{
    s_publish(producer, envelope);
    json_decref(envelope);
}

static json_t *
s_event(const char *type, const char *source, const char *subject, json_t *data)
{
    json_t *actor = json_pack("{s:s, s:s}", "id", source, "role", "system");
    cm_envelope_event_t fields = {
        .type = type,
        .source = source,
        .subject = subject,
        .version = 1,
        .actor = actor,
        .data = data,
    };
    json_t *event = cm_envelope_event_new(&fields);
    ck_assert_ptr_nonnull(event);
    json_decref(data);
    json_decref(actor);
    return event;
}

// The data of dispatch.workorder.assigned for a work order of case CS-1, as
// dispatch writes it (docs/asyncapi.yaml, DispatchWorkOrderData).
static json_t *
s_workorder(const char *id, const char *assignee, const char *origin)
{
    json_t *data = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:n, s:i, s:s, s:s,"
        " s:i}",
        "id", id, "state", "assigned", "title", "tech_support CS-1",
        "department", "technical", "source", "type", "case", "id", "CS-1",
        "priority", "normal", "origin", origin, "assignee", assignee,
        "previous_assignee", "escalation_level", 0, "created_at",
        "2026-01-01T00:00:00.000Z", "updated_at", "2026-01-01T00:00:00.000Z",
        "version", 2);
    ck_assert_ptr_nonnull(data);
    return data;
}

static int
s_case_count(void)
{
    char *text = intake_redis("ZCARD", "sm:{intake}:idx:cases", NULL);
    int count = text ? atoi(text) : -1;
    free(text);
    return count;
}

START_TEST(test_intake_events_call_received_twice_one_case)
{
    json_t *call =
        s_event("call.received", "pbx", "call/77",
                json_pack("{s:s, s:s, s:s}", "phone", "+86 10 5555 0101",
                          "name", "Zhao", "summary", "No hot water"));
    s_publish("ingest", call);
    s_publish("ingest", call); // redelivered: same envelope id
    json_t *other = s_event("alarm.raised", "bms", "alarm/1",
                            json_pack("{s:s}", "zone", "B2"));
    s_publish("ingest", other);
    json_t *mail = s_event(
        "email.received", "mailgw", "mail/9",
        json_pack("{s:s, s:s}", "from", "z@example.com", "subject", "Invoice"));
    s_publish("ingest", mail);
    // Events are handled in stream order: once the mail's case exists, the
    // redelivered call has been seen too.
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
    while (s_case_count() < 2 && cm_time_mono_ms() < until) {
        zclock_sleep(50); // polling with a bound
    }
    ck_assert_int_eq(s_case_count(), 2);
    json_t *query = json_pack("{s:s}", "phone", "+861055550101");
    json_t *reply =
        intake_call(s_agent, "GET", "/v1/customers", query, NULL, NULL);
    json_t *items = json_object_get(json_object_get(reply, "body"), "items");
    ck_assert_int_eq(json_array_size(items), 1);
    json_decref(reply);
    json_decref(query);
    json_t *doc = intake_expect(200, s_agent, "GET", "/v1/cases/CS-1", NULL);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "channel")),
                     "phone");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "kind")),
                     "inquiry");
    json_decref(doc);
    json_decref(call);
    json_decref(other);
    json_decref(mail);
}
END_TEST

// Poll the case until member has value (true) or the wait ends.
static bool
s_wait_case(const char *id, const char *member, const char *value)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
    while (cm_time_mono_ms() < until) {
        json_t *doc = intake_expect(200, s_agent, "GET", path, NULL);
        json_t *got = json_object_get(doc, member);
        bool done = value ? json_is_string(got)
                                && strcmp(json_string_value(got), value) == 0
                          : json_is_true(got);
        json_decref(doc);
        if (done) {
            return true;
        }
        zclock_sleep(50); // polling with a bound
    }
    return false;
}

START_TEST(test_intake_events_dispatch_breach_and_assignment)
{
    json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind",
                             "complaint", "channel", "web", "customer", "name",
                             "Q", "email", "q@example.com", "subject", "Rude",
                             "description", "Staff was rude");
    json_decref(intake_expect(201, s_agent, "POST", "/v1/cases", body));
    json_decref(body);
    s_publish_new(
        "dispatch",
        s_event("dispatch.sla.breached", "dispatch", "case/CS-1",
                json_pack("{s:s, s:n, s:s, s:i, s:s, s:s}", "case_id", "CS-1",
                          "workorder_id", "target", "first_response", "level",
                          1, "escalated_to", "ST-3", "deadline",
                          "2026-01-01T00:00:00.000Z")));
    ck_assert_msg(s_wait_case("CS-1", "overdue", NULL), "not overdue");
    json_t *query = json_pack("{s:s}", "overdue", "true");
    json_t *reply = intake_call(s_agent, "GET", "/v1/cases", query, NULL, NULL);
    json_t *items = json_object_get(json_object_get(reply, "body"), "items");
    ck_assert_int_eq(json_array_size(items), 1);
    json_decref(reply);
    json_decref(query);
    // A work order someone opened for the case does not move the case.
    s_publish_new("dispatch", s_event("dispatch.workorder.assigned", "dispatch",
                                      "workorder/WO-2",
                                      s_workorder("WO-2", "ST-31", "request")));
    s_publish_new("dispatch", s_event("dispatch.workorder.assigned", "dispatch",
                                      "workorder/WO-1",
                                      s_workorder("WO-1", "ST-7", "event")));
    ck_assert_msg(s_wait_case("CS-1", "assignee", "ST-7"), "not assigned");
    json_t *doc = intake_expect(200, s_agent, "GET", "/v1/cases/CS-1", NULL);
    json_t *history = json_object_get(doc, "history");
    ck_assert_int_eq(json_array_size(history), 3);
    ck_assert_str_eq(json_string_value(
                         json_object_get(json_array_get(history, 1), "action")),
                     "escalated");
    json_decref(doc);
}
END_TEST

// A forwarded complaint is answered by the department's head or by the
// assignee of the case's work order (dispatch.workorder.assigned), not by
// anyone else in the department.
START_TEST(test_intake_events_assignee_proposes)
{
    json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind",
                             "complaint", "channel", "web", "customer", "name",
                             "Q", "email", "q@example.com", "subject", "Late",
                             "description", "Late twice");
    json_decref(intake_expect(201, s_agent, "POST", "/v1/cases", body));
    json_decref(body);
    char reply_by[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + 3600LL * 1000, reply_by);
    json_decref(
        intake_act(s_agent, "CS-1", "triage",
                   json_pack("{s:s, s:s, s:s}", "nature", "service", "severity",
                             "low", "calming_note", "sorry"),
                   200));
    json_decref(intake_act(s_agent, "CS-1", "forward",
                           json_pack("{s:s, s:s}", "department", "technical",
                                     "reply_by", reply_by),
                           200));
    json_t *tech = harness_mdp_actor("ST-7", "technician", "technical");
    json_t *other = harness_mdp_actor("ST-8", "technician", "technical");
    json_decref(intake_act(tech, "CS-1", "propose",
                           json_pack("{s:s}", "solution", "call ahead"), 403));
    s_publish_new("dispatch", s_event("dispatch.workorder.assigned", "dispatch",
                                      "workorder/WO-1",
                                      s_workorder("WO-1", "ST-7", "event")));
    ck_assert_msg(s_wait_case("CS-1", "assignee", "ST-7"), "not assigned");
    json_decref(intake_act(other, "CS-1", "propose",
                           json_pack("{s:s}", "solution", "call ahead"), 403));
    json_decref(intake_act(tech, "CS-1", "propose",
                           json_pack("{s:s}", "solution", "call ahead"), 200));
    json_decref(tech);
    json_decref(other);
}
END_TEST

// An email.received (numbered n) from the same customer with message id
// <m<n>@mail> and the given threading headers (NULL: none).
static void
s_mail(int n, const char *in_reply_to, const char *references)
{
    char subject[32], message_id[32];
    snprintf(subject, sizeof subject, "mail/%d", n);
    snprintf(message_id, sizeof message_id, "<m%d@mail>", n);
    json_t *data =
        json_pack("{s:s, s:s, s:s, s:s}", "from", "w@example.com", "subject",
                  "Heating", "body", "Still cold", "message_id", message_id);
    if (in_reply_to) {
        json_object_set_new(data, "in_reply_to", json_string(in_reply_to));
    }
    if (references) {
        json_object_set_new(data, "references", json_string(references));
    }
    s_publish_new("ingest", s_event("email.received", "mailgw", subject, data));
}

// The number of history entries of case id with action.
static int
s_history_count(const char *id, const char *action)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s/history", id);
    json_t *page = intake_expect(200, s_agent, "GET", path, NULL);
    int count = 0;
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(page, "items"), i, entry)
    {
        const char *name = json_string_value(json_object_get(entry, "action"));
        count += name && strcmp(name, action) == 0;
    }
    json_decref(page);
    return count;
}

static bool
s_wait_count(int (*count)(const char *, const char *), const char *id,
             const char *action, int want)
{
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
    while (count(id, action) < want && cm_time_mono_ms() < until) {
        zclock_sleep(50); // polling with a bound
    }
    return count(id, action) >= want;
}

// Emails answering a case's emails join it (reopening it within the
// window); an answer to nothing known records a new case.
START_TEST(test_intake_events_email_threads_into_case)
{
    s_mail(1, NULL, NULL);
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
    while (s_case_count() < 1 && cm_time_mono_ms() < until) {
        zclock_sleep(50); // polling with a bound
    }
    ck_assert_int_eq(s_case_count(), 1);
    s_mail(2, "<m1@mail>", NULL);
    ck_assert(s_wait_count(s_history_count, "CS-1", "customer_reply", 1));
    ck_assert_int_eq(s_case_count(), 1);
    // Closed, then answered again through the references: reopened.
    json_decref(intake_act(s_agent, "CS-1", "answer",
                           json_pack("{s:s}", "answer", "Fixed"), 200));
    json_decref(intake_act(s_agent, "CS-1", "confirm",
                           json_pack("{s:b, s:i}", "satisfied", 1, "score", 5),
                           200));
    s_mail(3, NULL, "<m0@elsewhere> <m2@mail>");
    ck_assert(s_wait_count(s_history_count, "CS-1", "customer_reply", 2));
    ck_assert(s_wait_case("CS-1", "state", "recorded"));
    ck_assert_int_eq(s_history_count("CS-1", "reopen"), 1);
    ck_assert_int_eq(s_case_count(), 1);
    // Answering an unknown message: a new case.
    s_mail(4, "<unknown@mail>", NULL);
    until = cm_time_mono_ms() + S_WAIT_MS;
    while (s_case_count() < 2 && cm_time_mono_ms() < until) {
        zclock_sleep(50); // polling with a bound
    }
    ck_assert_int_eq(s_case_count(), 2);
}
END_TEST

// One create request for burst item i with its Idempotency-Key. Caller
// owns the text.
static char *
s_burst_request(int i, char *id, size_t size)
{
    char key[32];
    char subject[32];
    char phone[32];
    snprintf(key, sizeof key, "burst-%d", i);
    snprintf(subject, sizeof subject, "burst %d", i);
    snprintf(phone, sizeof phone, "+86 139 7000 %04d", i);
    json_t *body =
        json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind", "inquiry",
                  "channel", "api", "customer", "name", "B", "phone", phone,
                  "subject", subject, "description", "burst");
    cm_envelope_request_t fields = {
        .type = "intake.test",
        .source = "test",
        .deadline_ms = cm_time_now_ms() + 2000,
        .idempotency_key = key,
        .actor = s_agent,
        .method = "POST",
        .path = "/v1/cases",
        .body = body,
    };
    json_t *request = cm_envelope_request_new(&fields);
    snprintf(id, size, "%s", json_string_value(json_object_get(request, "id")));
    char *text = cm_envelope_encode(request);
    json_decref(request);
    json_decref(body);
    return text;
}

typedef struct {
    char request_id[S_BURST][40]; // id of the attempt in flight
    char case_id[S_BURST][32];    // "" until a 201 arrived
    int done;                     // items with a 201
    int replies;                  // replies of any kind
} s_burst_t;

// Send every item that has no case yet; returns how many were sent.
static int
s_burst_send(cm_mdp_client_t *client, s_burst_t *burst)
{
    int sent = 0;
    for (int i = 0; i < S_BURST; i++) {
        if (burst->case_id[i][0]) {
            continue;
        }
        char *text = s_burst_request(i, burst->request_id[i],
                                     sizeof burst->request_id[i]);
        sent += cm_mdp_client_send(client, "intake", text) == 0;
        free(text);
    }
    return sent;
}

static void
s_burst_take(s_burst_t *burst, const char *reply)
{
    json_t *envelope = json_loads(reply, 0, NULL);
    const char *to =
        json_string_value(json_object_get(envelope, "correlation_id"));
    for (int i = 0; to && i < S_BURST; i++) {
        if (strcmp(burst->request_id[i], to) == 0 && !burst->case_id[i][0]
            && harness_mdp_status(envelope) == 201) {
            snprintf(burst->case_id[i], sizeof burst->case_id[i], "%s",
                     harness_mdp_body_string(envelope, "id"));
            burst->done++;
        }
    }
    burst->replies++;
    json_decref(envelope);
}

// Collect replies for up to wait_ms (or until every item is done).
static void
s_burst_collect(cm_mdp_client_t *client, s_burst_t *burst, int wait_ms,
                int stop_after)
{
    int64_t until = cm_time_mono_ms() + wait_ms;
    while (burst->done < S_BURST && cm_time_mono_ms() < until
           && (stop_after < 0 || burst->replies < stop_after)) {
        char *reply = cm_mdp_client_recv(client, 200, NULL);
        if (reply) {
            s_burst_take(burst, reply);
        }
        free(reply);
    }
}

START_TEST(test_intake_events_kill9_during_burst)
{
    cm_mdp_client_t *client = cm_mdp_client_new(intake_stack.endpoint);
    // Warm the connection: a first read proves the client is connected.
    json_decref(intake_expect(200, s_agent, "GET", "/v1/cases", NULL));
    static s_burst_t burst;
    memset(&burst, 0, sizeof burst);
    while (s_burst_send(client, &burst) == 0) {
        zclock_sleep(5); // until the new DEALER is connected
    }
    s_burst_collect(client, &burst, S_BURST_MS, S_KILL_AFTER);
    ck_assert_int_eq(harness_proc_kill(&intake_stack.intake, SIGKILL, 1000), 0);
    ck_assert(intake_stack_restart_intake());
    int64_t until = cm_time_mono_ms() + S_BURST_MS;
    while (burst.done < S_BURST && cm_time_mono_ms() < until) {
        s_burst_collect(client, &burst, 3000, -1);
        if (burst.done < S_BURST) {
            s_burst_send(client, &burst); // retry with the same keys
        }
    }
    ck_assert_int_eq(burst.done, S_BURST);
    ck_assert_int_eq(s_case_count(), S_BURST);
    for (int i = 0; i < S_BURST; i++) {
        for (int j = i + 1; j < S_BURST; j++) {
            ck_assert_str_ne(burst.case_id[i], burst.case_id[j]);
        }
    }
    cm_mdp_client_destroy(&client);
}
END_TEST

Suite *
intake_events_suite(void)
{
    Suite *suite = suite_create("intake_events");
    TCase *events = tcase_create("events");
    tcase_add_checked_fixture(events, s_setup, s_teardown);
    tcase_set_timeout(events, 120);
    tcase_add_test(events, test_intake_events_call_received_twice_one_case);
    tcase_add_test(events, test_intake_events_dispatch_breach_and_assignment);
    tcase_add_test(events, test_intake_events_assignee_proposes);
    tcase_add_test(events, test_intake_events_email_threads_into_case);
    tcase_add_test(events, test_intake_events_kill9_during_burst);
    suite_add_tcase(suite, events);
    return suite;
}
