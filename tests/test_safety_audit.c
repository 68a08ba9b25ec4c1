// The audit trail of safety-audit through the gateway with real tokens
// (test_safety_stack.h): every event of every outbox in one BLAKE2b hash
// chain, searched by type, actor, subject and time with cursors, verified
// end to end, also when two replicas append at once; an entry altered in
// Redis is found at its position, and a chain rewritten wholesale (every
// hash recomputed) is caught by the last Ed25519-signed checkpoint. Suite:
// safety_audit.
#include <check.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "test_safety_stack.h"

static long long
s_int(const json_t *object, const char *member)
{
    const json_t *value = json_object_get(object, member);
    return json_is_integer(value) ? (long long)json_integer_value(value) : 0;
}

static json_t *
s_verify(const char *query)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/audit/verify%s", query ? query : "");
    return saf_expect(200, SAF_AUDITOR, "POST", path, NULL);
}

static long long
s_head(void)
{
    json_t *v = s_verify(NULL);
    long long n = s_int(json_object_get(v, "head"), "n");
    json_decref(v);
    return n;
}

// The chain holds the personnel events of the people (a few per person).
static bool
s_chain_grew(void *arg)
{
    return s_head() >= *(long long *)arg;
}

static void
s_wait_chain(long long n)
{
    ck_assert_msg(saf_wait(s_chain_grew, &n, HARNESS_WAIT_MS),
                  "the audit chain never reached %lld entries", n);
}

START_TEST(test_safety_audit_search_and_readers)
{
    s_wait_chain(10);
    json_t *page = saf_expect(200, SAF_AUDITOR, "GET", "/v1/audit", NULL);
    const json_t *items = json_object_get(page, "items");
    ck_assert_uint_ge(json_array_size(items), 10);
    long long first = s_int(json_array_get(items, 0), "n");
    ck_assert_int_gt(first, s_int(json_array_get(items, 1), "n")); // newest
    json_decref(page);
    // Only auditors and the station head read it; the key is public.
    ck_assert_int_eq(saf_http(SAF_TECH, "GET", "/v1/audit", NULL, NULL), 403);
    ck_assert_int_eq(
        saf_http(SAF_OFFICER, "POST", "/v1/audit/verify", NULL, NULL), 403);
    json_decref(saf_expect(200, SAF_HEAD, "GET", "/v1/audit?limit=1", NULL));
    json_t *key = saf_expect(200, SAF_TECH, "GET", "/v1/audit/key", NULL);
    ck_assert_uint_eq(strlen(saf_text(key, "public_key")), 64);
    json_decref(key);
    // Filters, each an index; pages by cursor without repeats.
    char path[256];
    snprintf(path, sizeof path,
             "/v1/audit?type=personnel.staff.created&actor=ST-1&limit=2");
    long long last = 1LL << 60;
    int seen = 0;
    for (int pages = 0; pages < 20; pages++) {
        page = saf_expect(200, SAF_AUDITOR, "GET", path, NULL);
        items = json_object_get(page, "items");
        for (size_t i = 0; i < json_array_size(items); i++) {
            const json_t *item = json_array_get(items, i);
            ck_assert_str_eq(saf_text(item, "type"), "personnel.staff.created");
            ck_assert_str_eq(saf_text(item, "actor"), "ST-1");
            ck_assert_int_lt(s_int(item, "n"), last);
            last = s_int(item, "n");
            seen++;
        }
        const char *next = saf_text(page, "next_cursor");
        bool more = *next;
        snprintf(path, sizeof path,
                 "/v1/audit?type=personnel.staff.created&actor=ST-1&limit=2"
                 "&cursor=%s",
                 next);
        json_decref(page);
        if (!more) {
            break;
        }
    }
    ck_assert_int_ge(seen, SAF_PEOPLE - 2); // all but the head and the hire
    snprintf(path, sizeof path, "/v1/audit?subject=staff/%s",
             saf_stack.ids[SAF_TECH]);
    page = saf_expect(200, SAF_AUDITOR, "GET", path, NULL);
    ck_assert_uint_ge(json_array_size(json_object_get(page, "items")), 1);
    json_decref(page);
    page = saf_expect(200, SAF_AUDITOR, "GET",
                      "/v1/audit?from=2090-01-01T00:00:00Z", NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(page, "items")), 0);
    json_decref(page);
    const char *bad[] = {"/v1/audit?bogus=1", "/v1/audit?limit=0",
                         "/v1/audit?from=yesterday", "/v1/audit?cursor=x",
                         "/v1/audit/verify?from=0"};
    for (size_t i = 0; i < 5; i++) {
        const char *method = i == 4 ? "POST" : "GET";
        ck_assert_int_eq(saf_http(SAF_AUDITOR, method, bad[i], NULL, NULL),
                         400);
    }
    json_t *v = s_verify(NULL);
    ck_assert(json_is_true(json_object_get(v, "ok")));
    ck_assert_int_eq(s_int(v, "checked"),
                     s_int(json_object_get(v, "head"), "n"));
    json_decref(v);
}
END_TEST

