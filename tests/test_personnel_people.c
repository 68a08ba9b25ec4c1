// Personnel's people records: contracts and skills on staff records
// (services/personnel/staff.c), carried by the staff events so every
// service's org view has them; rewards and punishments with their public
// notice (sanction.c, notice.c), the only way to promote, demote or
// dismiss. Suite: personnel_people_suite.
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_envelope.h"
#include "cm_store.h"
#include "cm_time.h"
#include "events/safety.h"
#include "suites.h"
#include "test_personnel_stack.h"

// The field of the first error of a problem reply.
static const char *
s_first_error(const json_t *reply)
{
    const json_t *errors =
        json_object_get(json_object_get(reply, "error"), "errors");
    return cm_doc_text(json_array_get(errors, 0), "field");
}

START_TEST(test_personnel_contract_and_skills)
{
    personnel_create_department("people_dept");
    json_t *head = personnel_head();
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:[s,s]}", "name", "Wei",
                  "role", "technician", "department", "people_dept", "contract",
                  "kind", "fixed_term", "start", "2026-01-01", "end",
                  "2027-12-31", "skills", "electrical", "hvac");
    json_t *reply = personnel_call(head, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    const json_t *doc = json_object_get(reply, "body");
    char id[PERSONNEL_TEST_ID_MAX];
    snprintf(id, sizeof id, "%s", cm_doc_text(doc, "id"));
    ck_assert_str_eq(cm_doc_text(json_object_get(doc, "contract"), "end"),
                     "2027-12-31");
    ck_assert_int_eq(json_array_size(json_object_get(doc, "skills")), 2);
    json_decref(reply);
    json_decref(body);
    // PATCH replaces the skills; the event carries them.
    char path[96];
    snprintf(path, sizeof path, "/v1/staff/%s", id);
    body = json_pack("{s:[s]}", "skills", "plumbing");
    reply = personnel_call(head, "PATCH", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    json_decref(body);
    personnel_events_t events = {0};
    personnel_read_events(&events);
    const json_t *data =
        personnel_last_event(&events, "personnel.staff.updated");
    ck_assert_ptr_nonnull(data);
    ck_assert_str_eq(cm_doc_text(data, "id"), id);
    ck_assert_str_eq(
        json_string_value(json_array_get(json_object_get(data, "skills"), 0)),
        "plumbing");
    ck_assert_str_eq(cm_doc_text(json_object_get(data, "contract"), "kind"),
                     "fixed_term");
    personnel_events_clear(&events);
    // A contract ending before it starts, a skill twice: 400 naming them,
    // nothing changed.
    body = json_pack("{s:{s:s, s:s, s:s}}", "contract", "kind", "fixed_term",
                     "start", "2026-06-01", "end", "2026-05-31");
    reply = personnel_call(head, "PATCH", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_first_error(reply), "contract.end");
    json_decref(reply);
    json_decref(body);
    body = json_pack("{s:[s,s]}", "skills", "hvac", "hvac");
    reply = personnel_call(head, "PATCH", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_first_error(reply), "skills[1]");
    json_decref(reply);
    json_decref(body);
    reply = personnel_call(head, "GET", path, NULL, NULL, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(
                         json_object_get(reply, "body"), "skills")),
                     1);
    json_decref(reply);
    json_decref(head);
}
END_TEST

// ---- rewards and punishments

// POST path as actor with body text (NULL: {}); the reply (caller owns).
static json_t *
s_post(const json_t *actor, const char *path, const char *text)
{
    json_t *body = json_loads(text ? text : "{}", 0, NULL);
    ck_assert_ptr_nonnull(body);
    json_t *reply = personnel_call(actor, "POST", path, NULL, body, NULL);
    json_decref(body);
    return reply;
}

// POST path and assert the status; returns the reply's state member into
// state (64 bytes) when not NULL.
static void
s_expect(const json_t *actor, const char *path, const char *text, int status,
         char *state)
{
    json_t *reply = s_post(actor, path, text);
    ck_assert_msg(harness_mdp_status(reply) == status, "%s: %d, not %d (%s)",
                  path, harness_mdp_status(reply), status,
                  harness_mdp_error_code(reply));
    if (state) {
        snprintf(state, 64, "%s", harness_mdp_body_string(reply, "state"));
    }
    json_decref(reply);
}

