// webhooks: signed outbound webhooks against a receiver in this process on
// loopback (tests/webhook_receiver.h). The stack: a private redis-server,
// the broker, the hub, personnel (real tokens, and the events), webhooks
// and the gateway. Departments created by the station head are the events
// (personnel.department.created); every test subscribes its own webhook and
// deletes it at the end.
//
// Test configuration: retries after 150 ms three times (four attempts),
// disabled after 6 failed attempts in a row, 127.0.0.1 allow-listed.
#include <check.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "http_client.h"
#include "suites.h"
#include "webhook_receiver.h"

#define S_BOOT_TOKEN "smt_webhooks_suite_bootstrap_token_0123456789ab"
#define S_ENV_MAX    12
#define S_WAIT_MS    15000
#define S_SECRET     "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// A self-signed certificate for 127.0.0.1 (P-256, valid until 2126) and its
// key, made for this suite only: the HTTPS receiver's, and the CA file the
// stack's webhooks service verifies receivers against.
static const char s_cert_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBmzCCAUGgAwIBAgIUeqLsIRTakA60p6Uf9DYL55V17sswCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwMjE0MDIxMFoYDzIxMjYxMTA4\n"
    "MTQwMjEwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAAR5QPry1uQZjPYIg+5iH833ervpMhQgaQN2MAW9/0PeVN3k7J8qGKhO\n"
    "6RU6ZOQdxK6uZwEyxXiFDMC7bvxjxm7Io28wbTAdBgNVHQ4EFgQUNWyo7+Tf/woc\n"
    "7kK/XkkE7M93xdwwHwYDVR0jBBgwFoAUNWyo7+Tf/woc7kK/XkkE7M93xdwwDwYD\n"
    "VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARggkxMjcuMC4wLjGHBH8AAAEwCgYIKoZI\n"
    "zj0EAwIDSAAwRQIhALZluMWqe7SOBtVb4bd4m4+zqlkYnKb3RZjSC4kgHf7oAiBF\n"
    "TKxwsM2Z8JHXAknGq1KVRVusf0VxsdGZSIDp23hCGw==\n"
    "-----END CERTIFICATE-----\n";
static const char s_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgX5nzGdTqo7AASTpN\n"
    "xSvB8QCSSzA9N3q8lv4F5O6pFaKhRANCAAR5QPry1uQZjPYIg+5iH833ervpMhQg\n"
    "aQN2MAW9/0PeVN3k7J8qGKhO6RU6ZOQdxK6uZwEyxXiFDMC7bvxjxm7I\n"
    "-----END PRIVATE KEY-----\n";

enum {
    S_HEAD,
    S_SYSTEM,
    S_TECH,
    S_PEOPLE
};

static struct {
    harness_redis_t redis;
    harness_proc_t broker, hub, personnel, webhooks, gateway;
    int http_port;
    char env[S_ENV_MAX][128];
    const char *envp[S_ENV_MAX + 1];
    char tokens[S_PEOPLE][96];
    char ca_file[64]; // s_cert_pem, for webhooks/ca_file
} s_stack;

// The receiver of the running test (large: static).
static receiver_t s_receiver;

static int
s_http(int who, const char *method, const char *path, const char *body,
       json_t **out)
{
    char headers[512];
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
             s_stack.tokens[who]);
    http_client_response_t *response = malloc(sizeof *response);
    ck_assert_ptr_nonnull(response);
    int rc = http_client_request(s_stack.http_port, method, path, headers, body,
                                 response);
    int status = rc == 0 ? response->status : 0;
    if (out) {
        *out = response->body_size
                   ? json_loads(response->body, JSON_DECODE_ANY, NULL)
                   : NULL;
    }
    free(response);
    return status;
}

static json_t *
s_expect(int status, int who, const char *method, const char *path,
         const char *body)
{
    json_t *out = NULL;
    int got = s_http(who, method, path, body, &out);
    if (got != status) {
        char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
        ck_abort_msg("%s %s: want %d, got %d: %.600s", method, path, status,
                     got, text ? text : "");
    }
    return out;
}

static const char *
s_str(const json_t *object, const char *member)
{
    const char *value = json_string_value(json_object_get(object, member));
    return value ? value : "";
}

