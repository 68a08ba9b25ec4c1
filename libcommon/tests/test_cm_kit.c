// The service kit without a service: a "widgets" document type defined the
// way a domain service defines its nouns (cm_doc, cm_list, cm_action,
// cm_approval, cm_org), driven through cm_service_handle against a private
// redis-server with an org view fed as personnel's events would feed it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_action.h"
#include "cm_approval.h"
#include "cm_envelope.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_redis.h"
#include "cm_service.h"
#include "cm_stream.h"
#include "cm_time.h"
#include "suites.h"
#include "test_redis.h"

#define OWNER "kit"

static test_redis_t redis_server; // per TCase: unchecked fixture
static cm_store_t *store;         // per test
static cm_config_t *config;       // per test
static cm_service_t *service;     // per test
static char matrix_path[64];      // per test: the approval matrix file

// ---- the document type

static json_t *
s_submit(cm_action_t *a)
{
    return cm_approval_submit(a, "claim", cm_doc_text(a->doc, "department"),
                              cm_doc_integer(a->doc, "amount"), NULL, "pending",
                              "approved");
}

static json_t *
s_approve(cm_action_t *a)
{
    return cm_approval_approve(a, "pending", "approved");
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "returned");
}

static json_t *
s_resubmit(cm_action_t *a)
{
    return cm_approval_resubmit(a, cm_doc_integer(a->doc, "amount"), "pending",
                                "approved");
}

static json_t *
s_finish(cm_action_t *a)
{
    cm_doc_set_time(a->doc, "finished_at", a->now_ms);
    cm_action_event(a, "kit.widget.celebrated", json_pack("{s:b}", "ok", 1));
    return NULL;
}

static const cm_field_t s_update_fields[] = {
    {"title", CM_FIELD_STRING, 0, .to = "title"},
    {"urgent", CM_FIELD_BOOLEAN, 0, .to = "urgent"},
    CM_FIELD_END,
};

static const cm_field_t s_work_fields[] = {
    {"text", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .to = "text"},
    {"hours", CM_FIELD_INTEGER, 0, .min = 1, .max = 24},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

#define S_WORKERS "technician dept_head"
#define S_DEPT    CM_WORKFLOW_DEPARTMENT

static const cm_workflow_row_t s_rows[] = {
    {"open draft", "update", S_WORKERS, S_DEPT, NULL, CM_WORKFLOW_STAY,
     "kit.widget.updated", s_update_fields},
    {"open", "work", "technician", S_DEPT, NULL, CM_WORKFLOW_STAY,
     "kit.widget.worked", s_work_fields},
    {"open", "finish", S_WORKERS, S_DEPT, NULL, "done", "kit.widget.finished",
     s_note_only, s_finish},
    {"draft returned", "submit", S_WORKERS, S_DEPT, NULL, CM_WORKFLOW_BY_CODE,
     "kit.widget.submitted", s_note_only, s_submit},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     "kit.widget.approved", cm_approval_approve_fields, s_approve},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     "kit.widget.rejected", cm_approval_reject_fields, s_reject},
    {"returned", "resubmit", S_WORKERS, S_DEPT, NULL, CM_WORKFLOW_BY_CODE,
     "kit.widget.resubmitted", s_note_only, s_resubmit},
};

static const cm_workflow_t s_flow = {
    .name = "widget",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "done approved",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"department"},
    {"state", NULL, "draft open pending approved returned done"},
    {"urgent", NULL, NULL, CM_FILTER_BOOLEAN},
    {NULL},
};

static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    // Need-to-know for the test: "secret" widgets only for their department.
    return !json_is_true(json_object_get(doc, "secret"))
           || strcmp(cm_doc_text(doc, "department"),
                     cm_ctx_actor_department(ctx))
                  == 0;
}

static const cm_doc_type_t s_widget = {
    .owner = OWNER,
    .kind = "widget",
    .what = "widget",
    .id_prefix = "WG",
    .path = "/v1/widgets",
    .filters = s_filters,
    .workflow = &s_flow,
    .may_read = s_may_read,
    .history_keep = 3,
};