// The action path of sanction id into path (128 bytes).
static const char *
s_action(char *path, const char *id, const char *action)
{
    snprintf(path, 128, "/v1/sanctions/%s/%s", id, action);
    return path;
}

// Propose a sanction as actor (body text); its id into id.
static void
s_propose(const json_t *actor, const char *text, char *id)
{
    json_t *reply = s_post(actor, "/v1/sanctions", text);
    ck_assert_msg(harness_mdp_status(reply) == 201, "propose: %d (%s)",
                  harness_mdp_status(reply), harness_mdp_error_code(reply));
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "draft");
    snprintf(id, PERSONNEL_TEST_ID_MAX, "%s",
             harness_mdp_body_string(reply, "id"));
    json_decref(reply);
}

// A department with a head (dept_head) and a deputy overseeing it; ids
// into head_id and deputy_id.
static void
s_department(const char *code, char *head_id, char *deputy_id)
{
    personnel_create_department(code);
    personnel_create_staff("Head", "dept_head", code, head_id);
    personnel_create_staff("Deputy", "deputy_head", "management", deputy_id);
    char body[160];
    snprintf(body, sizeof body, "{\"head\":\"%s\",\"deputy\":\"%s\"}", head_id,
             deputy_id);
    ck_assert_int_eq(personnel_patch_department(code, body), 200);
}

// The staff member id's member (64 bytes) as the station head reads it.
static void
s_staff_member(const char *id, const char *member, char *out)
{
    json_t *head = personnel_head();
    char path[96];
    snprintf(path, sizeof path, "/v1/staff/%s", id);
    json_t *reply = personnel_call(head, "GET", path, NULL, NULL, NULL);
    snprintf(out, 64, "%s", harness_mdp_body_string(reply, member));
    json_decref(reply);
    json_decref(head);
}

