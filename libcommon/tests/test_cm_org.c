// cm_org against a private redis-server: which departments a request may
// name (cm_org_department_open: known and not dissolved; personnel has no
// dissolve action yet, the view already honours the state), and the actor
// as the view knows it now, through the per-thread cache and a worker
// batch's shared look.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_org.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_time.h"
#include "suites.h"
#include "test_redis.h"

#define OWNER "orgkit"

static test_redis_t redis_server; // per TCase: unchecked fixture
static cm_store_t *store;         // per test

static void
server_start(void)
{
    ck_assert_int_eq(test_redis_start(&redis_server), 0);
}

static void
server_stop(void)
{
    test_redis_stop(&redis_server);
}

static void
setup(void)
{
    store = test_redis_store(&redis_server);
    ck_assert_ptr_nonnull(store);
}

static void
teardown(void)
{
    cm_store_destroy(&store);
}

// Apply one personnel event (type, data as JSON text) to the view.
static void
s_org_event(const char *type, const char *text)
{
    json_t *data = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(data);
    cm_commit_t *commit = cm_commit_new(OWNER);
    ck_assert_int_eq(cm_org_apply(store, type, data, commit), 0);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(data);
}

START_TEST(test_cm_org_department_open)
{
    ck_assert_int_eq(cm_org_department_open(store, OWNER, "tech"),
                     CM_ENOTFOUND);
    s_org_event("personnel.department.created",
                "{\"code\":\"tech\",\"state\":\"active\"}");
    s_org_event("personnel.department.created",
                "{\"code\":\"old\",\"state\":\"active\"}");
    ck_assert_int_eq(cm_org_department_open(store, OWNER, "tech"), 0);
    ck_assert_int_eq(cm_org_department_open(store, OWNER, "old"), 0);
    s_org_event("personnel.department.updated",
                "{\"code\":\"old\",\"state\":\"dissolved\"}");
    ck_assert_int_eq(cm_org_department_open(store, OWNER, "old"), CM_ENOTFOUND);
    // Not a department code at all.
    ck_assert_int_eq(cm_org_department_open(store, OWNER, ""), CM_ENOTFOUND);
    ck_assert_int_eq(cm_org_department_open(store, OWNER, NULL), CM_ENOTFOUND);
    // Redis gone: unavailable, not unknown.
    test_redis_halt(&redis_server);
    ck_assert_int_eq(cm_org_department_open(store, OWNER, "tech"),
                     CM_EUNAVAILABLE);
    ck_assert_int_eq(test_redis_resume(&redis_server), 0);
}
END_TEST

// The actor as the view knows it, through the per-thread cache: a change of
// the view is seen by the next call; a view rebuilt from nothing (FLUSHALL)
// is never mistaken for the one the cache saw.
static const char *
s_actor_role(const char *id)
{
    static char role[32];
    json_t *actor = json_pack("{s:s, s:s}", "id", id, "role", "token_role");
    json_t *person = cm_org_actor_current(store, OWNER, actor);
    ck_assert_ptr_nonnull(person);
    const char *status = json_string_value(json_object_get(person, "status"));
    snprintf(role, sizeof role, "%s|%s",
             json_string_value(json_object_get(person, "role")),
             status ? status : "-");
    ck_assert(json_is_array(json_object_get(person, "delegations")));
    json_decref(person);
    json_decref(actor);
    return role;
}

START_TEST(test_cm_org_actor_current)
{
    s_org_event("personnel.staff.created",
                "{\"id\":\"ST-9\",\"role\":\"cs_agent\","
                "\"department\":\"desk\",\"status\":\"active\"}");
    ck_assert_str_eq(s_actor_role("ST-9"), "cs_agent|active");
    ck_assert_str_eq(s_actor_role("ST-9"), "cs_agent|active"); // cached
    s_org_event("personnel.staff.updated",
                "{\"id\":\"ST-9\",\"role\":\"dept_head\","
                "\"department\":\"desk\",\"status\":\"suspended\"}");
    ck_assert_str_eq(s_actor_role("ST-9"), "dept_head|inactive");
    // Unknown to the view: the token's own facts.
    ck_assert_str_eq(s_actor_role("ST-10"), "token_role|-");
    // The view rebuilt from nothing with other facts: not the cached ones.
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "FLUSHALL", NULL);
    freeReplyObject(reply);
    s_org_event("personnel.staff.created",
                "{\"id\":\"ST-9\",\"role\":\"technician\","
                "\"department\":\"desk\",\"status\":\"active\"}");
    ck_assert_str_eq(s_actor_role("ST-9"), "technician|active");
}
END_TEST