static const cm_field_t s_create_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"state", CM_FIELD_ENUM, 0, "draft open"},
    {"amount", CM_FIELD_MONEY, CM_FIELD_ZERO_OK},
    {"urgent", CM_FIELD_BOOLEAN},
    {"secret", CM_FIELD_BOOLEAN},
    CM_FIELD_END,
};

// POST /v1/widgets: the shape of every create.
static void
s_create(cm_ctx_t *ctx)
{
    json_t *problem = NULL;
    const json_t *body = cm_ctx_body(ctx);
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &s_widget, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    const char *state = cm_doc_string(body, "state");
    json_t *doc =
        cm_doc_new(id, state ? state : "open", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_set_new(doc, "requested_by", json_string(cm_ctx_actor_id(ctx)));
    cm_commit_t *commit = cm_commit_new(OWNER);
    ck_assert_int_eq(
        cm_doc_commit(commit, &s_widget, NULL, doc, CM_VERSION_NEW, now), 0);
    ck_assert_int_eq(cm_doc_event(ctx, commit, &s_widget, "kit.widget.created",
                                  doc, 1, NULL),
                     0);
    cm_doc_reply_commit(ctx, commit, &s_widget, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

static void
s_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &s_widget, NULL);
}

static void
s_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &s_widget);
}

static void
s_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &s_widget);
}

static void
s_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &s_widget);
}

static void
s_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &s_widget);
}

static const cm_route_t s_routes[] = {
    {"POST", "/v1/widgets", s_create},
    {"GET", "/v1/widgets", s_list},
    {"GET", "/v1/widgets/{id}", s_get},
    {"PATCH", "/v1/widgets/{id}", s_patch},
    {"GET", "/v1/widgets/{id}/history", s_history},
    {"POST", "/v1/widgets/{id}/{action}", s_act},
    {NULL, NULL, NULL},
};

static const cm_service_def_t s_kit = {
    .name = OWNER,
    .routes = s_routes,
    .org_view = true,
};

// ---- fixtures

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

// Feed one personnel event into the org view, as the consumer would.
static void
s_org_event(const char *type, const char *data_text)
{
    json_t *data = json_loads(data_text, 0, NULL);
    ck_assert_msg(data != NULL, "bad test data %s", data_text);
    cm_commit_t *commit = cm_commit_new(OWNER);
    ck_assert_int_eq(cm_org_apply(store, type, data, commit), 0);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(data);
}

static void
s_staff(const char *id, const char *role, const char *dept, const char *status)
{
    char data[256];
    snprintf(data, sizeof data,
             "{\"id\":\"%s\",\"role\":\"%s\",\"department\":\"%s\","
             "\"status\":\"%s\"}",
             id, role, dept, status);
    s_org_event("personnel.staff.updated", data);
}

static void
s_org_fill(void)
{
    s_staff("ST-1", "station_head", "management", "active");
    s_staff("ST-2", "dept_head", "tech", "active");
    s_staff("ST-3", "technician", "tech", "active");
    s_staff("ST-4", "finance", "finance", "active");
    s_staff("ST-5", "deputy_head", "management", "active");
    s_staff("ST-6", "finance", "finance", "active");
    s_staff("ST-7", "technician", "ops", "active");
    s_org_event("personnel.department.updated",
                "{\"code\":\"tech\",\"head\":\"ST-2\",\"deputy\":\"ST-5\"}");
}