// ---- two replicas on one chain

// Entries of `type` in the chain (pages of 100).
static long long
s_count_type(const char *type)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/audit?type=%s&limit=100", type);
    long long count = 0;
    for (int pages = 0; pages < 50; pages++) {
        json_t *page = saf_expect(200, SAF_AUDITOR, "GET", path, NULL);
        count += (long long)json_array_size(json_object_get(page, "items"));
        const char *next = saf_text(page, "next_cursor");
        bool more = *next;
        snprintf(path, sizeof path, "/v1/audit?type=%s&limit=100&cursor=%s",
                 type, next);
        json_decref(page);
        if (!more) {
            break;
        }
    }
    return count;
}

typedef struct {
    const char *type;
    long long want;
} s_typed_t;

static bool
s_typed_reached(void *arg)
{
    const s_typed_t *t = arg;
    return s_count_type(t->type) >= t->want;
}

static json_t *s_entry(long long n);

// Two replicas take events from the same groups and append to the one
// chain at once: the head's version check turns a race into a conflict
// that is tried again, so the chain never forks or repeats an entry.
START_TEST(test_safety_audit_two_replicas_one_chain)
{
    const char *type = "personnel.department.created";
    long long before = s_count_type(type);
    harness_proc_t second;
    memset(&second, 0, sizeof second);
    ck_assert_int_eq(
        harness_proc_start(&second, "safety-audit", saf_stack.envp), 0);
    ck_assert(harness_proc_wait_event(&second, "service.started", 1,
                                      HARNESS_WAIT_MS));
    enum {
        DEPARTMENTS = 24
    };
    for (int i = 0; i < DEPARTMENTS; i++) {
        char code[16];
        snprintf(code, sizeof code, "rep%d", i);
        http_stack_department(&saf_stack, code);
    }
    s_typed_t t = {type, before + DEPARTMENTS};
    ck_assert_msg(saf_wait(s_typed_reached, &t, 2 * HARNESS_WAIT_MS),
                  "the chain holds %lld of %lld department events",
                  s_count_type(type) - before, (long long)DEPARTMENTS);
    harness_proc_kill(&second, SIGTERM, 5000);
    harness_proc_cleanup(&second);
    ck_assert_int_eq(s_count_type(type), before + DEPARTMENTS);
    // One link per outbox entry, and every link holds.
    long long head = s_head();
    char(*seen)[160] = calloc((size_t)head + 1, sizeof *seen);
    ck_assert_ptr_nonnull(seen);
    for (long long n = 1; n <= head; n++) {
        json_t *entry = s_entry(n);
        snprintf(seen[n], sizeof seen[n], "%s/%s", saf_text(entry, "stream"),
                 saf_text(entry, "entry"));
        json_decref(entry);
        for (long long m = 1; m < n; m++) {
            ck_assert_msg(strcmp(seen[m], seen[n]) != 0,
                          "entries %lld and %lld both hold %s", m, n, seen[n]);
        }
    }
    free(seen);
    json_t *v = s_verify(NULL);
    ck_assert(json_is_true(json_object_get(v, "ok")));
    ck_assert_int_eq(s_int(v, "checked"), head);
    json_decref(v);
}
END_TEST

// ---- tampering with Redis

static json_t *
s_entry(long long n)
{
    char key[96];
    snprintf(key, sizeof key, "sm:{safety-audit}:audit:%lld", n);
    char *text = harness_redis_cmd(&saf_stack.redis, "HGET", key, "doc");
    json_t *entry = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    ck_assert_msg(entry != NULL, "no audit entry %lld", n);
    return entry;
}

static void
s_store(const char *name, const json_t *doc)
{
    char key[96];
    snprintf(key, sizeof key, "sm:{safety-audit}:audit:%s", name);
    char *text = json_dumps(doc, JSON_COMPACT);
    free(harness_redis_cmd(&saf_stack.redis, "HSET", key, "doc", text));
    free(text);
}

// An attacker's change: the event's subject.
static void
s_alter(json_t *entry)
{
    json_object_set_new(json_object_get(entry, "envelope"), "subject",
                        json_string("staff/forged"));
}