static bool
s_wait(bool (*fn)(void *arg), void *arg, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        if (fn(arg)) {
            return true;
        }
        struct timespec pause = {0, 50L * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return false;
}

// ---- the stack

static void
s_env(void)
{
    int n = 0;
    snprintf(s_stack.env[n++], 128, "SM_REDIS__PORT=%d", s_stack.redis.port);
    snprintf(s_stack.env[n++], 128, "SM_BROKER__PORT=%d", harness_free_port());
    snprintf(s_stack.env[n++], 128, "SM_HUB__PUB_PORT=%d", harness_free_port());
    snprintf(s_stack.env[n++], 128, "SM_HUB__SUB_PORT=%d", harness_free_port());
    snprintf(s_stack.env[n++], 128, "SM_HUB__DISCOVER_MS=100");
    snprintf(s_stack.env[n++], 128, "SM_GATEWAY__PORT=%d", s_stack.http_port);
    snprintf(s_stack.env[n++], 128, "SM_PERSONNEL__BOOTSTRAP_TOKEN=%s",
             S_BOOT_TOKEN);
    snprintf(s_stack.env[n++], 128, "SM_WEBHOOKS__ALLOWED_HOSTS=127.0.0.1");
    snprintf(s_stack.env[n++], 128,
             "SM_WEBHOOKS__RETRY_SCHEDULE_MS=150 150 150");
    snprintf(s_stack.env[n++], 128, "SM_WEBHOOKS__DISABLE_AFTER=6");
    snprintf(s_stack.env[n++], 128, "SM_WEBHOOKS__TIMEOUT_MS=2000");
    snprintf(s_stack.env[n++], 128, "SM_WEBHOOKS__CA_FILE=%s", s_stack.ca_file);
    for (int i = 0; i < n; i++) {
        s_stack.envp[i] = s_stack.env[i];
    }
    s_stack.envp[n] = NULL;
}

static void
s_teardown(void)
{
    harness_proc_t *procs[] = {&s_stack.gateway, &s_stack.webhooks,
                               &s_stack.personnel, &s_stack.hub,
                               &s_stack.broker};
    for (size_t i = 0; i < sizeof procs / sizeof procs[0]; i++) {
        harness_proc_kill(procs[i], SIGTERM, 5000);
        if (!getenv("SM_TEST_KEEP_LOGS")) { // keep them for a post-mortem
            harness_proc_cleanup(procs[i]);
        }
    }
    harness_redis_stop(&s_stack.redis);
    if (s_stack.ca_file[0]) {
        unlink(s_stack.ca_file);
    }
}

static void
s_require(bool ok, const char *what)
{
    if (!ok) {
        s_teardown();
        ck_abort_msg("%s", what);
    }
}

static bool
s_routed(void *arg)
{
    int who = *(int *)arg;
    return s_http(who, "GET", "/v1/webhooks", NULL, NULL) == 200;
}

// A person of role in department `ops` with a token.
static void
s_person(int who, const char *role)
{
    char body[160], path[96];
    snprintf(body, sizeof body,
             "{\"name\":\"P%d\",\"role\":\"%s\",\"department\":\"ops\"}", who,
             role);
    json_t *staff = s_expect(201, S_HEAD, "POST", "/v1/staff", body);
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", s_str(staff, "id"));
    json_t *token = s_expect(201, S_HEAD, "POST", path, "{\"name\":\"t\"}");
    snprintf(s_stack.tokens[who], 96, "%s", s_str(token, "token"));
    json_decref(token);
    json_decref(staff);
}

static void
s_setup(void)
{
    memset(&s_stack, 0, sizeof s_stack);
    ck_assert_int_eq(harness_redis_start(&s_stack.redis), 0);
    s_stack.http_port = harness_free_port();
    snprintf(s_stack.ca_file, sizeof s_stack.ca_file,
             "/tmp/sm-webhooks-ca-XXXXXX");
    int fd = mkstemp(s_stack.ca_file);
    s_require(fd >= 0
                  && write(fd, s_cert_pem, strlen(s_cert_pem))
                         == (ssize_t)strlen(s_cert_pem),
              "the CA file");
    close(fd);
    s_env();
    const char *names[] = {"broker", "hub", "personnel", "webhooks", "gateway"};
    harness_proc_t *procs[] = {&s_stack.broker, &s_stack.hub,
                               &s_stack.personnel, &s_stack.webhooks,
                               &s_stack.gateway};
    for (size_t i = 0; i < 5; i++) {
        s_require(harness_proc_start(procs[i], names[i], s_stack.envp) == 0,
                  names[i]);
    }
    snprintf(s_stack.tokens[S_HEAD], 96, "%s", S_BOOT_TOKEN);
    s_require(harness_proc_wait_event(&s_stack.gateway, "gateway.started", 1,
                                      HARNESS_WAIT_MS),
              "the gateway did not start");
    int head = S_HEAD, system = S_SYSTEM;
    s_require(s_wait(s_routed, &head, HARNESS_WAIT_MS), "webhooks not routed");
    json_decref(s_expect(201, S_HEAD, "POST", "/v1/departments",
                         "{\"code\":\"ops\",\"name\":\"Operations\"}"));
    s_person(S_SYSTEM, "system");
    s_person(S_TECH, "technician");
    s_require(s_wait(s_routed, &system, HARNESS_WAIT_MS),
              "the system account is not known to webhooks");
}

// ---- steps

// Subscribe a webhook to department events at the receiver; its id into
// id. secret: given, or NULL (then the reply's is copied into out_secret).
static void
s_subscribe_scheme(const char *scheme, const char *secret, char *id,
                   char *out_secret)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"url\":\"%s://127.0.0.1:%d/hook\",\"events\":"
             "[\"personnel.department.*\"],\"description\":\"test\"%s%s%s}",
             scheme, s_receiver.port, secret ? ",\"secret\":\"" : "",
             secret ? secret : "", secret ? "\"" : "");
    json_t *hook = s_expect(201, S_SYSTEM, "POST", "/v1/webhooks", body);
    snprintf(id, 48, "%s", s_str(hook, "id"));
    ck_assert_str_eq(s_str(hook, "state"), "active");
    if (out_secret) {
        snprintf(out_secret, 128, "%s", s_str(hook, "secret"));
    }
    ck_assert(strncmp(s_str(hook, "secret"), "whsec_", 6) == 0);
    json_decref(hook);
}

