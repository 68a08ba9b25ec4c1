// cm_curve — CURVE security for every ZeroMQ socket of the bus (cm_curve.h).
#include "cm_curve.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cm_log.h"

// In zmq.h's draft section, but Debian's libzmq 4.3 accepts it; the return
// code is checked, so a library that refuses it fails closed.
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#define S_ZAP_ENDPOINT   "inproc://zeromq.zap.01"
#define S_DENIED_LOG_MAX 1024 // distinct refused keys remembered for "once"

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static zcert_t *s_cert;       // own key pair; NULL: plain
static char s_broker_key[41]; // Z85 public keys of the servers
static char s_hub_key[41];
static char *s_clients_dir; // admitted client public keys
static zactor_t *s_zap;     // ZAP handler, started by the first server
static size_t s_denied;     // clients refused

// ---- the ZAP handler (RFC 27) -----------------------------------------------

// Answers one ZAP request: 200 for a CURVE client whose public key is in
// the store, 400 otherwise (logged once per key).
static void
s_zap_answer(zsock_t *handler, zcertstore_t *store, zhashx_t *logged)
{
    zmsg_t *request = zmsg_recv(handler);
    if (!request) {
        return;
    }
    char *version = zmsg_popstr(request);
    char *sequence = zmsg_popstr(request);
    char *domain = zmsg_popstr(request);
    char *address = zmsg_popstr(request);
    char *identity = zmsg_popstr(request);
    char *mechanism = zmsg_popstr(request);
    zframe_t *key = zmsg_pop(request);
    char client[41] = "";
    if (key && zframe_size(key) == 32) {
        zmq_z85_encode(client, zframe_data(key), 32);
    }
    bool ok = version && streq(version, "1.0") && mechanism
              && streq(mechanism, "CURVE") && client[0]
              && zcertstore_lookup(store, client) != NULL;
    if (!ok) {
        pthread_mutex_lock(&s_lock);
        s_denied++;
        pthread_mutex_unlock(&s_lock);
        const char *which = client[0] ? client : "-";
        if (!zhashx_lookup(logged, which)
            && zhashx_size(logged) < S_DENIED_LOG_MAX) {
            zhashx_insert(logged, which, "");
            cm_log_warn("curve.client.denied", "public_key", which, "address",
                        address ? address : "", "domain", domain ? domain : "",
                        "mechanism", mechanism ? mechanism : "");
        }
    }
    zmsg_t *reply = zmsg_new();
    zmsg_addstr(reply, "1.0");
    zmsg_addstr(reply, sequence ? sequence : "");
    zmsg_addstr(reply, ok ? "200" : "400");
    zmsg_addstr(reply, ok ? "OK" : "client key not listed");
    zmsg_addstr(reply, ok ? client : "");
    zmsg_addmem(reply, NULL, 0); // no metadata
    if (zmsg_send(&reply, handler) != 0) {
        zmsg_destroy(&reply);
    }
    zframe_destroy(&key);
    zstr_free(&version);
    zstr_free(&sequence);
    zstr_free(&domain);
    zstr_free(&address);
    zstr_free(&identity);
    zstr_free(&mechanism);
    zmsg_destroy(&request);
}

// args: the clients directory (copied by the actor before it signals).
static void
s_zap_actor(zsock_t *pipe, void *args)
{
    zsock_t *handler = zsock_new(ZMQ_REP);
    zcertstore_t *store = zcertstore_new((const char *)args);
    if (!handler || !store || zsock_bind(handler, S_ZAP_ENDPOINT) != 0) {
        zcertstore_destroy(&store);
        zsock_destroy(&handler);
        zsock_signal(pipe, 1);
        return;
    }
    zhashx_t *logged = zhashx_new();
    assert(logged);
    zsock_signal(pipe, 0);
    zpoller_t *poller = zpoller_new(pipe, handler, NULL);
    assert(poller);
    // Keep answering through SIGTERM: a draining process still owns its
    // sockets. Only $TERM from cm_curve_reset (or process exit) ends it.
    zpoller_set_nonstop(poller, true);
    while (true) {
        void *which = zpoller_wait(poller, -1);
        if (which == handler) {
            s_zap_answer(handler, store, logged);
        } else if (which == pipe || zpoller_terminated(poller)) {
            break;
        }
    }
    zpoller_destroy(&poller);
    zhashx_destroy(&logged);
    zcertstore_destroy(&store);
    zsock_destroy(&handler);
}

// ---- setup ------------------------------------------------------------------

static bool
s_zero_key(const char *z85)
{
    return strspn(z85, "0") == strlen(z85);
}

// Loads a public key (zcert file) into out (41 bytes).
static int
s_load_public(const char *dir, const char *name, char *out, char *error,
              size_t error_size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    zcert_t *cert = zcert_load(path);
    if (!cert || s_zero_key(zcert_public_txt(cert))) {
        snprintf(error, error_size, "cannot read the %s public key %s", name,
                 path);
        zcert_destroy(&cert);
        return -1;
    }
    snprintf(out, 41, "%s", zcert_public_txt(cert));
    zcert_destroy(&cert);
    return 0;
}

void
cm_curve_reset(void)
{
    pthread_mutex_lock(&s_lock);
    zactor_t *zap = s_zap;
    s_zap = NULL;
    zcert_destroy(&s_cert);
    free(s_clients_dir);
    s_clients_dir = NULL;
    s_broker_key[0] = s_hub_key[0] = '\0';
    s_denied = 0;
    pthread_mutex_unlock(&s_lock);
    zactor_destroy(&zap);
}