START_TEST(test_personnel_fine_published_with_response)
{
    char head_id[PERSONNEL_TEST_ID_MAX], deputy_id[PERSONNEL_TEST_ID_MAX];
    char worker_id[PERSONNEL_TEST_ID_MAX], other_id[PERSONNEL_TEST_ID_MAX];
    s_department("fine_dept", head_id, deputy_id);
    personnel_create_staff("Worker", "technician", "fine_dept", worker_id);
    personnel_create_staff("Other", "cs_agent", "management", other_id);
    json_t *head = harness_mdp_actor(head_id, "dept_head", "fine_dept");
    json_t *worker = harness_mdp_actor(worker_id, "technician", "fine_dept");
    json_t *other = harness_mdp_actor(other_id, "cs_agent", "management");
    json_t *top = personnel_head();
    char body[512], id[PERSONNEL_TEST_ID_MAX], path[128], state[64];
    // Wrong role 403, missing reason 400.
    snprintf(body, sizeof body,
             "{\"staff\":\"%s\",\"kind\":\"fine\",\"amount\":20000,"
             "\"reason\":\"late three times\",\"evidence\":[\"roster "
             "2026-03\"]}",
             worker_id);
    s_expect(other, "/v1/sanctions", body, 403, NULL);
    s_expect(worker, "/v1/sanctions", body, 403, NULL); // not for oneself...
    char missing[160];
    snprintf(missing, sizeof missing,
             "{\"staff\":\"%s\",\"kind\":\"fine\",\"amount\":1}", worker_id);
    json_t *reply = s_post(head, "/v1/sanctions", missing);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_first_error(reply), "reason");
    json_decref(reply);
    // The department head proposes; the person responds before the
    // decision; the station head approves and publishes.
    s_propose(head, body, id);
    s_expect(head, s_action(path, id, "respond"), "{\"response\":\"x\"}", 403,
             NULL);
    s_expect(worker, s_action(path, id, "respond"),
             "{\"response\":\"The bus broke down twice.\"}", 200, state);
    s_expect(worker, s_action(path, id, "submit"), NULL, 403, NULL);
    s_expect(head, s_action(path, id, "submit"), NULL, 200, state);
    ck_assert_str_eq(state, "pending");
    s_expect(head, s_action(path, id, "approve"), NULL, 403, NULL);
    s_expect(head, s_action(path, id, "publish"), NULL, 409, NULL);
    s_expect(top, s_action(path, id, "approve"), NULL, 200, state);
    ck_assert_str_eq(state, "approved");
    s_expect(worker, s_action(path, id, "respond"), "{\"response\":\"late\"}",
             409, NULL);
    s_expect(head, s_action(path, id, "publish"), NULL, 403, NULL);
    reply = s_post(top, s_action(path, id, "publish"), NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "published");
    char notice[96];
    snprintf(notice, sizeof notice, "/v1/notices/%s",
             harness_mdp_body_string(reply, "notice"));
    json_decref(reply);
    s_expect(top, s_action(path, id, "publish"), NULL, 409, NULL);
    // The notice: readable by anyone, with the response on record.
    reply = personnel_call(other, "GET", notice, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    const json_t *doc = json_object_get(reply, "body");
    ck_assert_str_eq(cm_doc_text(doc, "kind"), "fine");
    ck_assert_str_eq(cm_doc_text(doc, "category"), "punishment");
    ck_assert_int_eq(cm_doc_integer(doc, "amount"), 20000);
    ck_assert_str_eq(cm_doc_text(json_object_get(doc, "response"), "text"),
                     "The bus broke down twice.");
    json_decref(reply);
    reply = personnel_call(other, "GET", "/v1/notices", NULL, NULL, NULL);
    ck_assert_int_ge(json_array_size(json_object_get(
                         json_object_get(reply, "body"), "items")),
                     1);
    json_decref(reply);
    // Finance's posting reads kind, amount and staff of the event.
    personnel_events_t events = {0};
    personnel_read_events(&events);
    const json_t *data =
        personnel_last_event(&events, "personnel.sanction.published");
    ck_assert_ptr_nonnull(data);
    ck_assert_str_eq(cm_doc_text(data, "kind"), "fine");
    ck_assert_str_eq(cm_doc_text(data, "staff"), worker_id);
    ck_assert_int_eq(cm_doc_integer(data, "amount"), 20000);
    personnel_events_clear(&events);
    json_decref(top);
    json_decref(other);
    json_decref(worker);
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_dismissal_only_through_sanction)
{
    char head_id[PERSONNEL_TEST_ID_MAX], deputy_id[PERSONNEL_TEST_ID_MAX];
    char worker_id[PERSONNEL_TEST_ID_MAX], leaver_id[PERSONNEL_TEST_ID_MAX];
    s_department("dis_dept", head_id, deputy_id);
    personnel_create_staff("Worker", "technician", "dis_dept", worker_id);
    personnel_create_staff("Leaver", "technician", "dis_dept", leaver_id);
    json_t *deputy = harness_mdp_actor(deputy_id, "deputy_head", "management");
    json_t *top = personnel_head();
    char path[128], body[256], id[PERSONNEL_TEST_ID_MAX], text[64];
    // The deputy cannot dismiss or demote directly.
    snprintf(path, sizeof path, "/v1/staff/%s/leave", worker_id);
    json_t *reply = s_post(deputy, path, "{\"reason\":\"out\"}");
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_first_error(reply), "kind");
    json_decref(reply);
    s_expect(deputy, path, "{\"kind\":\"dismissal\",\"reason\":\"out\"}", 400,
             NULL);
    snprintf(path, sizeof path, "/v1/staff/%s/change-role", head_id);
    reply =
        s_post(deputy, path, "{\"role\":\"technician\",\"reason\":\"demote\"}");
    ck_assert_int_eq(harness_mdp_status(reply), 409);
    ck_assert_str_eq(harness_mdp_error_code(reply), "sanction_required");
    json_decref(reply);
    // Same rank: a transfer between roles is still theirs.
    snprintf(path, sizeof path, "/v1/staff/%s/change-role", leaver_id);
    s_expect(deputy, path, "{\"role\":\"logistics\",\"reason\":\"transfer\"}",
             200, NULL);
    // Leaving that is not a punishment, with its kind and reason.
    snprintf(path, sizeof path, "/v1/staff/%s/leave", leaver_id);
    s_expect(deputy, path,
             "{\"kind\":\"resignation\",\"reason\":\"moved away\"}", 200, NULL);
    s_staff_member(worker_id, "status", text);
    ck_assert_str_eq(text, "active");
    // Dismissal: proposed by the deputy, approved by the station head,
    // effective when published.
    snprintf(body, sizeof body,
             "{\"staff\":\"%s\",\"kind\":\"dismissal\","
             "\"reason\":\"repeated safety violations\"}",
             worker_id);
    s_propose(deputy, body, id);
    s_expect(deputy, s_action(path, id, "submit"), NULL, 200, NULL);
    s_expect(top, s_action(path, id, "approve"), NULL, 200, NULL);
    s_staff_member(worker_id, "status", text);
    ck_assert_str_eq(text, "active");
    s_expect(deputy, s_action(path, id, "publish"), NULL, 200, text);
    ck_assert_str_eq(text, "published");
    s_staff_member(worker_id, "status", text);
    ck_assert_str_eq(text, "left");
    personnel_events_t events = {0};
    personnel_read_events(&events);
    const json_t *data = personnel_last_event(&events, "personnel.staff.left");
    ck_assert_str_eq(cm_doc_text(data, "id"), worker_id);
    ck_assert_str_eq(cm_doc_text(data, "sanction"), id);
    personnel_events_clear(&events);
    // The station head's own proposal is their decision: a demotion of the
    // department head, published, clears them from the post.
    snprintf(body, sizeof body,
             "{\"staff\":\"%s\",\"kind\":\"demotion\","
             "\"role\":\"technician\",\"reason\":\"the audit\"}",
             head_id);
    s_propose(top, body, id);
    s_expect(top, s_action(path, id, "submit"), NULL, 200, text);
    ck_assert_str_eq(text, "approved");
    s_expect(top, s_action(path, id, "publish"), NULL, 200, NULL);
    s_staff_member(head_id, "role", text);
    ck_assert_str_eq(text, "technician");
    json_t *query = NULL;
    reply = personnel_call(top, "GET", "/v1/departments/dis_dept", query, NULL,
                           NULL);
    ck_assert(
        json_is_null(json_object_get(json_object_get(reply, "body"), "head")));
    json_decref(reply);
    // A promotion that does not rank above: 422 naming role.
    snprintf(body, sizeof body,
             "{\"staff\":\"%s\",\"kind\":\"promotion\","
             "\"role\":\"cs_agent\",\"reason\":\"good\"}",
             head_id);
    reply = s_post(top, "/v1/sanctions", body);
    ck_assert_int_eq(harness_mdp_status(reply), 422);
    ck_assert_str_eq(s_first_error(reply), "role");
    json_decref(reply);
    json_decref(top);
    json_decref(deputy);
}
END_TEST