static void
setup(void)
{
    char port[16], error[256];
    snprintf(port, sizeof port, "%d", redis_server.port);
    setenv("SM_REDIS__PORT", port, 1);
    snprintf(matrix_path, sizeof matrix_path, "/tmp/kit-matrix-%d.cfg",
             (int)getpid());
    FILE *file = fopen(matrix_path, "w");
    ck_assert_ptr_nonnull(file);
    fputs("rules\n    rule\n        document = claim\n"
          "        steps = check:dept_head@requester review:finance@finance\n",
          file);
    fclose(file);
    setenv("SM_APPROVALS__FILE", matrix_path, 1);
    char *argv[] = {OWNER, NULL};
    config = cm_config_load(OWNER, NULL, 1, argv, error, sizeof error);
    ck_assert_msg(config != NULL, "%s", error);
    store = cm_store_new_from_config(config);
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "FLUSHALL", NULL);
    ck_assert_ptr_nonnull(reply);
    freeReplyObject(reply);
    service = cm_service_new(&s_kit, config);
    cm_log_set_level(CM_LOG_ERROR); // the pipeline logs every request
    s_org_fill();
}

static void
teardown(void)
{
    cm_service_destroy(&service);
    cm_store_destroy(&store);
    cm_config_destroy(&config);
    unlink(matrix_path);
    unsetenv("SM_REDIS__PORT");
    unsetenv("SM_APPROVALS__FILE");
}

// ---- requests

typedef struct {
    const char *actor;    // staff id; role and department from the table
    const char *if_match; // header value or NULL
    const char *query;    // JSON object text or NULL
} s_opts_t;

static json_t *
s_actor(const char *id)
{
    static const char *const table[][3] = {
        {"ST-1", "station_head", "management"}, {"ST-2", "dept_head", "tech"},
        {"ST-3", "technician", "tech"},         {"ST-4", "finance", "finance"},
        {"ST-5", "deputy_head", "management"},  {"ST-6", "finance", "finance"},
        {"ST-7", "technician", "ops"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(table[i][0], id) == 0) {
            return json_pack("{s:s, s:s, s:s}", "id", id, "role", table[i][1],
                             "department", table[i][2]);
        }
    }
    ck_abort_msg("no test actor %s", id);
    return NULL;
}

static json_t *
s_call_with(const char *method, const char *path, const char *body_text,
            const s_opts_t *opts)
{
    json_t *actor = s_actor(opts->actor ? opts->actor : "ST-1");
    json_t *body = body_text ? json_loads(body_text, 0, NULL) : NULL;
    json_t *query = opts->query ? json_loads(opts->query, 0, NULL) : NULL;
    ck_assert(!body_text || body);
    cm_envelope_request_t fields = {
        .type = "kit.test",
        .source = "test",
        .deadline_ms = cm_time_now_ms() + 5000,
        .actor = actor,
        .method = method,
        .path = path,
        .query = query,
        .body = body,
        .if_match = opts->if_match,
    };
    json_t *request = cm_envelope_request_new(&fields);
    ck_assert_ptr_nonnull(request);
    char *text = cm_envelope_encode(request);
    char *reply_text = cm_service_handle(service, store, text, strlen(text));
    ck_assert_ptr_nonnull(reply_text);
    json_t *reply = cm_envelope_parse(reply_text, strlen(reply_text),
                                      CM_ENVELOPE_REPLY, NULL, 0);
    ck_assert_msg(reply != NULL, "bad reply %s", reply_text);
    free(reply_text);
    free(text);
    json_decref(request);
    json_decref(body);
    json_decref(query);
    json_decref(actor);
    return reply;
}

static json_t *
s_call(const char *actor, const char *method, const char *path,
       const char *body_text)
{
    s_opts_t opts = {.actor = actor};
    return s_call_with(method, path, body_text, &opts);
}

static int
s_status(const json_t *reply)
{
    return cm_envelope_status(reply);
}

static const char *
s_code(const json_t *reply)
{
    return json_string_value(
        json_object_get(cm_envelope_member(reply, "error"), "code"));
}

static const json_t *
s_body(const json_t *reply)
{
    return cm_envelope_member(reply, "body");
}

// The error message for field, or NULL.
static const char *
s_error_for(const json_t *reply, const char *field)
{
    const json_t *errors =
        json_object_get(cm_envelope_member(reply, "error"), "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        if (strcmp(cm_doc_text(e, "field"), field) == 0) {
            return cm_doc_string(e, "message");
        }
    }
    return NULL;
}