static void
s_subscribe(const char *secret, char *id, char *out_secret)
{
    s_subscribe_scheme("http", secret, id, out_secret);
}

static void
s_department(const char *code)
{
    char body[128];
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"D %s\"}", code,
             code);
    json_decref(s_expect(201, S_HEAD, "POST", "/v1/departments", body));
}

static void
s_unsubscribe(const char *id)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/webhooks/%s", id);
    json_t *gone = s_expect(200, S_HEAD, "DELETE", path, NULL);
    ck_assert_str_eq(s_str(gone, "state"), "deleted");
    json_decref(gone);
    ck_assert_int_eq(s_http(S_HEAD, "GET", path, NULL, NULL), 404);
}

static bool
s_received(void *arg)
{
    return receiver_count(&s_receiver) >= *(size_t *)arg;
}

static void
s_wait_hits(size_t count)
{
    ck_assert_msg(s_wait(s_received, &count, S_WAIT_MS),
                  "receiver got %zu requests, want %zu",
                  receiver_count(&s_receiver), count);
}

// The first item of GET /v1/webhooks/{id}/<list>, or NULL. Caller owns.
static json_t *
s_first(const char *id, const char *list)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/webhooks/%s/%s", id, list);
    json_t *page = s_expect(200, S_SYSTEM, "GET", path, NULL);
    json_t *item =
        json_incref(json_array_get(json_object_get(page, "items"), 0));
    json_decref(page);
    return item;
}

typedef struct {
    const char *id, *list, *state;
} s_delivery_wait_t;

static bool
s_delivery_in(void *arg)
{
    const s_delivery_wait_t *w = arg;
    json_t *item = s_first(w->id, w->list);
    bool in = item && strcmp(s_str(item, "state"), w->state) == 0;
    json_decref(item);
    return in;
}

static void
s_wait_delivery(const char *id, const char *list, const char *state)
{
    s_delivery_wait_t w = {id, list, state};
    ck_assert_msg(s_wait(s_delivery_in, &w, S_WAIT_MS),
                  "no %s delivery in %s of %s", state, list, id);
}

// Does the webhooks outbox hold an event of type? (hiredis, raw).
static bool
s_outbox_has(const char *type, const char *needle)
{
    redisContext *redis = redisConnect("127.0.0.1", s_stack.redis.port);
    ck_assert(redis && !redis->err);
    redisReply *reply = redisCommand(redis, "XRANGE sm:{webhooks}:outbox - +");
    bool found = false;
    for (size_t i = 0; reply && i < reply->elements && !found; i++) {
        redisReply *fields = reply->element[i]->element[1];
        for (size_t f = 0; f + 1 < fields->elements; f += 2) {
            if (strcmp(fields->element[f]->str, "envelope") == 0
                && strstr(fields->element[f + 1]->str, type)
                && (!needle || strstr(fields->element[f + 1]->str, needle))) {
                found = true;
            }
        }
    }
    freeReplyObject(reply);
    redisFree(redis);
    return found;
}

