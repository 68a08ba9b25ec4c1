// cm_curve: plain when unconfigured, setup failures reported, a listed
// client talks to a CURVE server, an unlisted or plain one never does (and
// is logged once).
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cm_curve.h"
#include "cm_log.h"
#include "cm_time.h"
#include "suites.h"

#define S_WAIT_MS 3000 // upper bound of every wait; never reached

static char dir[64];
static char own_file[128];
static zcert_t *own; // the process's key pair, also the servers' key
static FILE *log_file;

static void
s_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static void
setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/cm_curve_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    s_path(path, sizeof path, "public");
    ck_assert_int_eq(mkdir(path, 0700), 0);
    s_path(path, sizeof path, "public/clients");
    ck_assert_int_eq(mkdir(path, 0700), 0);
    own = zcert_new();
    ck_assert_ptr_nonnull(own);
    s_path(own_file, sizeof own_file, "own.key");
    ck_assert_int_eq(zcert_save_secret(own, own_file), 0);
    // In one process the server sockets and the clients share the key
    // pair: it is the broker's and the hub's, and a listed client.
    s_path(path, sizeof path, "public/broker.key");
    ck_assert_int_eq(zcert_save_public(own, path), 0);
    s_path(path, sizeof path, "public/hub.key");
    ck_assert_int_eq(zcert_save_public(own, path), 0);
    s_path(path, sizeof path, "public/clients/own.key");
    ck_assert_int_eq(zcert_save_public(own, path), 0);
    log_file = tmpfile();
    ck_assert_ptr_nonnull(log_file);
    cm_log_init("testsvc", "r1");
    cm_log_set_json(true);
    cm_log_set_level(CM_LOG_INFO);
    cm_log_set_stream(log_file);
}

static void
teardown(void)
{
    cm_curve_reset();
    cm_log_set_stream(NULL);
    fclose(log_file);
    zcert_destroy(&own);
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    ck_assert_int_eq(system(command), 0);
}

static int
s_log_count(const char *needle)
{
    fflush(log_file);
    rewind(log_file);
    char line[4096];
    int count = 0;
    while (fgets(line, sizeof line, log_file)) {
        count += strstr(line, needle) != NULL;
    }
    fseek(log_file, 0, SEEK_END);
    return count;
}

static char public_dir[96];

static void
s_enable(void)
{
    char error[256] = "";
    s_path(public_dir, sizeof public_dir, "public");
    ck_assert_msg(cm_curve_setup(own_file, public_dir, error, sizeof error)
                      == 0,
                  "%s", error);
    ck_assert(cm_curve_enabled());
}

// A bound ROUTER server through cm_curve_server; its endpoint in endpoint.
static zsock_t *
s_server(char *endpoint, size_t size)
{
    zsock_t *server = zsock_new(ZMQ_ROUTER);
    ck_assert_ptr_nonnull(server);
    zsock_set_linger(server, 0);
    ck_assert_int_eq(cm_curve_server(server), 0);
    int port = zsock_bind(server, "tcp://127.0.0.1:*");
    ck_assert_int_gt(port, 0);
    snprintf(endpoint, size, "tcp://127.0.0.1:%d", port);
    return server;
}

// True when a "ping" from client reaches server within ms.
static bool
s_delivered(zsock_t *client, zsock_t *server, int ms)
{
    zstr_send(client, "ping");
    zsock_set_rcvtimeo(server, ms);
    zmsg_t *msg = zmsg_recv(server);
    bool ok = msg && zmsg_size(msg) == 2;
    zmsg_destroy(&msg);
    return ok;
}

static zsock_t *
s_dealer(void)
{
    zsock_t *dealer = zsock_new(ZMQ_DEALER);
    ck_assert_ptr_nonnull(dealer);
    zsock_set_linger(dealer, 0);
    zsock_set_sndtimeo(dealer, 0);
    return dealer;
}

START_TEST(test_curve_plain_when_unconfigured)
{
    char error[256] = "";
    ck_assert_int_eq(cm_curve_setup("", "", error, sizeof error), 0);
    ck_assert(!cm_curve_enabled());
    char endpoint[64];
    zsock_t *server = s_server(endpoint, sizeof endpoint);
    zsock_t *client = s_dealer();
    ck_assert_int_eq(cm_curve_client(client, "broker"), 0);
    ck_assert_int_eq(zsock_connect(client, "%s", endpoint), 0);
    ck_assert(s_delivered(client, server, S_WAIT_MS));
    zsock_destroy(&client);
    zsock_destroy(&server);
}
END_TEST

