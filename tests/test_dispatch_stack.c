#include "test_dispatch_stack.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_outbox.h"
#include "cm_time.h"
#include "events/safety.h"

#define S_CALL_MS 5000
#define S_WORKERS 2

dispatch_stack_t dispatch_stack;

// ---- stack

bool
dispatch_stack_restart(size_t i)
{
    dispatch_stack_t *s = &dispatch_stack;
    if (harness_proc_start(&s->dispatch[i], "dispatch", s->envp) != 0) {
        return false;
    }
    s->starts++;
    return harness_proc_wait_event(&s->broker, "broker.worker.ready",
                                   S_WORKERS * s->starts, HARNESS_WAIT_MS);
}

static bool
s_stack_start(dispatch_stack_t *s, size_t replicas)
{
    memset(s, 0, sizeof *s);
    if (harness_redis_start(&s->redis) != 0) {
        return false;
    }
    int port = harness_free_port();
    snprintf(s->endpoint, sizeof s->endpoint, "tcp://127.0.0.1:%d", port);
    snprintf(s->env[0], DISPATCH_TEST_ENV_MAX, "SM_REDIS__PORT=%d",
             s->redis.port);
    snprintf(s->env[1], DISPATCH_TEST_ENV_MAX, "SM_BROKER__PORT=%d", port);
    snprintf(s->env[2], DISPATCH_TEST_ENV_MAX, "SM_HUB__PUB_PORT=%d",
             harness_free_port());
    snprintf(s->env[3], DISPATCH_TEST_ENV_MAX, "SM_HUB__SUB_PORT=%d",
             harness_free_port());
    snprintf(s->env[4], DISPATCH_TEST_ENV_MAX, "SM_SERVICE__WORKERS=%d",
             S_WORKERS);
    // Attachments under the Redis dir: removed with it.
    int n =
        snprintf(s->env[5], DISPATCH_TEST_ENV_MAX,
                 "SM_DISPATCH__ATTACHMENTS_DIR=%s/attachments", s->redis.dir);
    if (n < 0 || n >= DISPATCH_TEST_ENV_MAX) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        s->envp[i] = s->env[i];
    }
    s->envp[6] = NULL;
    if (harness_proc_start(&s->broker, "broker", s->envp) != 0
        || harness_proc_start(&s->hub, "hub", s->envp) != 0) {
        return false;
    }
    for (size_t i = 0; i < replicas; i++) {
        if (!dispatch_stack_restart(i)) {
            return false;
        }
        s->replicas++;
    }
    s->store = cm_store_new("127.0.0.1", s->redis.port, NULL, 1000);
    return s->store != NULL;
}

void
dispatch_stack_setup(void)
{
    ck_assert_msg(s_stack_start(&dispatch_stack, 1), "stack did not start");
}

void
dispatch_stack_setup_replicas(void)
{
    ck_assert_msg(s_stack_start(&dispatch_stack, DISPATCH_TEST_REPLICAS),
                  "stack did not start");
}

void
dispatch_stack_teardown(void)
{
    dispatch_stack_t *s = &dispatch_stack;
    for (size_t i = 0; i < s->replicas; i++) {
        harness_proc_kill(&s->dispatch[i], SIGTERM, 5000);
        harness_proc_cleanup(&s->dispatch[i]);
    }
    harness_proc_kill(&s->hub, SIGTERM, 2000);
    harness_proc_cleanup(&s->hub);
    harness_proc_kill(&s->broker, SIGTERM, 2000);
    harness_proc_cleanup(&s->broker);
    cm_store_destroy(&s->store);
    harness_redis_stop(&s->redis);
}

// ---- requests

json_t *
dispatch_call_with(json_t *actor, const char *method, const char *path,
                   json_t *body, const dispatch_call_options_t *options)
{
    cm_mdp_client_t *client = cm_mdp_client_new(dispatch_stack.endpoint);
    ck_assert_ptr_nonnull(client);
    cm_envelope_request_t fields = {
        .actor = actor,
        .method = method,
        .path = path,
        .body = body,
        .query = options ? options->query : NULL,
        .if_match = options ? options->if_match : NULL,
        .content_type = options ? options->content_type : NULL,
    };
    json_t *reply = harness_mdp_call(client, "dispatch", &fields, S_CALL_MS);
    cm_mdp_client_destroy(&client);
    json_decref(actor);
    json_decref(body);
    json_decref(options ? options->query : NULL);
    ck_assert_msg(reply != NULL, "no reply to %s %s", method, path);
    return reply;
}