// ---- tests

START_TEST(test_webhooks_signed_delivery)
{
    ck_assert_int_eq(receiver_start(&s_receiver, NULL, 0, 204), 0);
    char id[48], secret[128], path[96];
    s_subscribe(NULL, id, secret);
    snprintf(path, sizeof path, "/v1/webhooks/%s", id);
    json_t *hook = s_expect(200, S_HEAD, "GET", path, NULL);
    ck_assert_ptr_null(json_object_get(hook, "secret")); // shown once only
    json_decref(hook);
    s_department("signed1");
    s_wait_hits(1);
    receiver_hit_t hit;
    ck_assert_int_eq(receiver_hit(&s_receiver, 0, &hit), 0);
    char want[64];
    receiver_expected_signature(secret, &hit, want);
    ck_assert_str_eq(hit.signature, want);
    ck_assert_str_eq(hit.path, "/hook");
    long long stamp = atoll(hit.timestamp);
    ck_assert(llabs(stamp - (long long)time(NULL)) < 60);
    json_t *event = json_loads(hit.body, 0, NULL);
    ck_assert_ptr_nonnull(event);
    ck_assert_str_eq(s_str(event, "type"), "personnel.department.created");
    ck_assert_str_eq(s_str(json_object_get(event, "data"), "code"), "signed1");
    json_decref(event);
    s_wait_delivery(id, "deliveries", "delivered");
    json_t *delivery = s_first(id, "deliveries");
    ck_assert_str_eq(s_str(delivery, "id"), hit.id); // the webhook-id
    ck_assert_ptr_null(json_object_get(delivery, "payload"));
    json_decref(delivery);
    receiver_stop(&s_receiver);
    s_unsubscribe(id);
}
END_TEST

START_TEST(test_webhooks_retries_keep_the_id)
{
    const int script[] = {500, 503};
    ck_assert_int_eq(receiver_start(&s_receiver, script, 2, 200), 0);
    char id[48];
    s_subscribe(S_SECRET, id, NULL);
    s_department("retry1");
    s_wait_hits(3);
    s_wait_delivery(id, "deliveries", "delivered");
    receiver_hit_t hits[3];
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(receiver_hit(&s_receiver, i, &hits[i]), 0);
        char want[64];
        receiver_expected_signature(S_SECRET, &hits[i], want);
        ck_assert_str_eq(hits[i].signature, want);
    }
    ck_assert_str_eq(hits[0].id, hits[1].id);
    ck_assert_str_eq(hits[1].id, hits[2].id);
    ck_assert_str_eq(hits[0].body, hits[2].body);
    json_t *delivery = s_first(id, "deliveries");
    ck_assert_int_eq(json_integer_value(json_object_get(delivery, "attempts")),
                     3);
    json_decref(delivery);
    receiver_stop(&s_receiver);
    s_unsubscribe(id);
}
END_TEST

START_TEST(test_webhooks_dead_letter_and_redeliver)
{
    ck_assert_int_eq(receiver_start(&s_receiver, NULL, 0, 500), 0);
    char id[48], path[160];
    s_subscribe(S_SECRET, id, NULL);
    s_department("dead1");
    s_wait_hits(4); // the first attempt and three retries
    s_wait_delivery(id, "dead-letters", "dead");
    json_t *dead = s_first(id, "dead-letters");
    ck_assert_str_eq(s_str(dead, "dead_reason"), "retries_exhausted");
    ck_assert(
        s_outbox_has("webhooks.delivery.dead_lettered", s_str(dead, "id")));
    struct timespec pause = {0, 600L * 1000 * 1000};
    nanosleep(&pause, NULL); // no fifth attempt on its own
    ck_assert_uint_eq(receiver_count(&s_receiver), 4);
    snprintf(path, sizeof path, "/v1/webhooks/%s/dead-letters/%s", id,
             s_str(dead, "id"));
    json_t *one = s_expect(200, S_SYSTEM, "GET", path, NULL);
    ck_assert(strstr(s_str(one, "payload"), "personnel.department.created"));
    ck_assert_int_eq(json_integer_value(json_object_get(one, "attempts")), 4);
    json_decref(one);
    receiver_set_fallback(&s_receiver, 200);
    snprintf(path, sizeof path, "/v1/webhooks/%s/dead-letters/%s/redeliver", id,
             s_str(dead, "id"));
    ck_assert_int_eq(s_http(S_TECH, "POST", path, "{}", NULL), 403);
    json_t *again =
        s_expect(200, S_SYSTEM, "POST", path, "{\"note\":\"fixed\"}");
    ck_assert_str_eq(s_str(again, "state"), "pending");
    json_decref(again);
    s_wait_hits(5);
    receiver_hit_t hit;
    ck_assert_int_eq(receiver_hit(&s_receiver, 4, &hit), 0);
    ck_assert_str_eq(hit.id, s_str(dead, "id"));
    s_wait_delivery(id, "deliveries", "delivered");
    json_t *none = s_first(id, "dead-letters");
    ck_assert_ptr_null(none);
    ck_assert_int_eq(s_http(S_SYSTEM, "POST", path, "{}", NULL), 409);
    json_decref(dead);
    receiver_stop(&s_receiver);
    s_unsubscribe(id);
}
END_TEST