// ---- recruitment

// Commit a safety.onboarding event about staff id to safety-audit's outbox,
// as that service would publish it.
static void
s_onboarding(const char *id, bool complete)
{
    cm_store_t *store =
        cm_store_new("127.0.0.1", personnel_stack.redis.port, NULL, 1000);
    ck_assert_ptr_nonnull(store);
    json_t *actor = harness_mdp_actor("safety-audit", "system", "");
    // The onboarding record as safety-audit publishes it (its contract in
    // docs/asyncapi.yaml).
    json_t *sign =
        json_pack("{s:s, s:s, s:s}", "by", "ST-90", "role", "safety_officer",
                  "at", "2027-03-01T08:00:00.000Z");
    json_t *data = json_pack(
        "{s:s, s:s, s:s, s:s, s:n, s:{s:O, s:O, s:O}, s:o, s:b}", "id", id,
        "staff", id, "department", "technical", "state",
        complete ? "complete" : "in_training", "team_lead", "levels", "station",
        sign, "department", complete ? sign : json_null(), "team",
        complete ? sign : json_null(), "missing",
        complete ? json_array() : json_pack("[s, s]", "department", "team"),
        "complete", complete);
    json_object_set_new(data, "version", json_integer(1));
    json_decref(sign);
    char subject[64];
    snprintf(subject, sizeof subject, "onboarding/%s", id);
    cm_envelope_event_t fields = {
        .type = complete ? SAFETY_EVENT_ONBOARDING_COMPLETED
                         : SAFETY_EVENT_ONBOARDING_SIGNED_OFF,
        .source = "safety-audit",
        .subject = subject,
        .version = 1,
        .actor = actor,
        .data = data};
    json_t *event = cm_envelope_event_new(&fields);
    ck_assert_ptr_nonnull(event);
    char *text = cm_envelope_encode(event);
    cm_commit_t *commit = cm_commit_new("safety-audit");
    cm_commit_event(commit, fields.type, text);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    free(text);
    json_decref(event);
    json_decref(data);
    json_decref(actor);
    cm_store_destroy(&store);
}

