// cm_outbox pure parts: building an event into a commit, event identity.
// (Reading, relaying and trimming streams are in test_cm_events.c, which
// has the private redis-server.)
#include "cm_outbox.h"

#include <stdlib.h>
#include <string.h>

#include "cm_cloudevent.h"
#include "suites.h"

START_TEST(test_cm_outbox_append)
{
    cm_commit_t *commit = cm_commit_new("p");
    cm_envelope_event_t fields = {.type = "p.thing.done",
                                  .source = "p",
                                  .subject = "thing/1",
                                  .version = 1};
    ck_assert_int_eq(cm_outbox_append(commit, &fields), -1); // no data
    ck_assert(cm_commit_is_empty(commit));
    json_t *data = json_pack("{s:s}", "id", "1");
    fields.data = data;
    ck_assert_int_eq(cm_outbox_append(commit, &fields), 0);
    ck_assert(!cm_commit_is_empty(commit));
    json_decref(data);
    cm_commit_destroy(&commit);
}
END_TEST

START_TEST(test_cm_outbox_identity)
{
    cm_event_t event = {.stream = "sm:{ingest}:outbox", .id = "5-0"};
    char envelope[] = "{\"id\":\"e1\",\"source\":\"pbx\"}";
    event.envelope = envelope;
    cm_event_identity_t identity;
    cm_event_identity(&event, "intake", true, &identity);
    char marker[CM_STORE_KEY_MAX];
    cm_cloudevent_marker(marker, sizeof marker, "intake", "pbx", "e1");
    ck_assert_str_eq(identity.marker, marker);
    ck_assert_str_eq(identity.correlation, "e1");
    cm_event_identity(&event, "intake", false, &identity);
    ck_assert_str_eq(identity.marker, "sm:{intake}:seen:e1");
    char bare[] = "{\"correlation_id\":\"c9\"}";
    event.envelope = bare;
    cm_event_identity(&event, "intake", true, &identity);
    ck_assert_str_eq(identity.marker,
                     "sm:{intake}:seen:sm:{ingest}:outbox/5-0");
    ck_assert_str_eq(identity.correlation, "c9");
}
END_TEST

// Other systems' ids are unique per source only; a separator that may occur
// in either cannot keep two events apart.
START_TEST(test_cm_outbox_identity_by_source_unambiguous)
{
    cm_event_t event = {.stream = "sm:{ingest}:outbox", .id = "5-0"};
    char one[] = "{\"id\":\"call-77\",\"source\":\"pbx|site-a\"}";
    char two[] = "{\"id\":\"site-a|call-77\",\"source\":\"pbx\"}";
    char again[] = "{\"source\":\"pbx|site-a\",\"id\":\"call-77\"}";
    cm_event_identity_t a, b, c;
    event.envelope = one;
    cm_event_identity(&event, "intake", true, &a);
    event.envelope = two;
    cm_event_identity(&event, "intake", true, &b);
    event.envelope = again;
    cm_event_identity(&event, "intake", true, &c);
    ck_assert_str_ne(a.marker, b.marker);
    ck_assert_str_eq(a.marker, c.marker);
}
END_TEST

// The scan reads plain strings; what it cannot decide (an escape, a value
// that is not a string, a duplicate key) gets jansson's answer.
START_TEST(test_cm_outbox_identity_scan_and_jansson_agree)
{
    cm_event_t event = {.stream = "sm:{p}:outbox", .id = "7-0"};
    cm_event_identity_t identity;
    char escaped[] = "{\"id\":\"a\\u0062c\",\"correlation_id\":\"c\\/1\"}";
    event.envelope = escaped;
    cm_event_identity(&event, "q", false, &identity);
    ck_assert_str_eq(identity.marker, "sm:{q}:seen:abc");
    ck_assert_str_eq(identity.correlation, "c/1");
    char number[] = "{\"id\":5,\"correlation_id\":\"\"}";
    event.envelope = number;
    cm_event_identity(&event, "q", false, &identity);
    ck_assert_str_eq(identity.marker, "sm:{q}:seen:sm:{p}:outbox/7-0");
    ck_assert_str_eq(identity.correlation, "");
    char twice[] = "{\"id\":\"x\",\"id\":\"y\"}"; // jansson: the last
    event.envelope = twice;
    cm_event_identity(&event, "q", false, &identity);
    ck_assert_str_eq(identity.marker, "sm:{q}:seen:y");
    char broken[] = "{\"id\":";
    event.envelope = broken;
    cm_event_identity(&event, "q", false, &identity);
    ck_assert_str_eq(identity.marker, "sm:{q}:seen:sm:{p}:outbox/7-0");
}
END_TEST

// The relayed envelope: the stored one with seq and epoch, spliced in or
// (for what the splice leaves alone) through jansson; the same members
// either way.
static json_t *
s_relayed(const char *stored, const char *epoch, int64_t seq)
{
    cm_event_t event = {.stream = "sm:{p}:outbox", .id = "1-0", .seq = seq};
    snprintf(event.epoch, sizeof event.epoch, "%s", epoch);
    char *text = strdup(stored);
    event.envelope = text;
    char *relayed = cm_event_relay_envelope(&event);
    free(text);
    json_t *root = relayed ? json_loads(relayed, 0, NULL) : NULL;
    ck_assert_msg(json_is_object(root), "relayed: %s", relayed);
    free(relayed);
    return root;
}

START_TEST(test_cm_outbox_relay_envelope)
{
    json_t *root = s_relayed(" {\"id\":\"e\\u00e9\",\"n\":[1,{}]} \n",
                             "1700000000000", 42);
    ck_assert_str_eq(json_string_value(json_object_get(root, "id")),
                     "e\xc3\xa9");
    ck_assert_int_eq(json_integer_value(json_object_get(root, "seq")), 42);
    ck_assert_int_eq(json_integer_value(json_object_get(root, "epoch")),
                     1700000000000LL);
    ck_assert_int_eq(json_array_size(json_object_get(root, "n")), 2);
    json_decref(root);
    root = s_relayed("{ }", "12", 1); // no member before the added ones
    ck_assert_int_eq(json_object_size(root), 2);
    json_decref(root);
    // A seq already there is replaced, not repeated; an epoch that is not
    // a number stays a string.
    root = s_relayed("{\"seq\":9,\"a\":1.5}", "e-1", 3);
    ck_assert_int_eq(json_integer_value(json_object_get(root, "seq")), 3);
    ck_assert_str_eq(json_string_value(json_object_get(root, "epoch")), "e-1");
    json_decref(root);
    cm_event_t event = {.stream = "sm:{p}:outbox", .id = "1-0", .seq = 1};
    char text[] = "[1]"; // not an object: nothing to relay
    event.envelope = text;
    ck_assert_ptr_null(cm_event_relay_envelope(&event));
}
END_TEST

Suite *
cm_outbox_suite(void)
{
    Suite *suite = suite_create("cm_outbox");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_cm_outbox_append);
    tcase_add_test(core, test_cm_outbox_identity);
    tcase_add_test(core, test_cm_outbox_identity_by_source_unambiguous);
    tcase_add_test(core, test_cm_outbox_identity_scan_and_jansson_agree);
    tcase_add_test(core, test_cm_outbox_relay_envelope);
    suite_add_tcase(suite, core);
    return suite;
}
