// cm_outbox pure parts: building an event into a commit, event identity.
// (Reading, relaying and trimming streams are in test_cm_events.c, which
// has the private redis-server.)
#include "cm_outbox.h"

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

Suite *
cm_outbox_suite(void)
{
    Suite *suite = suite_create("cm_outbox");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_cm_outbox_append);
    tcase_add_test(core, test_cm_outbox_identity);
    tcase_add_test(core, test_cm_outbox_identity_by_source_unambiguous);
    suite_add_tcase(suite, core);
    return suite;
}