static bool
s_hook_disabled(void *arg)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/webhooks/%s", (const char *)arg);
    json_t *hook = NULL;
    s_http(S_HEAD, "GET", path, NULL, &hook);
    bool disabled = strcmp(s_str(hook, "state"), "disabled") == 0;
    json_decref(hook);
    return disabled;
}

START_TEST(test_webhooks_disabled_after_streak)
{
    ck_assert_int_eq(receiver_start(&s_receiver, NULL, 0, 500), 0);
    char id[48], path[128];
    s_subscribe(S_SECRET, id, NULL);
    s_department("streak1");
    s_department("streak2");
    ck_assert_msg(s_wait(s_hook_disabled, id, S_WAIT_MS), "not disabled");
    ck_assert(s_outbox_has("webhooks.webhook.disabled", "failure_streak"));
    snprintf(path, sizeof path, "/v1/webhooks/%s", id);
    json_t *hook = s_expect(200, S_SYSTEM, "GET", path, NULL);
    ck_assert_str_eq(s_str(hook, "disabled_reason"), "failure_streak");
    ck_assert_int_ge(
        json_integer_value(json_object_get(hook, "failure_streak")), 6);
    json_decref(hook);
    // Nothing more is sent while it is disabled: what was pending is
    // dead-lettered when it falls due.
    size_t sent = receiver_count(&s_receiver);
    ck_assert_uint_le(sent, 8);
    s_department("streak3"); // not queued: the webhook is not active
    snprintf(path, sizeof path, "/v1/webhooks/%s/enable", id);
    ck_assert_int_eq(s_http(S_TECH, "POST", path, "{}", NULL), 403);
    json_t *enabled = s_expect(200, S_SYSTEM, "POST", path, "{}");
    ck_assert_str_eq(s_str(enabled, "state"), "active");
    json_decref(enabled);
    snprintf(path, sizeof path, "/v1/webhooks/%s", id);
    enabled = s_expect(200, S_SYSTEM, "GET", path, NULL);
    ck_assert_int_eq(
        json_integer_value(json_object_get(enabled, "failure_streak")), 0);
    json_decref(enabled);
    ck_assert(s_outbox_has("webhooks.webhook.enabled", id));
    receiver_stop(&s_receiver);
    s_unsubscribe(id);
}
END_TEST

START_TEST(test_webhooks_refused)
{
    json_t *problem = NULL;
    const char *internal =
        "{\"url\":\"http://10.0.0.5/hook\",\"events\":[\"*\"]}";
    ck_assert_int_eq(
        s_http(S_SYSTEM, "POST", "/v1/webhooks", internal, &problem), 422);
    json_t *error = json_array_get(json_object_get(problem, "errors"), 0);
    ck_assert_str_eq(s_str(error, "field"), "url");
    json_decref(problem);
    const char *lookalike = "{\"url\":\"http://127.0.0.1.example.org:80/\","
                            "\"events\":[\"*\"]}";
    ck_assert_int_eq(s_http(S_SYSTEM, "POST", "/v1/webhooks", lookalike, NULL),
                     422);
    ck_assert_int_eq(s_http(S_SYSTEM, "POST", "/v1/webhooks",
                            "{\"url\":\"http://127.0.0.1/\",\"events\":"
                            "[\"Intake..x\"]}",
                            NULL),
                     400);
    const char *fine = "{\"url\":\"http://127.0.0.1:9/\",\"events\":[\"*\"]}";
    ck_assert_int_eq(s_http(S_TECH, "POST", "/v1/webhooks", fine, NULL), 403);
    ck_assert_int_eq(s_http(S_TECH, "GET", "/v1/webhooks", NULL, NULL), 403);
    json_t *hook = s_expect(201, S_HEAD, "POST", "/v1/webhooks", fine);
    char path[96];
    snprintf(path, sizeof path, "/v1/webhooks/%s", s_str(hook, "id"));
    ck_assert_int_eq(s_http(S_HEAD, "PATCH", path,
                            "{\"url\":\"http://metadata.internal/\"}", NULL),
                     422);
    json_t *off = s_expect(200, S_HEAD, "PATCH", path, "{\"active\":false}");
    ck_assert_str_eq(s_str(off, "state"), "disabled");
    json_decref(off);
    s_unsubscribe(s_str(hook, "id"));
    json_decref(hook);
}
END_TEST