// cm_org_refresh_actor on a request by ST-9 with method; the status the
// refresh leaves (200 when it let the request through).
static int
s_refresh(const char *method)
{
    json_t *actor = json_pack("{s:s, s:s}", "id", "ST-9", "role", "cs_agent");
    cm_envelope_request_t fields = {
        .type = "t",
        .source = "test",
        .deadline_ms = cm_time_now_ms() + 1000,
        .actor = actor,
        .method = method,
        .path = "/v1/things/a",
    };
    json_t *request = cm_envelope_request_new(&fields);
    json_decref(actor);
    ck_assert_ptr_nonnull(request);
    cm_ctx_t *ctx = cm_ctx_new(OWNER, &request, store, NULL);
    int status = cm_org_refresh_actor(ctx) == 0 ? 200 : cm_ctx_status(ctx);
    cm_ctx_destroy(&ctx);
    return status;
}

// Reads of one batch share one look at the view; a write looks at its own
// moment, and the reads after it look again; outside a batch every request
// looks.
START_TEST(test_cm_org_batch_shares_one_look)
{
    s_org_event("personnel.staff.created",
                "{\"id\":\"ST-9\",\"role\":\"cs_agent\","
                "\"department\":\"desk\",\"status\":\"active\"}");
    cm_org_batch_begin();
    ck_assert_int_eq(s_refresh("GET"), 200);
    s_org_event("personnel.staff.updated",
                "{\"id\":\"ST-9\",\"role\":\"cs_agent\","
                "\"department\":\"desk\",\"status\":\"suspended\"}");
    ck_assert_int_eq(s_refresh("GET"), 200);  // the batch's look
    ck_assert_int_eq(s_refresh("POST"), 403); // its own look
    ck_assert_int_eq(s_refresh("HEAD"), 403); // after a write: looks again
    cm_org_batch_end();
    s_org_event("personnel.staff.updated",
                "{\"id\":\"ST-9\",\"role\":\"cs_agent\","
                "\"department\":\"desk\",\"status\":\"active\"}");
    ck_assert_int_eq(s_refresh("GET"), 200);
    s_org_event("personnel.staff.updated",
                "{\"id\":\"ST-9\",\"role\":\"cs_agent\","
                "\"department\":\"desk\",\"status\":\"suspended\"}");
    ck_assert_int_eq(s_refresh("GET"), 403); // no batch: every read looks
}
END_TEST

START_TEST(test_cm_org_heads_oversees)
{
    json_t *actor = json_pack("{s:s, s:[s], s:[s, s]}", "id", "ST-3", "heads",
                              "desk", "oversees", "tech", "finance");
    ck_assert(cm_org_heads(actor, "desk"));
    ck_assert(!cm_org_heads(actor, "tech"));
    ck_assert(cm_org_oversees(actor, "finance"));
    ck_assert(!cm_org_oversees(actor, "desk"));
    ck_assert(!cm_org_heads(actor, NULL));
    ck_assert(!cm_org_oversees(NULL, "tech"));
    json_decref(actor);
}
END_TEST

// The keepers of a department's work: the station head, its members of the
// role, its head; nobody else.
START_TEST(test_cm_org_keeps)
{
    const struct {
        const char *role, *department, *heads;
        bool keeps;
    } cases[] = {
        {"station_head", "management", "", true},
        {"finance", "finance", "", true},
        {"finance", "tech", "", false},
        {"technician", "finance", "", false},
        {"dept_head", "finance", "finance", true},
        {"dept_head", "tech", "tech", false},
        {"deputy_head", "management", "", false},
        {NULL, "finance", "", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *actor =
            json_pack("{s:s, s:s, s:[s]}", "id", "ST-4", "department",
                      cases[i].department, "heads", cases[i].heads);
        if (cases[i].role) {
            json_object_set_new(actor, "role", json_string(cases[i].role));
        }
        ck_assert_msg(cm_org_keeps(actor, "finance", "finance")
                          == cases[i].keeps,
                      "case %zu", i);
        json_decref(actor);
    }
}
END_TEST

Suite *
cm_org_suite(void)
{
    Suite *s = suite_create("cm_org");
    TCase *tc = tcase_create("departments");
    tcase_add_unchecked_fixture(tc, server_start, server_stop);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_cm_org_heads_oversees);
    tcase_add_test(tc, test_cm_org_keeps);
    tcase_add_test(tc, test_cm_org_actor_current);
    tcase_add_test(tc, test_cm_org_batch_shares_one_look);
    tcase_add_test(tc, test_cm_org_department_open); // last: stops Redis
    suite_add_tcase(s, tc);
    return s;
}
