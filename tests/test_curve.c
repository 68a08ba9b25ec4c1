// CURVE on the bus, with the real broker and hub binaries and keys made by
// stationmaster-keys: a worker with an unlisted key cannot register (and is
// logged once), an unlisted publisher's events never reach the ingest
// stream, an unlisted subscriber hears nothing while a listed one gets the
// relayed event, and a process whose CURVE setup fails exits instead of
// running in plain TCP.
#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cm_curve.h"
#include "cm_events.h"
#include "cm_mdp_worker.h"
#include "cm_time.h"
#include "harness.h"
#include "suites.h"

#define S_WAIT_MS      10000
#define S_QUIET_MS     1000 // how long an unlisted peer keeps trying
#define S_ENV_TEXT_MAX 640

static char keys[64]; // stationmaster-keys output: secret/, public/
static char env_text[6][S_ENV_TEXT_MAX];
static const char *env[7];
static harness_proc_t proc;
static harness_redis_t redis_server;

static void
s_key_path(char *out, size_t size, const char *kind, const char *name)
{
    snprintf(out, size, "%s/%s/%s.key", keys, kind, name);
}

static void
setup(void)
{
    snprintf(keys, sizeof keys, "/tmp/sm_curve_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(keys));
    char command[1024];
    snprintf(command, sizeof command,
             "%s/stationmaster-keys %s broker hub gateway >/dev/null && "
             "%s/stationmaster-keys --unlisted %s stranger >/dev/null",
             harness_bin_dir(), keys, harness_bin_dir(), keys);
    ck_assert_int_eq(system(command), 0);
    memset(&proc, 0, sizeof proc);
    memset(&redis_server, 0, sizeof redis_server);
}

static void
teardown(void)
{
    cm_curve_reset();
    if (proc.pid > 0) {
        harness_proc_kill(&proc, SIGTERM, S_WAIT_MS);
    }
    harness_proc_cleanup(&proc);
    if (redis_server.pid > 0) {
        harness_redis_stop(&redis_server);
    }
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", keys);
    ck_assert_int_eq(system(command), 0);
}

// env for program `name` with its own key (secret_name) and two more
// entries (may be NULL).
static void
s_env(const char *secret_name, const char *one, const char *two)
{
    char path[512];
    s_key_path(path, sizeof path, "secret", secret_name);
    snprintf(env_text[0], S_ENV_TEXT_MAX, "SM_CURVE__SECRET_KEY_FILE=%s", path);
    snprintf(env_text[1], S_ENV_TEXT_MAX, "SM_CURVE__PUBLIC_DIR=%s/public",
             keys);
    int n = 2;
    for (int i = 0; i < n; i++) {
        env[i] = env_text[i];
    }
    if (one) {
        env[n++] = one;
    }
    if (two) {
        env[n++] = two;
    }
    env[n] = NULL;
}

// The test process as a bus program with key `name`.
static void
s_as(const char *name)
{
    char secret[512], public[512], error[512] = "";
    s_key_path(secret, sizeof secret, "secret", name);
    snprintf(public, sizeof public, "%s/public", keys);
    ck_assert_msg(cm_curve_setup(secret, public, error, sizeof error) == 0,
                  "%s", error);
}

START_TEST(test_curve_unlisted_worker_cannot_register)
{
    int port = harness_free_port();
    char port_env[64], endpoint[64];
    snprintf(port_env, sizeof port_env, "SM_BROKER__PORT=%d", port);
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    s_env("broker", port_env, NULL);
    ck_assert_int_eq(harness_proc_start(&proc, "broker", env), 0);
    ck_assert(harness_proc_wait_event(&proc, "broker.started", 1, S_WAIT_MS));
    // Twice with the stranger's key (a reconnect): refused, logged once.
    s_as("stranger");
    for (int i = 0; i < 2; i++) {
        cm_mdp_worker_t *worker = cm_mdp_worker_new(endpoint, "echo", 1, 100);
        ck_assert_ptr_nonnull(worker);
        ck_assert(harness_proc_wait_event(&proc, "curve.client.denied", 1,
                                          S_WAIT_MS));
        zclock_sleep(S_QUIET_MS / 2);
        cm_mdp_worker_destroy(&worker);
    }
    ck_assert_int_eq(harness_proc_count_event(&proc, "curve.client.denied"), 1);
    ck_assert_int_eq(harness_proc_count_event(&proc, "broker.worker.ready"), 0);
    // A plain TCP worker: no handshake, no registration.
    cm_curve_reset();
    cm_mdp_worker_t *plain = cm_mdp_worker_new(endpoint, "echo", 1, 100);
    ck_assert_ptr_nonnull(plain);
    zclock_sleep(S_QUIET_MS / 2);
    cm_mdp_worker_destroy(&plain);
    ck_assert_int_eq(harness_proc_count_event(&proc, "broker.worker.ready"), 0);
    // A listed key registers.
    s_as("gateway");
    cm_mdp_worker_t *worker = cm_mdp_worker_new(endpoint, "echo", 1, 100);
    ck_assert_ptr_nonnull(worker);
    ck_assert(
        harness_proc_wait_event(&proc, "broker.worker.ready", 1, S_WAIT_MS));
    cm_mdp_worker_destroy(&worker);
}
END_TEST

static long long
s_ingested(void)
{
    char *text = harness_redis_cmd(&redis_server, "XLEN", "sm:{ingest}:outbox");
    ck_assert_ptr_nonnull(text);
    long long n = atoll(text);
    free(text);
    return n;
}

// A socket of `type` towards the hub with key `name` (NULL: plain TCP).
static zsock_t *
s_hub_peer(int type, const char *name, const char *endpoint)
{
    zsock_t *pub = zsock_new(type);
    ck_assert_ptr_nonnull(pub);
    zsock_set_linger(pub, 0);
    if (name) {
        char path[512];
        s_key_path(path, sizeof path, "secret", name);
        zcert_t *cert = zcert_load(path);
        ck_assert_ptr_nonnull(cert);
        s_key_path(path, sizeof path, "public", "hub");
        zcert_t *hub = zcert_load(path);
        ck_assert_ptr_nonnull(hub);
        zcert_apply(cert, pub);
        zsock_set_curve_serverkey(pub, zcert_public_txt(hub));
        zcert_destroy(&hub);
        zcert_destroy(&cert);
    }
    if (type == ZMQ_SUB) {
        zsock_set_subscribe(pub, "");
    }
    ck_assert_int_eq(zsock_connect(pub, "%s", endpoint), 0);
    return pub;
}

// The first message on sub whose first frame starts with prefix, within ms;
// NULL when none. Caller owns the result.
static char *
s_receive(zsock_t *sub, const char *prefix, int ms)
{
    int64_t deadline = cm_time_mono_ms() + ms;
    zsock_set_rcvtimeo(sub, 50);
    while (cm_time_mono_ms() < deadline) {
        zmsg_t *msg = zmsg_recv(sub);
        char *first = msg ? zmsg_popstr(msg) : NULL;
        zmsg_destroy(&msg);
        if (first && strncmp(first, prefix, strlen(prefix)) == 0) {
            return first;
        }
        zstr_free(&first);
    }
    return NULL;
}

#define S_EVENT                                                                \
    "{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"pbx/curve\","         \
    "\"type\":\"call.received\",\"time\":\"2026-01-02T03:04:05Z\","            \
    "\"data\":{}}"

// Publish event `id` every 50 ms for ms milliseconds, or until the ingest
// stream holds `until` entries (0: the whole time).
static void
s_publish(zsock_t *pub, const char *id, int ms, long long until)
{
    char event[256];
    snprintf(event, sizeof event, S_EVENT, id);
    int64_t deadline = cm_time_mono_ms() + ms;
    while (cm_time_mono_ms() < deadline && !(until && s_ingested() >= until)) {
        zsock_send(pub, "ss", "evt.call.received", event);
        zclock_sleep(50);
    }
}

START_TEST(test_curve_unlisted_hub_peers_get_nothing)
{
    ck_assert_int_eq(harness_redis_start(&redis_server), 0);
    harness_redis_exempt_events(&redis_server,
                                "the CURVE suite: a made-up external event");
    char redis_env[64], ports_env[128], endpoint[64];
    int pub_port = harness_free_port();
    int sub_port = harness_free_port();
    snprintf(redis_env, sizeof redis_env, "SM_REDIS__PORT=%d",
             redis_server.port);
    snprintf(ports_env, sizeof ports_env, "SM_HUB__SUB_PORT=%d", sub_port);
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", sub_port);
    s_env("hub", redis_env, ports_env);
    char pub_env[64];
    snprintf(pub_env, sizeof pub_env, "SM_HUB__PUB_PORT=%d", pub_port);
    env[4] = pub_env;
    env[5] = NULL;
    ck_assert_int_eq(harness_proc_start(&proc, "hub", env), 0);
    ck_assert(harness_proc_wait_event(&proc, "hub.started", 1, S_WAIT_MS));

    // Subscribers to the XPUB: a listed one through cm_events (as the
    // services subscribe), one with the stranger's key.
    char events[64];
    snprintf(events, sizeof events, "tcp://127.0.0.1:%d", pub_port);
    s_as("gateway");
    zsock_t *listener = cm_events_sub_new(events);
    ck_assert_ptr_nonnull(listener);
    zsock_set_subscribe(listener, "evt.");
    char *hello = s_receive(listener, "sys.hello", S_WAIT_MS);
    ck_assert_ptr_nonnull(hello);
    zstr_free(&hello);
    zsock_t *eavesdropper = s_hub_peer(ZMQ_SUB, "stranger", events);

    zsock_t *stranger = s_hub_peer(ZMQ_PUB, "stranger", endpoint);
    s_publish(stranger, "from-stranger", S_QUIET_MS, 0);
    zsock_destroy(&stranger);
    zsock_t *plain = s_hub_peer(ZMQ_PUB, NULL, endpoint);
    s_publish(plain, "from-plain", S_QUIET_MS / 2, 0);
    zsock_destroy(&plain);
    zsock_t *listed = s_hub_peer(ZMQ_PUB, "gateway", endpoint);
    s_publish(listed, "from-listed", S_WAIT_MS, 1);
    zsock_destroy(&listed);

    ck_assert_int_eq(s_ingested(), 1);
    // The listed subscriber gets the relayed event; the stranger nothing,
    // not even the welcome.
    char *topic = s_receive(listener, "evt.call.received", S_WAIT_MS);
    ck_assert_ptr_nonnull(topic);
    zstr_free(&topic);
    char *heard = s_receive(eavesdropper, "", S_QUIET_MS / 2);
    ck_assert_ptr_null(heard);
    zsock_destroy(&eavesdropper);
    zsock_destroy(&listener);
    char *entries = harness_redis_cmd(
        &redis_server, "EVAL",
        "return cjson.encode(redis.call('XRANGE', KEYS[1], '-', '+'))", "1",
        "sm:{ingest}:outbox");
    ck_assert_ptr_nonnull(entries);
    ck_assert_ptr_nonnull(strstr(entries, "from-listed"));
    ck_assert_ptr_null(strstr(entries, "from-stranger"));
    ck_assert_ptr_null(strstr(entries, "from-plain"));
    free(entries);
    ck_assert_int_eq(harness_proc_count_event(&proc, "curve.client.denied"), 1);
}
END_TEST

// The program exits on its own, CM_CURVE_EXIT, with curve.init_failed.
static void
s_expect_exit(const char *name)
{
    ck_assert_int_eq(harness_proc_start(&proc, name, env), 0);
    int64_t deadline = cm_time_mono_ms() + S_WAIT_MS;
    while (harness_proc_is_alive(&proc) && cm_time_mono_ms() < deadline) {
        zclock_sleep(20);
    }
    ck_assert_msg(!harness_proc_is_alive(&proc), "%s kept running", name);
    ck_assert(WIFEXITED(proc.status));
    ck_assert_int_eq(WEXITSTATUS(proc.status), CM_CURVE_EXIT);
    ck_assert_int_ge(harness_proc_count_event(&proc, "curve.init_failed"), 1);
    ck_assert_int_eq(harness_proc_count_event(&proc, "broker.started"), 0);
}

START_TEST(test_curve_init_failure_exits)
{
    char port_env[64];
    snprintf(port_env, sizeof port_env, "SM_BROKER__PORT=%d",
             harness_free_port());
    // A key file that does not exist.
    s_env("missing", port_env, NULL);
    s_expect_exit("broker");
    // A public key where the key pair should be.
    snprintf(env_text[0], S_ENV_TEXT_MAX,
             "SM_CURVE__SECRET_KEY_FILE=%s/public/hub.key", keys);
    s_expect_exit("broker");
    // The servers' public keys missing.
    s_env("broker", port_env, NULL);
    snprintf(env_text[1], S_ENV_TEXT_MAX, "SM_CURVE__PUBLIC_DIR=%s/secret",
             keys);
    s_expect_exit("broker");
}
END_TEST

Suite *
curve_suite(void)
{
    Suite *suite = suite_create("curve");
    TCase *tc = tcase_create("bus");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_curve_unlisted_worker_cannot_register);
    tcase_add_test(tc, test_curve_unlisted_hub_peers_get_nothing);
    tcase_add_test(tc, test_curve_init_failure_exits);
    suite_add_tcase(suite, tc);
    return suite;
}