static bool
s_has_action(const json_t *doc, const char *action)
{
    const json_t *actions = json_object_get(doc, "actions");
    for (size_t i = 0; i < json_array_size(actions); i++) {
        if (strcmp(json_string_value(json_array_get(actions, i)), action)
            == 0) {
            return true;
        }
    }
    return false;
}

// Create a widget; returns its id (static buffer per call site is fine).
static void
s_make(const char *actor, const char *body, char *id)
{
    json_t *reply = s_call(actor, "POST", "/v1/widgets", body);
    ck_assert_msg(s_status(reply) == 201, "create: %d %s", s_status(reply),
                  s_code(reply));
    snprintf(id, CM_ID_MAX, "%s", cm_doc_text(s_body(reply), "id"));
    json_decref(reply);
}

static int64_t
s_outbox_length(void)
{
    int64_t length = 0;
    ck_assert_int_eq(cm_stream_length(store, "sm:{kit}:outbox", &length), 0);
    return length;
}

// ---- tests

START_TEST(test_cm_kit_create_get_view)
{
    char id[CM_ID_MAX];
    s_make("ST-3", "{\"title\":\"Pump\",\"department\":\"tech\"}", id);
    ck_assert_str_eq(id, "WG-1");
    json_t *reply = s_call("ST-3", "GET", "/v1/widgets/WG-1", NULL);
    ck_assert_int_eq(s_status(reply), 200);
    const json_t *doc = s_body(reply);
    ck_assert_int_eq(cm_doc_integer(doc, "version"), 1);
    ck_assert_str_eq(cm_doc_text(doc, "state"), "open");
    ck_assert(s_has_action(doc, "work"));
    ck_assert(!s_has_action(doc, "approve"));
    ck_assert_str_eq(json_string_value(json_object_get(
                         cm_envelope_member(reply, "headers"), "ETag")),
                     "\"1\"");
    json_decref(reply);
    // Another department's technician sees the widget but may not work it.
    reply = s_call("ST-7", "GET", "/v1/widgets/WG-1", NULL);
    ck_assert(!s_has_action(s_body(reply), "work"));
    json_decref(reply);
    // Need-to-know: a secret widget is 404 outside its department.
    s_make("ST-3", "{\"title\":\"S\",\"department\":\"tech\",\"secret\":true}",
           id);
    reply = s_call("ST-7", "GET", "/v1/widgets/WG-2", NULL);
    ck_assert_int_eq(s_status(reply), 404);
    json_decref(reply);
    reply = s_call("ST-3", "GET", "/v1/widgets/WG-404", NULL);
    ck_assert_int_eq(s_status(reply), 404);
    json_decref(reply);
    reply = s_call("ST-3", "POST", "/v1/widgets",
                   "{\"title\":\"\",\"department\":\"a b\",\"x\":1}");
    ck_assert_int_eq(s_status(reply), 400);
    ck_assert_str_eq(s_error_for(reply, "title"), "is required");
    ck_assert_ptr_nonnull(s_error_for(reply, "department"));
    ck_assert_str_eq(s_error_for(reply, "x"), "is not allowed");
    json_decref(reply);
}
END_TEST