// A webhook whose host is no longer allowed (as after the operator removed
// it from webhooks/allowed_hosts: its stored URL is rewritten here) is not
// sent to: its deliveries are dead-lettered, host_not_allowed.
START_TEST(test_webhooks_refused_again_at_delivery)
{
    ck_assert_int_eq(receiver_start(&s_receiver, NULL, 0, 200), 0);
    char id[48], key[96], url[96];
    s_subscribe(S_SECRET, id, NULL);
    snprintf(key, sizeof key, "sm:{webhooks}:webhook:%s", id);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", s_receiver.port);
    redisContext *redis = redisConnect("127.0.0.1", s_stack.redis.port);
    ck_assert(redis && !redis->err);
    redisReply *doc = redisCommand(redis, "HGET %s doc", key);
    ck_assert(doc && doc->type == REDIS_REPLY_STRING);
    char *text = strdup(doc->str), *at = strstr(text, url);
    ck_assert_ptr_nonnull(at);
    char moved[4096];
    snprintf(moved, sizeof moved, "%.*shttp://10.9.9.9/hook%s",
             (int)(at - text), text, at + strlen(url));
    freeReplyObject(redisCommand(redis, "HSET %s doc %s", key, moved));
    freeReplyObject(doc);
    free(text);
    redisFree(redis);
    s_department("moved1");
    s_wait_delivery(id, "dead-letters", "dead");
    json_t *dead = s_first(id, "dead-letters");
    ck_assert_str_eq(s_str(dead, "dead_reason"), "host_not_allowed");
    ck_assert_int_eq(json_integer_value(json_object_get(dead, "attempts")), 0);
    json_decref(dead);
    ck_assert_uint_eq(receiver_count(&s_receiver), 0);
    receiver_stop(&s_receiver);
    s_unsubscribe(id);
}
END_TEST

// https: nng's TLS on both sides; the receiver's certificate verifies
// against webhooks/ca_file (the suite's own CA) for the host 127.0.0.1.
START_TEST(test_webhooks_https)
{
    ck_assert_int_eq(
        receiver_start_tls(&s_receiver, s_cert_pem, s_key_pem, 200), 0);
    char id[48];
    s_subscribe_scheme("https", S_SECRET, id, NULL);
    s_department("tls1");
    s_wait_hits(1);
    receiver_hit_t hit;
    ck_assert_int_eq(receiver_hit(&s_receiver, 0, &hit), 0);
    char want[64];
    receiver_expected_signature(S_SECRET, &hit, want);
    ck_assert_str_eq(hit.signature, want);
    ck_assert(strstr(hit.body, "personnel.department.created"));
    s_wait_delivery(id, "deliveries", "delivered");
    receiver_stop(&s_receiver);
    s_unsubscribe(id);
}
END_TEST

Suite *
webhooks_suite(void)
{
    Suite *suite = suite_create("webhooks");
    TCase *tc = tcase_create("delivery");
    tcase_add_unchecked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, test_webhooks_signed_delivery);
    tcase_add_test(tc, test_webhooks_retries_keep_the_id);
    tcase_add_test(tc, test_webhooks_dead_letter_and_redeliver);
    tcase_add_test(tc, test_webhooks_disabled_after_streak);
    tcase_add_test(tc, test_webhooks_refused);
    tcase_add_test(tc, test_webhooks_refused_again_at_delivery);
    tcase_add_test(tc, test_webhooks_https);
    suite_add_tcase(suite, tc);
    return suite;
}
