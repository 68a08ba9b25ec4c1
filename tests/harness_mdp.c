#include "harness_mdp.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "cm_time.h"

#define HARNESS_MDP_TYPE_MAX 96

json_t *
harness_mdp_actor(const char *id, const char *role, const char *department)
{
    return json_pack("{s:s, s:s, s:s?}", "id", id, "role", role, "department",
                     department);
}

json_t *
harness_mdp_call(cm_mdp_client_t *client, const char *service,
                 const cm_envelope_request_t *fields, int timeout_ms)
{
    char type[HARNESS_MDP_TYPE_MAX];
    snprintf(type, sizeof type, "%s.test", service);
    cm_envelope_request_t request_fields = *fields;
    if (!request_fields.type) {
        request_fields.type = type;
    }
    if (!request_fields.source) {
        request_fields.source = "test";
    }
    if (request_fields.deadline_ms == 0) {
        request_fields.deadline_ms = cm_time_now_ms() + timeout_ms;
    }
    json_t *request = cm_envelope_request_new(&request_fields);
    ck_assert_ptr_nonnull(request);
    char *text = cm_envelope_encode(request);
    ck_assert_ptr_nonnull(text);
    json_decref(request);
    // cm_mdp_client_call waits for the broker connection, then for the
    // reply whose correlation_id is the request's id.
    char *reply_text = cm_mdp_client_call(client, service, text, timeout_ms);
    free(text);
    json_t *reply = reply_text ? json_loads(reply_text, 0, NULL) : NULL;
    free(reply_text);
    return reply;
}

int
harness_mdp_status(const json_t *reply)
{
    return (int)json_integer_value(json_object_get(reply, "status"));
}

const char *
harness_mdp_error_code(const json_t *reply)
{
    return json_string_value(
        json_object_get(json_object_get(reply, "error"), "code"));
}

const char *
harness_mdp_body_string(const json_t *reply, const char *member)
{
    return json_string_value(
        json_object_get(json_object_get(reply, "body"), member));
}