// Wait until staff id's training_status reads `want`.
static bool
s_wait_training(const char *id, const char *want)
{
    int64_t until = cm_time_mono_ms() + 15000;
    char status[64] = "";
    while (cm_time_mono_ms() < until) {
        s_staff_member(id, "training_status", status);
        if (strcmp(status, want) == 0) {
            return true;
        }
        zmq_poll(NULL, 0, 100); // polling with a timeout
    }
    return false;
}

// Take a candidate through to `offered` as who; its id into id.
static void
s_candidate_offered(const json_t *who, const char *plan, const char *name,
                    const char *interviewer, char *id)
{
    char body[256], path[128], state[64];
    snprintf(body, sizeof body,
             "{\"plan\":\"%s\",\"name\":\"%s\",\"channel\":"
             "\"job_fair\"}",
             plan, name);
    json_t *reply = s_post(who, "/v1/candidates", body);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "applied");
    snprintf(id, PERSONNEL_TEST_ID_MAX, "%s",
             harness_mdp_body_string(reply, "id"));
    json_decref(reply);
    snprintf(path, sizeof path, "/v1/candidates/%s/screen", id);
    s_expect(who, path, "{\"result\":\"pass\",\"notes\":\"fits\"}", 200, state);
    ck_assert_str_eq(state, "screened");
    snprintf(path, sizeof path, "/v1/candidates/%s/interview", id);
    snprintf(body, sizeof body,
             "{\"score\":82,\"interviewer\":\"%s\",\"notes\":\"calm\"}",
             interviewer);
    s_expect(who, path, body, 200, state);
    ck_assert_str_eq(state, "interviewed");
    snprintf(path, sizeof path, "/v1/candidates/%s/test", id);
    s_expect(who, path, "{\"score\":75}", 200, state);
    ck_assert_str_eq(state, "tested");
    snprintf(path, sizeof path, "/v1/candidates/%s/offer", id);
    s_expect(who, path, NULL, 200, state);
    ck_assert_str_eq(state, "offered");
}