START_TEST(test_cm_kit_action_pipeline)
{
    char id[CM_ID_MAX];
    s_make("ST-3", "{\"title\":\"Pump\",\"department\":\"tech\"}", id);
    int64_t events = s_outbox_length();
    json_t *reply = s_call("ST-3", "POST", "/v1/widgets/WG-1/work",
                           "{\"text\":\"oiled\",\"hours\":2,\"note\":\"n\"}");
    ck_assert_int_eq(s_status(reply), 200);
    const json_t *doc = s_body(reply);
    ck_assert_str_eq(cm_doc_text(doc, "text"), "oiled");
    ck_assert_int_eq(cm_doc_integer(doc, "version"), 2);
    const json_t *last =
        json_array_get(json_object_get(doc, "history"),
                       json_array_size(json_object_get(doc, "history")) - 1);
    ck_assert_str_eq(cm_doc_text(last, "action"), "work");
    ck_assert_str_eq(cm_doc_text(last, "note"), "n");
    ck_assert_int_eq(s_outbox_length(), events + 1);
    json_decref(reply);
    // Wrong role: 403 with what the caller may do.
    reply = s_call("ST-4", "POST", "/v1/widgets/WG-1/work", "{\"text\":\"x\"}");
    ck_assert_int_eq(s_status(reply), 403);
    ck_assert_ptr_nonnull(
        json_object_get(cm_envelope_member(reply, "error"), "allowed_actions"));
    json_decref(reply);
    // Unknown action 404, wrong state 409.
    reply = s_call("ST-3", "POST", "/v1/widgets/WG-1/fly", "{}");
    ck_assert_int_eq(s_status(reply), 404);
    json_decref(reply);
    reply = s_call("ST-3", "POST", "/v1/widgets/WG-1/approve", "{}");
    ck_assert_int_eq(s_status(reply), 409);
    ck_assert_str_eq(s_code(reply), "invalid_transition");
    json_decref(reply);
    // Every bad field named; nothing written.
    char *long_text = malloc(CM_FIELD_TEXT_MAX + 2);
    memset(long_text, 'a', CM_FIELD_TEXT_MAX + 1);
    long_text[CM_FIELD_TEXT_MAX + 1] = '\0';
    json_t *body =
        json_pack("{s:s, s:i, s:i}", "text", long_text, "hours", 0, "bogus", 1);
    char *body_text = json_dumps(body, 0);
    reply = s_call("ST-3", "POST", "/v1/widgets/WG-1/work", body_text);
    ck_assert_int_eq(s_status(reply), 400);
    ck_assert_str_eq(s_error_for(reply, "text"),
                     "must be at most 4000 characters");
    ck_assert_ptr_nonnull(s_error_for(reply, "hours"));
    ck_assert_str_eq(s_error_for(reply, "bogus"), "is not allowed");
    json_decref(reply);
    free(body_text);
    json_decref(body);
    free(long_text);
    ck_assert_int_eq(s_outbox_length(), events + 1);
    reply = s_call("ST-3", "POST", "/v1/widgets/WG-1/work", "{}");
    ck_assert_str_eq(s_error_for(reply, "text"), "is required");
    json_decref(reply);
    // An effect with an extra event; the final state allows nothing more.
    reply = s_call("ST-2", "POST", "/v1/widgets/WG-1/finish", NULL);
    ck_assert_int_eq(s_status(reply), 200);
    ck_assert_str_eq(cm_doc_text(s_body(reply), "state"), "done");
    ck_assert_int_eq(json_array_size(json_object_get(s_body(reply), "actions")),
                     0);
    ck_assert_int_eq(s_outbox_length(), events + 3);
    json_decref(reply);
}
END_TEST

