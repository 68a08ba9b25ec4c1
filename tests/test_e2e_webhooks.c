// End to end: another system follows the station through a signed webhook.
// Its system account subscribes a receiver (in this process, on loopback,
// allow-listed by the e2e stack) to case events; a case recorded over HTTP
// by the desk reaches it, signed as docs/events.md says.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_steps.h"
#include "webhook_receiver.h"

#define S_HOOK_SECRET "whsec_ZTJlLXdlYmhvb2stc2VjcmV0LWtleS0wMTIzNDU2Nzg5"

static receiver_t s_receiver; // large: static

typedef struct {
    const char *case_id;
    size_t index; // the hit that carried it
} s_case_hit_t;

// Has the receiver got the created event of the case?
static bool
s_case_delivered(void *arg)
{
    s_case_hit_t *want = arg;
    static receiver_hit_t hit;
    for (size_t i = 0; i < receiver_count(&s_receiver); i++) {
        if (receiver_hit(&s_receiver, i, &hit) != 0) {
            continue;
        }
        json_t *event = json_loads(hit.body, 0, NULL);
        bool found = strcmp(e2e_str(event, "type"), "intake.case.created") == 0
                     && strcmp(e2e_str(json_object_get(event, "data"), "id"),
                               want->case_id)
                            == 0;
        json_decref(event);
        if (found) {
            want->index = i;
            return true;
        }
    }
    return false;
}

static bool
s_logged_delivered(void *arg)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/webhooks/%s/deliveries?state=delivered",
             (const char *)arg);
    json_t *page = NULL;
    e2e_http(e2e_person("system", "technical"), "GET", path, NULL, NULL, &page);
    bool logged = json_array_size(json_object_get(page, "items")) > 0;
    json_decref(page);
    return logged;
}

START_TEST(test_e2e_case_reaches_a_signed_webhook)
{
    int system = e2e_person("system", "technical");
    ck_assert_int_eq(receiver_start(&s_receiver, NULL, 0, 200), 0);
    char body[512], hook[48], path[96], case_id[48];
    snprintf(body, sizeof body,
             "{\"url\":\"http://127.0.0.1:%d/stationmaster\",\"events\":"
             "[\"intake.case.*\"],\"secret\":\"%s\",\"description\":\"CRM\"}",
             s_receiver.port, S_HOOK_SECRET);
    json_t *doc = e2e_expect(201, system, "POST", "/v1/webhooks", body);
    ck_assert_str_eq(e2e_str(doc, "secret"), S_HOOK_SECRET);
    snprintf(hook, sizeof hook, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    // A member of the desk may not see or touch it.
    snprintf(path, sizeof path, "/v1/webhooks/%s", hook);
    ck_assert_int_eq(e2e_http(S_AGENT, "GET", path, NULL, NULL, NULL), 403);

    e2e_record("inquiry", "Parking at night", case_id);
    s_case_hit_t want = {case_id, 0};
    ck_assert_msg(e2e_wait(s_case_delivered, &want, S_WAIT_MS),
                  "the receiver never got %s", case_id);
    static receiver_hit_t hit;
    ck_assert_int_eq(receiver_hit(&s_receiver, want.index, &hit), 0);
    char signature[64];
    receiver_expected_signature(S_HOOK_SECRET, &hit, signature);
    ck_assert_str_eq(hit.signature, signature);
    ck_assert_str_eq(hit.path, "/stationmaster");
    ck_assert(strncmp(hit.id, "WD-", 3) == 0);
    ck_assert(e2e_wait(s_logged_delivered, hook, S_WAIT_MS));

    json_decref(e2e_expect(200, system, "DELETE", path, NULL));
    receiver_stop(&s_receiver);
}
END_TEST

void
e2e_add_webhooks(TCase *tc)
{
    tcase_add_test(tc, test_e2e_case_reaches_a_signed_webhook);
}