START_TEST(test_personnel_plan_to_hire)
{
    char head_id[PERSONNEL_TEST_ID_MAX], deputy_id[PERSONNEL_TEST_ID_MAX];
    char tech_id[PERSONNEL_TEST_ID_MAX];
    s_department("rec_dept", head_id, deputy_id);
    personnel_create_staff("Tech", "technician", "rec_dept", tech_id);
    json_t *head = harness_mdp_actor(head_id, "dept_head", "rec_dept");
    json_t *tech = harness_mdp_actor(tech_id, "technician", "rec_dept");
    json_t *top = personnel_head();
    json_t *reply = s_post(top, "/v1/positions",
                           "{\"title\":\"Fitter\",\"department\":"
                           "\"rec_dept\",\"grade\":2}");
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    char position[PERSONNEL_TEST_ID_MAX];
    snprintf(position, sizeof position, "%s",
             harness_mdp_body_string(reply, "id"));
    json_decref(reply);
    char body[512], plan[PERSONNEL_TEST_ID_MAX], path[128], state[64];
    snprintf(body, sizeof body,
             "{\"position\":\"%s\",\"headcount\":1,\"conditions\":"
             "\"Electrician's certificate\",\"period\":{\"start\":"
             "\"2027-01-01\",\"end\":\"2027-03-31\"},\"budget_line\":"
             "\"BU-1/L3\"}",
             position);
    // Wrong role 403; missing field 400.
    s_expect(tech, "/v1/recruitment-plans", body, 403, NULL);
    reply = s_post(head, "/v1/recruitment-plans", "{\"headcount\":1}");
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    reply = s_post(head, "/v1/recruitment-plans", body);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    snprintf(plan, sizeof plan, "%s", harness_mdp_body_string(reply, "id"));
    json_decref(reply);
    // No candidates before approval.
    snprintf(path, sizeof path,
             "{\"plan\":\"%s\",\"name\":\"Early\",\"channel\":"
             "\"website\"}",
             plan);
    s_expect(head, "/v1/candidates", path, 422, NULL);
    snprintf(path, sizeof path, "/v1/recruitment-plans/%s/submit", plan);
    s_expect(head, path, NULL, 200, state);
    ck_assert_str_eq(state, "pending");
    snprintf(path, sizeof path, "/v1/recruitment-plans/%s/approve", plan);
    s_expect(head, path, NULL, 403, NULL);
    s_expect(top, path, NULL, 200, state);
    ck_assert_str_eq(state, "approved");
    // Screened, interviewed, tested, offered, hired.
    char candidate[PERSONNEL_TEST_ID_MAX];
    s_candidate_offered(head, plan, "Zhang San", head_id, candidate);
    snprintf(path, sizeof path, "/v1/candidates/%s/hire", candidate);
    const char *hire = "{\"role\":\"technician\",\"contract\":{\"kind\":"
                       "\"probation\",\"start\":\"2027-02-01\",\"end\":"
                       "\"2027-04-30\"},\"skills\":[\"electrical\"]}";
    s_expect(tech, path, hire, 404, NULL); // candidates are need-to-know
    reply = s_post(head, path, hire);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "hired");
    char staff[PERSONNEL_TEST_ID_MAX];
    snprintf(staff, sizeof staff, "%s",
             harness_mdp_body_string(reply, "staff"));
    json_decref(reply);
    s_expect(head, path, hire, 409, NULL); // wrong state
    // The staff record: contract dates, untrained, the plan's post.
    snprintf(path, sizeof path, "/v1/staff/%s", staff);
    reply = personnel_call(top, "GET", path, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    const json_t *doc = json_object_get(reply, "body");
    ck_assert_str_eq(cm_doc_text(doc, "name"), "Zhang San");
    ck_assert_str_eq(cm_doc_text(doc, "department"), "rec_dept");
    ck_assert_str_eq(cm_doc_text(doc, "position"), position);
    ck_assert_str_eq(cm_doc_text(doc, "training_status"), "untrained");
    ck_assert_str_eq(cm_doc_text(json_object_get(doc, "contract"), "end"),
                     "2027-04-30");
    json_decref(reply);
    personnel_events_t events = {0};
    personnel_read_events(&events);
    const json_t *data =
        personnel_last_event(&events, "personnel.staff.created");
    ck_assert_str_eq(cm_doc_text(data, "id"), staff);
    ck_assert_str_eq(cm_doc_text(data, "training_status"), "untrained");
    personnel_events_clear(&events);
    // safety-audit's onboarding, once complete, marks the person trained.
    s_onboarding(staff, true);
    ck_assert(s_wait_training(staff, "trained"));
    // The headcount is reached: a second hire is refused.
    s_candidate_offered(head, plan, "Li Si", head_id, candidate);
    snprintf(path, sizeof path, "/v1/candidates/%s/hire", candidate);
    reply = s_post(head, path, hire);
    ck_assert_int_eq(harness_mdp_status(reply), 409);
    ck_assert_str_eq(harness_mdp_error_code(reply), "plan_filled");
    json_decref(reply);
    snprintf(path, sizeof path, "/v1/candidates/%s/decline", candidate);
    s_expect(head, path, "{\"reason\":\"no post left\"}", 200, state);
    ck_assert_str_eq(state, "declined");
    // A plan with a cost is checked by finance at submit: no finance in
    // this stack, so the outcome is unknown (503) and nothing changes.
    snprintf(body, sizeof body,
             "{\"position\":\"%s\",\"headcount\":2,\"conditions\":"
             "\"Any\",\"period\":{\"start\":\"2027-01-01\",\"end\":"
             "\"2027-03-31\"},\"budget_line\":\"BU-1/L3\","
             "\"budget_amount\":1200000}",
             position);
    reply = s_post(head, "/v1/recruitment-plans", body);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    snprintf(path, sizeof path, "/v1/recruitment-plans/%s/submit",
             harness_mdp_body_string(reply, "id"));
    json_decref(reply);
    reply = s_post(head, path, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 503);
    ck_assert_str_eq(harness_mdp_error_code(reply), "finance_unavailable");
    json_decref(reply);
    json_decref(top);
    json_decref(tech);
    json_decref(head);
}
END_TEST

