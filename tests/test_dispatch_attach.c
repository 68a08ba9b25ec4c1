// Integration tests of attachments on work orders (cm_attach through
// dispatch): people of the work order's department attach (others 403,
// auditors 403), everyone reads and downloads, the department's head or
// the uploader deletes (a colleague 403), a closed work order takes none;
// 413 and 415 name the field. Suite: dispatch_attach_suite.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "test_dispatch_stack.h"

// POST text as actor (taken) to the work order's attachments.
static json_t *
s_upload(json_t *actor, const char *wo, const char *type, const char *base64)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/work-orders/%s/attachments", wo);
    dispatch_call_options_t options = {
        .query = json_pack("{s:s}", "filename", "report.txt"),
        .content_type = type};
    return dispatch_call_with(actor, "POST", path, json_string(base64),
                              &options);
}

static void
s_expect(json_t *reply, int status)
{
    char *text = json_dumps(reply, JSON_COMPACT);
    ck_assert_msg(harness_mdp_status(reply) == status, "want %d: %.500s",
                  status, text);
    free(text);
    json_decref(reply);
}

START_TEST(test_dispatch_attach_work_order_files)
{
    dispatch_seed_org();
    dispatch_staff("ST-31", "logistics", "logistics");
    dispatch_staff("ST-32", "logistics", "logistics");
    ck_assert(dispatch_wait_doc("sm:{dispatch}:org:staff:ST-32"));
    json_t *reply =
        dispatch_call(harness_mdp_actor("ST-9", "dept_head", "logistics"),
                      "POST", "/v1/work-orders",
                      json_pack("{s:s, s:s}", "title", "count the stock",
                                "department", "logistics"));
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    char wo[32];
    snprintf(wo, sizeof wo, "%s", harness_mdp_body_string(reply, "id"));
    json_decref(reply);

    // Of the department: stored with its digest; elsewhere 403.
    reply = s_upload(harness_mdp_actor("ST-31", "logistics", "logistics"), wo,
                     "text/plain", "MTIgYm94ZXM="); // "12 boxes"
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    char aid[32];
    snprintf(aid, sizeof aid, "%s", harness_mdp_body_string(reply, "id"));
    ck_assert_str_eq(
        harness_mdp_body_string(reply, "sha256"),
        "1b0345d8260c7708dbba86ba04a07fe5b02970812fc55006cb5da0869ebcd131");
    json_decref(reply);
    s_expect(s_upload(harness_mdp_actor("ST-5", "technician", "technical"), wo,
                      "text/plain", "eA=="),
             403);
    s_expect(s_upload(harness_mdp_actor("ST-40", "auditor", "audit"), wo,
                      "text/plain", "eA=="),
             403);
    s_expect(s_upload(harness_mdp_actor("ST-31", "logistics", "logistics"), wo,
                      "application/zip", "eA=="),
             415);
    char *big = malloc(48000);
    memset(big, 'A', 47996);
    big[47996] = '\0'; // base64 of 35,997 bytes: past 32768
    s_expect(s_upload(harness_mdp_actor("ST-31", "logistics", "logistics"), wo,
                      "text/plain", big),
             413);
    free(big);

    // Everyone reads; the download is the bytes.
    char path[128];
    snprintf(path, sizeof path, "/v1/work-orders/%s/attachments", wo);
    reply = dispatch_call(harness_mdp_actor("ST-5", "technician", "technical"),
                          "GET", path, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_int_eq(json_array_size(json_object_get(
                         json_object_get(reply, "body"), "items")),
                     1);
    json_decref(reply);
    snprintf(path, sizeof path, "/v1/work-orders/%s/attachments/%s", wo, aid);
    reply = dispatch_call(harness_mdp_actor("ST-5", "technician", "technical"),
                          "GET", path, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(json_string_value(json_object_get(reply, "body")),
                     "MTIgYm94ZXM=");
    json_decref(reply);

    // A colleague may not delete; the head may, and the history says so.
    s_expect(dispatch_call(harness_mdp_actor("ST-32", "logistics", "logistics"),
                           "DELETE", path, NULL),
             403);
    s_expect(dispatch_call(harness_mdp_actor("ST-9", "dept_head", "logistics"),
                           "DELETE", path, NULL),
             200);
    s_expect(dispatch_call(harness_mdp_actor("ST-9", "dept_head", "logistics"),
                           "GET", path, NULL),
             404);
    snprintf(path, sizeof path, "/v1/work-orders/%s", wo);
    reply = dispatch_call(harness_mdp_actor("ST-9", "dept_head", "logistics"),
                          "GET", path, NULL);
    const json_t *history =
        json_object_get(json_object_get(reply, "body"), "history");
    ck_assert_str_eq(
        json_string_value(json_object_get(
            json_array_get(history, json_array_size(history) - 1), "action")),
        "detach");
    json_decref(reply);
}
END_TEST

Suite *
dispatch_attach_suite(void)
{
    Suite *suite = suite_create("dispatch_attach");
    TCase *tc = tcase_create("attach");
    tcase_add_checked_fixture(tc, dispatch_stack_setup,
                              dispatch_stack_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_dispatch_attach_work_order_files);
    suite_add_tcase(suite, tc);
    return suite;
}