int
cm_curve_setup(const char *secret_key_file, const char *public_dir, char *error,
               size_t error_size)
{
    assert(error && error_size > 0);
    cm_curve_reset();
    if (!secret_key_file || !*secret_key_file) {
        return 0;
    }
    if (!zsys_has_curve()) {
        snprintf(error, error_size, "libzmq was built without CURVE");
        return -1;
    }
    if (!public_dir || !*public_dir) {
        snprintf(error, error_size,
                 "curve/public_dir is required with curve/secret_key_file");
        return -1;
    }
    zcert_t *cert = zcert_load(secret_key_file);
    if (!cert || s_zero_key(zcert_secret_txt(cert))) {
        snprintf(error, error_size, "cannot read a key pair from %s",
                 secret_key_file);
        zcert_destroy(&cert);
        return -1;
    }
    char broker[41], hub[41], clients[1024];
    snprintf(clients, sizeof clients, "%s/clients", public_dir);
    struct stat st;
    if (s_load_public(public_dir, "broker", broker, error, error_size) != 0
        || s_load_public(public_dir, "hub", hub, error, error_size) != 0) {
        zcert_destroy(&cert);
        return -1;
    }
    if (stat(clients, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(error, error_size, "no directory of client keys %s", clients);
        zcert_destroy(&cert);
        return -1;
    }
    pthread_mutex_lock(&s_lock);
    s_cert = cert;
    memcpy(s_broker_key, broker, sizeof s_broker_key);
    memcpy(s_hub_key, hub, sizeof s_hub_key);
    s_clients_dir = strdup(clients);
    assert(s_clients_dir);
    pthread_mutex_unlock(&s_lock);
    return 0;
}

void
cm_curve_setup_or_exit(const cm_config_t *config)
{
    char error[1200] = "";
    if (cm_curve_setup(cm_config_str(config, "curve/secret_key_file"),
                       cm_config_str(config, "curve/public_dir"), error,
                       sizeof error)
        != 0) {
        cm_log_error("curve.init_failed", "reason", error);
        exit(CM_CURVE_EXIT);
    }
    if (cm_curve_enabled()) {
        pthread_mutex_lock(&s_lock);
        char key[41];
        snprintf(key, sizeof key, "%s", zcert_public_txt(s_cert));
        pthread_mutex_unlock(&s_lock);
        cm_log_info("curve.enabled", "public_key", key);
    }
}

bool
cm_curve_enabled(void)
{
    pthread_mutex_lock(&s_lock);
    bool on = s_cert != NULL;
    pthread_mutex_unlock(&s_lock);
    return on;
}

size_t
cm_curve_denied_count(void)
{
    pthread_mutex_lock(&s_lock);
    size_t n = s_denied;
    pthread_mutex_unlock(&s_lock);
    return n;
}

// ---- sockets ----------------------------------------------------------------

static int
s_set_int(zsock_t *sock, int option, int value)
{
    return zmq_setsockopt(zsock_resolve(sock), option, &value, sizeof value);
}

static int
s_set_str(zsock_t *sock, int option, const char *value)
{
    return zmq_setsockopt(zsock_resolve(sock), option, value, strlen(value));
}

// Own keys onto sock; caller holds s_lock.
static int
s_apply_own(zsock_t *sock)
{
    if (s_set_str(sock, ZMQ_CURVE_PUBLICKEY, zcert_public_txt(s_cert)) != 0
        || s_set_str(sock, ZMQ_CURVE_SECRETKEY, zcert_secret_txt(s_cert))
               != 0) {
        return -1;
    }
    return 0;
}

int
cm_curve_server(zsock_t *sock)
{
    assert(sock);
    pthread_mutex_lock(&s_lock);
    if (!s_cert) {
        pthread_mutex_unlock(&s_lock);
        return 0;
    }
    int rc = 0;
    if (!s_zap) {
        // The handler binds before it signals: once zactor_new returns, the
        // server sockets below are answered by it.
        s_zap = zactor_new(s_zap_actor, s_clients_dir);
        if (!s_zap) {
            rc = -1;
        }
    }
    if (rc == 0
        && (s_apply_own(sock) != 0 || s_set_int(sock, ZMQ_CURVE_SERVER, 1) != 0
            || s_set_str(sock, ZMQ_ZAP_DOMAIN, CM_CURVE_DOMAIN) != 0
            || s_set_int(sock, ZMQ_ZAP_ENFORCE_DOMAIN, 1) != 0)) {
        rc = -1;
    }
    pthread_mutex_unlock(&s_lock);
    if (rc != 0) {
        cm_log_error("curve.socket_failed", "role", "server", "error",
                     zmq_strerror(errno));
    }
    return rc;
}

int
cm_curve_client(zsock_t *sock, const char *server)
{
    assert(sock && server);
    pthread_mutex_lock(&s_lock);
    if (!s_cert) {
        pthread_mutex_unlock(&s_lock);
        return 0;
    }
    const char *key = streq(server, "broker") ? s_broker_key
                      : streq(server, "hub")  ? s_hub_key
                                              : NULL;
    int rc = key && s_apply_own(sock) == 0
                     && s_set_str(sock, ZMQ_CURVE_SERVERKEY, key) == 0
                 ? 0
                 : -1;
    pthread_mutex_unlock(&s_lock);
    if (rc != 0) {
        cm_log_error("curve.socket_failed", "role", "client", "server", server,
                     "error", key ? zmq_strerror(errno) : "unknown server");
    }
    return rc;
}