// ---- training records

// The number of items of GET path as actor.
static size_t
s_count(const json_t *actor, const char *path)
{
    json_t *reply = personnel_call(actor, "GET", path, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    size_t n = json_array_size(
        json_object_get(json_object_get(reply, "body"), "items"));
    json_decref(reply);
    return n;
}

START_TEST(test_personnel_training_records)
{
    char head_id[PERSONNEL_TEST_ID_MAX], deputy_id[PERSONNEL_TEST_ID_MAX];
    char worker_id[PERSONNEL_TEST_ID_MAX], other_id[PERSONNEL_TEST_ID_MAX];
    s_department("trn_dept", head_id, deputy_id);
    personnel_create_staff("Worker", "technician", "trn_dept", worker_id);
    personnel_create_staff("Other", "cs_agent", "management", other_id);
    json_t *head = harness_mdp_actor(head_id, "dept_head", "trn_dept");
    json_t *worker = harness_mdp_actor(worker_id, "technician", "trn_dept");
    json_t *other = harness_mdp_actor(other_id, "cs_agent", "management");
    char body[512], path[128];
    snprintf(body, sizeof body,
             "{\"staff\":\"%s\",\"course\":\"Customer etiquette\","
             "\"kind\":\"business_knowledge\",\"delivery\":\"external\","
             "\"hours\":16,\"result\":\"passed\",\"certificate\":"
             "\"CERT-88\",\"date\":\"2026-05-04\"}",
             worker_id);
    s_expect(worker, "/v1/trainings", body, 403, NULL);
    json_t *reply = s_post(head, "/v1/trainings", "{\"course\":\"x\"}");
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    reply = s_post(head, "/v1/trainings", body);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    char id[PERSONNEL_TEST_ID_MAX];
    snprintf(id, sizeof id, "%s", harness_mdp_body_string(reply, "id"));
    ck_assert_str_eq(harness_mdp_body_string(reply, "department"), "trn_dept");
    json_decref(reply);
    // The person and their managers read it; others do not see it.
    snprintf(path, sizeof path, "/v1/staff/%s/trainings", worker_id);
    ck_assert_int_eq(s_count(worker, path), 1);
    ck_assert_int_eq(s_count(head, path), 1);
    ck_assert_int_eq(s_count(other, path), 0);
    snprintf(path, sizeof path, "/v1/trainings/%s", id);
    reply = personnel_call(other, "GET", path, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 404);
    json_decref(reply);
    reply = personnel_call(worker, "GET", path, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "certificate"), "CERT-88");
    json_decref(reply);
    json_decref(other);
    json_decref(worker);
    json_decref(head);
}
END_TEST

// ---- evaluations