START_TEST(test_cm_kit_if_match)
{
    char id[CM_ID_MAX];
    s_make("ST-3", "{\"title\":\"Pump\",\"department\":\"tech\"}", id);
    const char *body = "{\"text\":\"x\"}";
    s_opts_t stale = {.actor = "ST-3", .if_match = "\"9\""};
    json_t *reply = s_call_with("POST", "/v1/widgets/WG-1/work", body, &stale);
    ck_assert_int_eq(s_status(reply), 412);
    json_decref(reply);
    s_opts_t weak = {.actor = "ST-3", .if_match = "W/\"0\""};
    reply =
        s_call_with("PATCH", "/v1/widgets/WG-1", "{\"title\":\"T\"}", &weak);
    ck_assert_int_eq(s_status(reply), 412);
    json_decref(reply);
    s_opts_t bad = {.actor = "ST-3", .if_match = "\"abc\""};
    reply = s_call_with("PATCH", "/v1/widgets/WG-1", "{\"title\":\"T\"}", &bad);
    ck_assert_int_eq(s_status(reply), 400);
    json_decref(reply);
    s_opts_t good = {.actor = "ST-3", .if_match = "\"1\""};
    reply =
        s_call_with("PATCH", "/v1/widgets/WG-1", "{\"title\":\"T\"}", &good);
    ck_assert_int_eq(s_status(reply), 200);
    ck_assert_str_eq(cm_doc_text(s_body(reply), "title"), "T");
    json_decref(reply);
    reply = s_call("ST-3", "PATCH", "/v1/widgets/WG-1", "{}");
    ck_assert_int_eq(s_status(reply), 400);
    json_decref(reply);
    reply = s_call("ST-3", "PATCH", "/v1/widgets/WG-1", "{\"state\":\"done\"}");
    ck_assert_int_eq(s_status(reply), 400);
    ck_assert_str_eq(s_error_for(reply, "state"), "is not allowed");
    json_decref(reply);
}
END_TEST

START_TEST(test_cm_kit_history_pages)
{
    char id[CM_ID_MAX];
    s_make("ST-3", "{\"title\":\"Pump\",\"department\":\"tech\"}", id);
    for (int i = 0; i < 10; i++) {
        char body[64];
        snprintf(body, sizeof body, "{\"text\":\"step %d\"}", i);
        json_t *reply = s_call("ST-3", "POST", "/v1/widgets/WG-1/work", body);
        ck_assert_int_eq(s_status(reply), 200);
        json_decref(reply);
    }
    json_t *reply = s_call("ST-3", "GET", "/v1/widgets/WG-1", NULL);
    const json_t *doc = s_body(reply);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "history")), 3);
    ck_assert_int_eq(cm_doc_integer(doc, "history_count"), 11);
    json_decref(reply);
    size_t seen = 0;
    char cursor[64] = "";
    for (int page = 0; page < 5; page++) {
        char query[128];
        snprintf(query, sizeof query, "{\"limit\":\"4\"%s%s%s}",
                 cursor[0] ? ",\"cursor\":\"" : "", cursor,
                 cursor[0] ? "\"" : "");
        s_opts_t opts = {.actor = "ST-3", .query = query};
        reply = s_call_with("GET", "/v1/widgets/WG-1/history", NULL, &opts);
        ck_assert_int_eq(s_status(reply), 200);
        const json_t *items = json_object_get(s_body(reply), "items");
        if (seen == 0) {
            ck_assert_str_eq(cm_doc_text(json_array_get(items, 0), "action"),
                             "create");
        }
        seen += json_array_size(items);
        const char *next = cm_doc_string(s_body(reply), "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_decref(reply);
        if (!cursor[0]) {
            break;
        }
    }
    ck_assert_uint_eq(seen, 11);
    s_opts_t bad = {.actor = "ST-3", .query = "{\"cursor\":\"nan\"}"};
    reply = s_call_with("GET", "/v1/widgets/WG-1/history", NULL, &bad);
    ck_assert_int_eq(s_status(reply), 400);
    json_decref(reply);
}
END_TEST