json_t *
dispatch_call(json_t *actor, const char *method, const char *path, json_t *body)
{
    return dispatch_call_with(actor, method, path, body, NULL);
}

// ---- events as other services publish them

void
dispatch_publish_again(const char *producer, const char *type,
                       const char *envelope_text)
{
    cm_commit_t *commit = cm_commit_new(producer);
    cm_commit_event(commit, type, envelope_text);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(dispatch_stack.store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
}

int64_t
dispatch_publish_version(const char *producer, const char *type,
                         const char *subject, int64_t version, json_t *data,
                         char **envelope_text)
{
    json_t *actor = harness_mdp_actor("test", "system", "");
    if (!json_object_get(data, "version")) {
        // The producers' data carries the document's version too.
        json_object_set_new(data, "version", json_integer(version));
    }
    cm_envelope_event_t fields = {.type = type,
                                  .source = producer,
                                  .subject = subject,
                                  .version = version,
                                  .actor = actor,
                                  .data = data};
    json_t *event = cm_envelope_event_new(&fields);
    ck_assert_ptr_nonnull(event);
    int64_t time = 0;
    ck_assert_int_eq(cm_time_parse(cm_envelope_string(event, "time"), &time),
                     0);
    char *text = cm_envelope_encode(event);
    dispatch_publish_again(producer, type, text);
    if (envelope_text) {
        *envelope_text = text;
    } else {
        free(text);
    }
    json_decref(event);
    json_decref(actor);
    json_decref(data);
    return time;
}

int64_t
dispatch_publish(const char *producer, const char *type, const char *subject,
                 json_t *data)
{
    return dispatch_publish_version(producer, type, subject, 1, data, NULL);
}

void
dispatch_staff_untrained(const char *id, const char *role, const char *dept)
{
    char subject[64];
    snprintf(subject, sizeof subject, "staff/%s", id);
    dispatch_publish("personnel", "personnel.staff.created", subject,
                     json_pack("{s:s, s:s, s:s, s:s, s:s, s:n}", "id", id,
                               "name", id, "role", role, "department", dept,
                               "status", "active", "position"));
}

void
dispatch_training(const char *id, const char *dept, bool complete)
{
    char subject[64];
    snprintf(subject, sizeof subject, "onboarding/%s", id);
    json_t *sign =
        json_pack("{s:s, s:s, s:s}", "by", "ST-90", "role", "safety_officer",
                  "at", "2027-03-01T08:00:00.000Z");
    json_t *levels = json_pack("{s:O, s:O, s:O}", "station", sign, "department",
                               complete ? sign : json_null(), "team",
                               complete ? sign : json_null());
    json_t *missing =
        complete ? json_array() : json_pack("[s, s]", "department", "team");
    dispatch_publish("safety-audit",
                     complete ? SAFETY_EVENT_ONBOARDING_COMPLETED
                              : SAFETY_EVENT_ONBOARDING_SIGNED_OFF,
                     subject,
                     json_pack("{s:s, s:s, s:s, s:s, s:n, s:o, s:o, s:b}", "id",
                               id, "staff", id, "department", dept, "state",
                               complete ? "complete" : "in_training",
                               "team_lead", "levels", levels, "missing",
                               missing, "complete", complete));
    json_decref(sign);
}

void
dispatch_staff(const char *id, const char *role, const char *dept)
{
    dispatch_staff_untrained(id, role, dept);
    dispatch_training(id, dept, true);
}

void
dispatch_department(const char *id, const char *head, const char *deputy)
{
    char subject[64];
    snprintf(subject, sizeof subject, "department/%s", id);
    dispatch_publish("personnel", "personnel.department.created", subject,
                     json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:n}", "id", id,
                               "code", id, "state", "active", "name", id,
                               "head", head, "deputy", deputy, "parent"));
}