START_TEST(test_safety_audit_altered_entry_found_at_its_position)
{
    s_wait_chain(10);
    long long k = s_head() / 2;
    json_t *entry = s_entry(k);
    json_t *original = json_deep_copy(entry);
    s_alter(entry);
    char name[32];
    snprintf(name, sizeof name, "%lld", k);
    s_store(name, entry);
    json_t *v = s_verify(NULL);
    ck_assert(json_is_false(json_object_get(v, "ok")));
    const json_t *broken = json_object_get(v, "first_broken");
    ck_assert_int_eq(s_int(broken, "n"), k);
    ck_assert_str_eq(saf_text(broken, "reason"), "hash_mismatch");
    ck_assert_int_eq(s_int(v, "checked"), k - 1);
    json_decref(v);
    // A range before it is intact; put back, the whole chain verifies.
    char query[64];
    snprintf(query, sizeof query, "?from=1&to=%lld", k - 1);
    v = s_verify(query);
    ck_assert(json_is_true(json_object_get(v, "ok")));
    json_decref(v);
    s_store(name, original);
    v = s_verify(NULL);
    ck_assert(json_is_true(json_object_get(v, "ok")));
    json_decref(v);
    json_decref(entry);
    json_decref(original);
}
END_TEST

// hash_n of entry (its stream, entry and envelope) after prev (hex).
static void
s_hash(const char *prev_hex, const json_t *entry, char *out)
{
    unsigned char prev[32], hash[32];
    ck_assert_int_eq(sodium_hex2bin(prev, sizeof prev, prev_hex,
                                    strlen(prev_hex), NULL, NULL, NULL),
                     0);
    json_t *canonical =
        json_pack("{s:O, s:O, s:O}", "stream", json_object_get(entry, "stream"),
                  "entry", json_object_get(entry, "entry"), "envelope",
                  json_object_get(entry, "envelope"));
    char *text = json_dumps(canonical, JSON_COMPACT | JSON_SORT_KEYS);
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, sizeof hash);
    crypto_generichash_update(&state, prev, sizeof prev);
    crypto_generichash_update(&state, (const unsigned char *)text,
                              strlen(text));
    crypto_generichash_final(&state, hash, sizeof hash);
    sodium_bin2hex(out, 65, hash, sizeof hash);
    free(text);
    json_decref(canonical);
}

typedef struct {
    long long at_least;
    long long n;
} s_checkpoint_t;

static bool
s_checkpointed(void *arg)
{
    s_checkpoint_t *c = arg;
    json_t *v = s_verify(NULL);
    c->n = s_int(json_object_get(v, "checkpoint"), "n");
    json_decref(v);
    return c->n >= c->at_least;
}

START_TEST(test_safety_audit_rewritten_chain_caught_by_checkpoint)
{
    ck_assert_int_ge(sodium_init(), 0);
    s_wait_chain(10);
    s_checkpoint_t c = {s_head(), 0};
    ck_assert_msg(saf_wait(s_checkpointed, &c, HARNESS_WAIT_MS),
                  "no signed checkpoint of the head");
    // Rewrite from k to the head, every link recomputed: the chain itself
    // is consistent again.
    long long head = s_head(), k = c.n > 3 ? c.n - 3 : 1;
    json_t *before = s_entry(k - 1 > 0 ? k - 1 : 1);
    char prev[65];
    snprintf(prev, sizeof prev, "%s",
             k > 1 ? saf_text(before, "hash")
                   : "0000000000000000000000000000000000000000000000000000000"
                     "000000000");
    json_decref(before);
    for (long long n = k; n <= head; n++) {
        json_t *entry = s_entry(n);
        if (n == k) {
            s_alter(entry);
        }
        char hash[65], name[32];
        s_hash(prev, entry, hash);
        json_object_set_new(entry, "prev", json_string(prev));
        json_object_set_new(entry, "hash", json_string(hash));
        snprintf(name, sizeof name, "%lld", n);
        s_store(name, entry);
        snprintf(prev, sizeof prev, "%s", hash);
        json_decref(entry);
    }
    json_t *top = json_pack("{s:I, s:s, s:I}", "n", (json_int_t)head, "hash",
                            prev, "at_ms", (json_int_t)0);
    s_store("head", top);
    json_decref(top);
    // Every link holds; the signed checkpoint does not.
    json_t *v = s_verify(NULL);
    ck_assert(json_is_false(json_object_get(v, "ok")));
    const json_t *broken = json_object_get(v, "first_broken");
    ck_assert_str_eq(saf_text(broken, "reason"), "checkpoint_mismatch");
    ck_assert_int_eq(s_int(broken, "n"), c.n);
    const json_t *checkpoint = json_object_get(v, "checkpoint");
    ck_assert(json_is_true(json_object_get(checkpoint, "signature_valid")));
    json_decref(v);
}
END_TEST

Suite *
safety_audit_suite(void)
{
    Suite *s = suite_create("safety_audit");
    TCase *tc = tcase_create("chain");
    tcase_add_unchecked_fixture(tc, saf_stack_setup, saf_stack_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_safety_audit_search_and_readers);
    tcase_add_test(tc, test_safety_audit_two_replicas_one_chain);
    tcase_add_test(tc, test_safety_audit_altered_entry_found_at_its_position);
    tcase_add_test(tc, test_safety_audit_rewritten_chain_caught_by_checkpoint);
    suite_add_tcase(s, tc);
    return s;
}