START_TEST(test_cm_kit_lists)
{
    char id[CM_ID_MAX];
    s_make("ST-3", "{\"title\":\"A\",\"department\":\"tech\",\"urgent\":true}",
           id);
    s_make("ST-3",
           "{\"title\":\"B\",\"department\":\"tech\",\"state\":"
           "\"draft\"}",
           id);
    s_make("ST-7", "{\"title\":\"C\",\"department\":\"ops\"}", id);
    s_make("ST-7", "{\"title\":\"D\",\"department\":\"ops\",\"secret\":true}",
           id);
    struct {
        const char *query;
        int status;
        size_t count;
    } cases[] = {
        {"{}", 200, 3}, // ST-3 does not see ops' secret widget
        {"{\"department\":\"tech\"}", 200, 2},
        {"{\"state\":\"open\"}", 200, 2},
        {"{\"state\":\"open\",\"department\":\"tech\"}", 200, 1},
        {"{\"urgent\":\"true\"}", 200, 1},
        {"{\"urgent\":\"false\",\"state\":\"open\"}", 200, 1},
        {"{\"state\":\"garbage\"}", 400, 0},
        {"{\"colour\":\"red\"}", 400, 0},
        {"{\"cursor\":\"nan:WG-1\"}", 400, 0},
        {"{\"cursor\":\"inf:WG-1\"}", 400, 0},
        {"{\"limit\":\"0\"}", 400, 0},
        {"{\"limit\":\"2\"}", 200, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s_opts_t opts = {.actor = "ST-3", .query = cases[i].query};
        json_t *reply = s_call_with("GET", "/v1/widgets", NULL, &opts);
        ck_assert_msg(s_status(reply) == cases[i].status, "%s: %d",
                      cases[i].query, s_status(reply));
        if (cases[i].status == 200) {
            size_t n = json_array_size(json_object_get(s_body(reply), "items"));
            ck_assert_msg(n == cases[i].count, "%s: %zu items", cases[i].query,
                          n);
        }
        json_decref(reply);
    }
    // The second page continues the first.
    s_opts_t first = {.actor = "ST-1", .query = "{\"limit\":\"2\"}"};
    json_t *reply = s_call_with("GET", "/v1/widgets", NULL, &first);
    const char *next = cm_doc_string(s_body(reply), "next_cursor");
    ck_assert_ptr_nonnull(next);
    char query[160];
    snprintf(query, sizeof query, "{\"limit\":\"2\",\"cursor\":\"%s\"}", next);
    json_decref(reply);
    s_opts_t second = {.actor = "ST-1", .query = query};
    reply = s_call_with("GET", "/v1/widgets", NULL, &second);
    const json_t *items = json_object_get(s_body(reply), "items");
    // WG-4 is ops' secret: three visible, the last page holds WG-1.
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(cm_doc_text(json_array_get(items, 0), "id"), "WG-1");
    ck_assert_int_eq(cm_doc_integer(json_array_get(items, 0), "version"), 1);
    json_decref(reply);
}
END_TEST

START_TEST(test_cm_kit_inactive_actor_is_refused)
{
    char id[CM_ID_MAX];
    s_make("ST-3", "{\"title\":\"Pump\",\"department\":\"tech\"}", id);
    s_staff("ST-3", "technician", "tech", "suspended");
    json_t *reply =
        s_call("ST-3", "POST", "/v1/widgets/WG-1/work", "{\"text\":\"x\"}");
    ck_assert_int_eq(s_status(reply), 403);
    ck_assert_str_eq(s_code(reply), "account_inactive");
    json_decref(reply);
    // A role changed in the view counts at once, whatever the token says.
    s_staff("ST-3", "logistics", "tech", "active");
    reply = s_call("ST-3", "POST", "/v1/widgets/WG-1/work", "{\"text\":\"x\"}");
    ck_assert_int_eq(s_status(reply), 403);
    ck_assert_str_eq(s_code(reply), "forbidden");
    json_decref(reply);
}
END_TEST

// The approval step of WG-1 that `actor` takes: its status.
static int
s_decide(const char *actor, const char *action, const char *body)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/widgets/WG-1/%s", action);
    json_t *reply = s_call(actor, "POST", path, body);
    int status = s_status(reply);
    json_decref(reply);
    return status;
}