START_TEST(test_personnel_evaluation_multi_rater)
{
    char head_id[PERSONNEL_TEST_ID_MAX], deputy_id[PERSONNEL_TEST_ID_MAX];
    char worker_id[PERSONNEL_TEST_ID_MAX], peer_id[PERSONNEL_TEST_ID_MAX];
    s_department("ev_dept", head_id, deputy_id);
    personnel_create_staff("Worker", "technician", "ev_dept", worker_id);
    personnel_create_staff("Peer", "technician", "ev_dept", peer_id);
    json_t *head = harness_mdp_actor(head_id, "dept_head", "ev_dept");
    json_t *deputy = harness_mdp_actor(deputy_id, "deputy_head", "management");
    json_t *worker = harness_mdp_actor(worker_id, "technician", "ev_dept");
    json_t *peer = harness_mdp_actor(peer_id, "technician", "ev_dept");
#define S_CYCLE_BODY(customer)                                                 \
    "{\"title\":\"Q1\",\"department\":\"ev_dept\",\"period\":"                 \
    "{\"start\":\"2027-01-01\",\"end\":\"2027-03-31\"},"                       \
    "\"indicators\":[{\"name\":\"performance\",\"weight\":60},"                \
    "{\"name\":\"attitude\",\"weight\":40}],\"rater_weights\":"                \
    "{\"supervisor\":50,\"peer\":20,\"self\":10,\"customer\":" customer "}}"
    char body[512], path[128], cycle[PERSONNEL_TEST_ID_MAX], id[64];
    snprintf(body, sizeof body, "%s", S_CYCLE_BODY("30")); // 110: refused
    json_t *reply = s_post(head, "/v1/evaluation-cycles", body);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    snprintf(body, sizeof body, "%s", S_CYCLE_BODY("20"));
    s_expect(worker, "/v1/evaluation-cycles", body, 403, NULL);
    reply = s_post(head, "/v1/evaluation-cycles", body);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    snprintf(cycle, sizeof cycle, "%s", harness_mdp_body_string(reply, "id"));
    json_decref(reply);
    snprintf(body, sizeof body, "{\"cycle\":\"%s\",\"staff\":\"%s\"}", cycle,
             worker_id);
    reply = s_post(head, "/v1/evaluations", body);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    snprintf(id, sizeof id, "%s", harness_mdp_body_string(reply, "id"));
    json_decref(reply);
    // The raters: self, a peer, the supervisor; nobody else as supervisor.
    snprintf(path, sizeof path, "/v1/evaluations/%s/score", id);
    s_expect(worker, path,
             "{\"as\":\"supervisor\",\"scores\":{\"performance\":100,"
             "\"attitude\":100}}",
             403, NULL);
    s_expect(worker, path,
             "{\"as\":\"self\",\"scores\":{\"performance\":90,"
             "\"attitude\":80}}",
             200, NULL);
    s_expect(peer, path,
             "{\"as\":\"peer\",\"scores\":{\"performance\":80,"
             "\"attitude\":80}}",
             200, NULL);
    s_expect(head, path, "{\"as\":\"supervisor\",\"scores\":{\"speed\":1}}",
             400, NULL);
    s_expect(head, path,
             "{\"as\":\"supervisor\",\"scores\":{\"performance\":70,"
             "\"attitude\":60}}",
             200, NULL);
    // No intake in this stack: the customers' score cannot be read.
    snprintf(path, sizeof path, "/v1/evaluations/%s/score-customers", id);
    s_expect(head, path, NULL, 503, NULL);
    // (66*50 + 80*20 + 86*10) / 80 = 72: grade C needs an improvement plan.
    snprintf(path, sizeof path, "/v1/evaluations/%s/finalize", id);
    s_expect(peer, path, "{\"feedback\":\"x\"}", 403, NULL);
    reply = s_post(head, path, "{}");
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_first_error(reply), "feedback");
    json_decref(reply);
    reply = s_post(head, path, "{\"feedback\":\"Reliable, slow on reports\"}");
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_first_error(reply), "improvement_plan");
    json_decref(reply);
    reply = s_post(head, path,
                   "{\"feedback\":\"Reliable, slow on reports\","
                   "\"improvement_plan\":\"Weekly report by Friday\"}");
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    const json_t *doc = json_object_get(reply, "body");
    ck_assert_str_eq(cm_doc_state(doc), "pending");
    ck_assert(json_real_value(json_object_get(doc, "final_score")) == 72.0);
    ck_assert_str_eq(cm_doc_text(doc, "grade"), "C");
    json_decref(reply);
    // The deputy head confirms (the head cannot take both steps).
    snprintf(path, sizeof path, "/v1/evaluations/%s/confirm", id);
    s_expect(head, path, NULL, 403, NULL);
    char state[64];
    s_expect(deputy, path, NULL, 200, state);
    ck_assert_str_eq(state, "final");
    s_expect(worker, path, NULL, 409, NULL);
    json_decref(peer);
    json_decref(worker);
    json_decref(deputy);
    json_decref(head);
}
END_TEST

Suite *
personnel_people_suite(void)
{
    Suite *suite = suite_create("personnel_people");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, personnel_stack_setup,
                                personnel_stack_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_personnel_contract_and_skills);
    tcase_add_test(core, test_personnel_fine_published_with_response);
    tcase_add_test(core, test_personnel_dismissal_only_through_sanction);
    tcase_add_test(core, test_personnel_plan_to_hire);
    tcase_add_test(core, test_personnel_training_records);
    tcase_add_test(core, test_personnel_evaluation_multi_rater);
    suite_add_tcase(suite, core);
    return suite;
}