START_TEST(test_curve_setup_failures)
{
    char error[256] = "";
    s_path(public_dir, sizeof public_dir, "public");
    char missing[128];
    s_path(missing, sizeof missing, "nothing.key");
    ck_assert_int_eq(cm_curve_setup(missing, public_dir, error, sizeof error),
                     -1);
    ck_assert_ptr_nonnull(strstr(error, "nothing.key"));
    ck_assert(!cm_curve_enabled());
    // A public-only file is not a key pair.
    char pub[128];
    s_path(pub, sizeof pub, "public/broker.key");
    ck_assert_int_eq(cm_curve_setup(pub, public_dir, error, sizeof error), -1);
    // No public_dir, or one without the servers' keys.
    ck_assert_int_eq(cm_curve_setup(own_file, "", error, sizeof error), -1);
    ck_assert_int_eq(cm_curve_setup(own_file, dir, error, sizeof error), -1);
    ck_assert_ptr_nonnull(strstr(error, "broker"));
    ck_assert(!cm_curve_enabled());
    // The error never carries key material.
    ck_assert_ptr_null(strstr(error, zcert_secret_txt(own)));
    s_enable();
    zsock_t *sock = s_dealer();
    ck_assert_int_eq(cm_curve_client(sock, "nobody"), -1);
    zsock_destroy(&sock);
}
END_TEST

START_TEST(test_curve_listed_client_talks)
{
    s_enable();
    char endpoint[64];
    zsock_t *server = s_server(endpoint, sizeof endpoint);
    zsock_t *client = s_dealer();
    ck_assert_int_eq(cm_curve_client(client, "broker"), 0);
    ck_assert_int_eq(zsock_connect(client, "%s", endpoint), 0);
    ck_assert(s_delivered(client, server, S_WAIT_MS));
    ck_assert_int_eq((int)cm_curve_denied_count(), 0);
    zsock_destroy(&client);
    zsock_destroy(&server);
}
END_TEST

START_TEST(test_curve_unlisted_and_plain_refused)
{
    s_enable();
    char endpoint[64];
    zsock_t *server = s_server(endpoint, sizeof endpoint);
    // A client with a valid key pair that is not listed, which knows the
    // server's key: the ZAP handler refuses it. A second connection with the
    // same key is refused too, and the key is logged once.
    zcert_t *stranger = zcert_new();
    for (int i = 1; i <= 2; i++) {
        zsock_t *client = s_dealer();
        zcert_apply(stranger, client);
        zsock_set_curve_serverkey(client, zcert_public_txt(own));
        ck_assert_int_eq(zsock_connect(client, "%s", endpoint), 0);
        ck_assert(!s_delivered(client, server, 300));
        int64_t until = cm_time_mono_ms() + S_WAIT_MS;
        while ((int)cm_curve_denied_count() < i && cm_time_mono_ms() < until) {
            zclock_sleep(10);
        }
        ck_assert_int_eq((int)cm_curve_denied_count(), i);
        zsock_destroy(&client);
    }
    ck_assert_int_eq(s_log_count("curve.client.denied"), 1);
    ck_assert_int_eq(s_log_count(zcert_public_txt(stranger)), 1);
    // A plain TCP client never gets through either.
    zsock_t *plain = s_dealer();
    ck_assert_int_eq(zsock_connect(plain, "%s", endpoint), 0);
    ck_assert(!s_delivered(plain, server, 300));
    zsock_destroy(&plain);
    // Listing the key admits it (the handler reads the directory again).
    char path[128];
    s_path(path, sizeof path, "public/clients/stranger.key");
    ck_assert_int_eq(zcert_save_public(stranger, path), 0);
    zsock_t *client = s_dealer();
    zcert_apply(stranger, client);
    zsock_set_curve_serverkey(client, zcert_public_txt(own));
    ck_assert_int_eq(zsock_connect(client, "%s", endpoint), 0);
    ck_assert(s_delivered(client, server, S_WAIT_MS));
    zsock_destroy(&client);
    zcert_destroy(&stranger);
    zsock_destroy(&server);
    // The secret never reaches the log.
    ck_assert_int_eq(s_log_count(zcert_secret_txt(own)), 0);
}
END_TEST

Suite *
cm_curve_suite(void)
{
    Suite *suite = suite_create("cm_curve");
    TCase *tc = tcase_create("curve");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_curve_plain_when_unconfigured);
    tcase_add_test(tc, test_curve_setup_failures);
    tcase_add_test(tc, test_curve_listed_client_talks);
    tcase_add_test(tc, test_curve_unlisted_and_plain_refused);
    suite_add_tcase(suite, tc);
    return suite;
}