START_TEST(test_cm_kit_approval_chain)
{
    char id[CM_ID_MAX];
    s_make("ST-3",
           "{\"title\":\"Claim\",\"department\":\"tech\",\"state\":\"draft\","
           "\"amount\":5000}",
           id);
    ck_assert_int_eq(s_decide("ST-3", "submit", NULL), 200);
    json_t *reply = s_call("ST-2", "GET", "/v1/widgets/WG-1", NULL);
    ck_assert(s_has_action(s_body(reply), "approve"));
    json_decref(reply);
    reply = s_call("ST-4", "GET", "/v1/widgets/WG-1", NULL);
    ck_assert(!s_has_action(s_body(reply), "approve"));
    json_decref(reply);
    ck_assert_int_eq(s_decide("ST-3", "approve", NULL), 403); // own document
    ck_assert_int_eq(s_decide("ST-4", "approve", NULL), 403); // not the step
    ck_assert_int_eq(s_decide("ST-1", "approve", NULL), 403); // no bypass
    ck_assert_int_eq(s_decide("ST-2", "approve", NULL), 200);
    ck_assert_int_eq(s_decide("ST-2", "approve", NULL), 403); // two steps
    ck_assert_int_eq(s_decide("ST-4", "reject", "{}"), 400);  // no reason
    ck_assert_int_eq(
        s_decide("ST-4", "reject",
                 "{\"reason\":\"no invoice\",\"code\":\"missing_invoice\"}"),
        200);
    ck_assert_int_eq(s_decide("ST-3", "resubmit", NULL), 200);
    ck_assert_int_eq(s_decide("ST-2", "approve", NULL), 200);
    // ST-6 (finance) delegates approvals of claims to ST-7.
    s_org_event("personnel.delegation.created",
                "{\"id\":\"DL-1\",\"from\":\"ST-6\",\"to\":\"ST-7\","
                "\"state\":\"active\",\"starts_at\":\"2000-01-01T00:00:00Z\","
                "\"ends_at\":\"2999-01-01T00:00:00Z\","
                "\"document_types\":[\"claim\"]}");
    ck_assert_int_eq(s_decide("ST-7", "approve", NULL), 200);
    reply = s_call("ST-3", "GET", "/v1/widgets/WG-1", NULL);
    const json_t *doc = s_body(reply);
    ck_assert_str_eq(cm_doc_text(doc, "state"), "approved");
    const json_t *approval = json_object_get(doc, "approval");
    ck_assert_int_eq(cm_doc_integer(approval, "round"), 2);
    ck_assert_int_eq(json_array_size(json_object_get(approval, "rounds")), 1);
    const json_t *step = json_array_get(json_object_get(approval, "steps"), 1);
    ck_assert_str_eq(cm_doc_text(step, "by"), "ST-7");
    ck_assert_str_eq(cm_doc_text(step, "for"), "ST-6");
    json_decref(reply);
}
END_TEST

START_TEST(test_cm_kit_oversized_document_is_refused)
{
    json_t *doc = cm_doc_new("WG-9", "open", NULL, cm_time_now_ms());
    char *big = malloc(CM_DOC_MAX_BYTES + 2);
    memset(big, 'b', CM_DOC_MAX_BYTES + 1);
    big[CM_DOC_MAX_BYTES + 1] = '\0';
    json_object_set_new(doc, "blob", json_string(big));
    free(big);
    cm_commit_t *commit = cm_commit_new(OWNER);
    ck_assert_int_eq(cm_doc_commit(commit, &s_widget, NULL, doc, CM_VERSION_NEW,
                                   cm_time_now_ms()),
                     CM_EINVAL);
    ck_assert(cm_commit_is_empty(commit));
    cm_commit_destroy(&commit);
    json_decref(doc);
}
END_TEST

Suite *
cm_kit_suite(void)
{
    Suite *s = suite_create("cm_kit");
    TCase *tc = tcase_create("documents");
    tcase_add_unchecked_fixture(tc, server_start, server_stop);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_cm_kit_create_get_view);
    tcase_add_test(tc, test_cm_kit_action_pipeline);
    tcase_add_test(tc, test_cm_kit_if_match);
    tcase_add_test(tc, test_cm_kit_history_pages);
    tcase_add_test(tc, test_cm_kit_lists);
    tcase_add_test(tc, test_cm_kit_inactive_actor_is_refused);
    tcase_add_test(tc, test_cm_kit_approval_chain);
    tcase_add_test(tc, test_cm_kit_oversized_document_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