bool
dispatch_wait_doc(const char *key)
{
    int64_t until = cm_time_mono_ms() + DISPATCH_TEST_WAIT_MS;
    while (cm_time_mono_ms() < until) {
        cm_doc_t doc;
        int rc = cm_store_get(dispatch_stack.store, key, &doc);
        cm_doc_clear(&doc);
        if (rc == 0) {
            return true;
        }
        zmq_poll(NULL, 0, 20); // polling with a timeout, not a sync sleep
    }
    return false;
}

void
dispatch_seed_org(void)
{
    dispatch_staff("ST-1", "station_head", "management");
    dispatch_staff("ST-20", "deputy_head", "management");
    dispatch_staff("ST-2", "dept_head", "customer_service");
    dispatch_staff("ST-3", "dept_head", "technical");
    dispatch_staff("ST-9", "dept_head", "logistics");
    dispatch_staff("ST-5", "technician", "technical");
    dispatch_staff("ST-6", "technician", "technical");
    dispatch_staff("ST-7", "technician", "technical");
    dispatch_department("technical", "ST-3", "ST-20");
    dispatch_department("logistics", "ST-9", "ST-20");
    dispatch_department("customer_service", "ST-2", "ST-20");
    ck_assert(
        dispatch_wait_doc("sm:{dispatch}:org:department:customer_service"));
    ck_assert(dispatch_wait_doc("sm:{dispatch}:org:staff:ST-7"));
    ck_assert(dispatch_wait_doc("sm:{dispatch}:org:training:ST-7"));
}

json_t *
dispatch_case(const char *id, const char *kind, const char *state,
              const char *severity, const char *dept)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:n, s:s, s:s, s:n, s:b}",
                     "id", id, "kind", kind, "state", state, "severity",
                     severity, "department", dept, "assignee", "customer_id",
                     "CU-1", "channel", "phone", "promised_reply_at",
                     "awaiting_customer", 0);
}

int64_t
dispatch_case_event(const char *type, json_t *summary)
{
    char subject[64];
    snprintf(subject, sizeof subject, "case/%s",
             json_string_value(json_object_get(summary, "id")));
    return dispatch_publish("intake", type, subject, summary);
}

json_t *
dispatch_doc(const char *key)
{
    cm_doc_t doc;
    if (cm_store_get(dispatch_stack.store, key, &doc) != 0) {
        return NULL;
    }
    json_t *json = json_loads(doc.json, 0, NULL);
    cm_doc_clear(&doc);
    return json;
}

int64_t
dispatch_doc_version(const char *key)
{
    cm_doc_t doc;
    int64_t version =
        cm_store_get(dispatch_stack.store, key, &doc) == 0 ? doc.version : 0;
    cm_doc_clear(&doc);
    return version;
}

bool
dispatch_wait_case_workorder(const char *case_id, char *out, size_t size)
{
    char key[128];
    snprintf(key, sizeof key, "sm:{dispatch}:idx:wo_source:case:%s", case_id);
    int64_t until = cm_time_mono_ms() + DISPATCH_TEST_WAIT_MS;
    while (cm_time_mono_ms() < until) {
        cm_page_t page;
        if (cm_store_list(dispatch_stack.store, key, NULL, 1, false, &page) == 0
            && page.count) {
            snprintf(out, size, "%s", page.members[0]);
            cm_page_clear(&page);
            return true;
        }
        cm_page_clear(&page);
        zmq_poll(NULL, 0, 20); // polling with a timeout
    }
    return false;
}

// ---- the dispatch outbox

typedef struct {
    json_t *events;   // envelopes of one type, in order
    const char *type; // the type collected
} s_collect_t;

static int
s_collect(const cm_event_t *event, void *arg)
{
    s_collect_t *collect = arg;
    if (strcmp(event->type, collect->type) == 0) {
        json_array_append_new(collect->events,
                              json_loads(event->envelope, 0, NULL));
    }
    return 0;
}

json_t *
dispatch_outbox_events(const char *type)
{
    s_collect_t collect = {json_array(), type};
    int read = cm_outbox_range(cm_store_redis(dispatch_stack.store),
                               "sm:{dispatch}:outbox", "0-0", 10000, s_collect,
                               &collect);
    ck_assert_int_ge(read, 0);
    return collect.events;
}
