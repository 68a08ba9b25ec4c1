#include "gateway_front.h"

#include <arpa/inet.h>
#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cm_log.h"
#include "cm_time.h"
#include "gateway_conn.h"
#include "gateway_response.h"
#include "gateway_wire.h"

#define S_UPSTREAM_SIDE   1ULL // low bit of a slot pointer in poll data
#define S_LISTENER        0ULL // poll data of the listening socket
#define S_REPLIES         2ULL // poll data of the reply queue
#define S_ACCEPT_PAUSE_MS 100  // out of descriptors: accept again after

// One connection in the poller.
typedef struct {
    gateway_conn_t *conn;                // owned
    void *handle;                        // its item in conns
    char peer[GATEWAY_WIRE_ADDRESS_MAX]; // key in per_peer
    uint64_t id;                         // key in by_id
    bool upstream_added;                 // upstream fd is in the poller
} s_slot_t;

struct gateway_front {
    gateway_front_config_t config; // strings point to the copies below
    char *bind;                    // owned copy
    char *trusted;                 // owned copy
    int listen_fd;                 // owned
    int epoll_fd;                  // owned
    int port;                      // bound port
    pthread_t thread;              // the front thread
    bool started;                  // thread running
    atomic_bool stopping;          // set by gateway_front_stop
    zlistx_t *slots;               // s_slot_t (owned)
    zhashx_t *per_peer;            // peer address → size_t* open connections
    zhashx_t *by_id;               // connection id → s_slot_t (borrowed)
    uint64_t next_id;              // the next connection's id
    gateway_queue_t *replies;      // gateway_reply_t for served requests
    int64_t accept_paused_until;   // monotonic; 0: accepting
};

// ---- poller --------------------------------------------------------------

static void
s_poll_set(gateway_front_t *self, int op, int fd, uint32_t events,
           uint64_t data)
{
    struct epoll_event event = {.events = events, .data.u64 = data};
    if (epoll_ctl(self->epoll_fd, op, fd, &event) != 0 && errno != ENOENT) {
        cm_log_warn("front.poll_failed", "error", strerror(errno));
    }
}

// Register a slot's fds for what its connection waits for now.
static void
s_update(gateway_front_t *self, s_slot_t *slot, bool first)
{
    uint32_t client = 0, upstream = 0;
    if (!gateway_conn_interest(slot->conn, &client, &upstream) && !first) {
        return;
    }
    uint64_t data = (uint64_t)(uintptr_t)slot;
    s_poll_set(self, first ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
               gateway_conn_client_fd(slot->conn), client, data);
    int upstream_fd = gateway_conn_upstream_fd(slot->conn);
    if (upstream_fd >= 0) {
        s_poll_set(self, slot->upstream_added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
                   upstream_fd, upstream, data | S_UPSTREAM_SIDE);
        slot->upstream_added = true;
    }
}

// ---- connections ---------------------------------------------------------

static size_t *
s_peer_count(gateway_front_t *self, const char *peer)
{
    size_t *count = zhashx_lookup(self->per_peer, peer);
    if (!count) {
        count = calloc(1, sizeof *count);
        assert(count);
        zhashx_insert(self->per_peer, peer, count);
    }
    return count;
}

static void
s_slot_free(gateway_front_t *self, s_slot_t *slot)
{
    size_t *count = zhashx_lookup(self->per_peer, slot->peer);
    if (count && --*count == 0) {
        zhashx_delete(self->per_peer, slot->peer);
    }
    zhashx_delete(self->by_id, &slot->id);
    gateway_conn_destroy(&slot->conn); // closing its fds unregisters them
    free(slot);
}

// A non-blocking loopback connection to nng; -1 when it cannot be made.
static int
s_connect_upstream(gateway_front_t *self, bool *connecting)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    int one = 1;
    // Best effort: small requests go out at once either way.
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_port = htons((uint16_t)self->config.upstream_port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&address, sizeof address);
    *connecting = rc != 0 && errno == EINPROGRESS;
    if (rc != 0 && !*connecting) {
        close(fd);
        return -1;
    }
    return fd;
}

// A request a connection serves (gateway_conn_serve_fn): to the owner's
// serve function, with the queue its response comes back through.
static void
s_serve(void *arg, const gateway_conn_local_t *local)
{
    gateway_front_t *self = arg;
    self->config.serve(self->config.serve_arg, local, self->replies);
}

// Take one accepted client: relayed, or refused when its address holds
// too many connections or nng cannot be reached.
static void
s_admit(gateway_front_t *self, int fd, const char *peer, int64_t now)
{
    int one = 1;
    // Best effort: responses are small and must not wait for Nagle.
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    bool trusted = gateway_wire_address_in(peer, self->trusted);
    size_t *count = s_peer_count(self, peer);
    bool over = !trusted && *count >= (size_t)self->config.max_per_client;
    bool connecting = false;
    int upstream = over ? -1 : s_connect_upstream(self, &connecting);
    gateway_conn_limits_t limits = {
        self->config.header_timeout_ms, self->config.idle_timeout_ms,
        self->config.metrics, self->config.serve ? s_serve : NULL, self};
    s_slot_t *slot = calloc(1, sizeof *slot);
    assert(slot);
    slot->id = ++self->next_id;
    slot->conn = gateway_conn_new(slot->id, fd, upstream, connecting, peer,
                                  trusted, &limits, now);
    assert(slot->conn);
    snprintf(slot->peer, sizeof slot->peer, "%s", peer);
    (*count)++;
    if (over) {
        gateway_conn_refuse(slot->conn, 429, "too_many_connections",
                            "too many open connections from this address", now);
    } else if (upstream < 0) {
        gateway_conn_refuse(slot->conn, 503, "unavailable",
                            "the gateway cannot take requests now", now);
    }
    slot->handle = zlistx_add_end(self->slots, slot);
    zhashx_insert(self->by_id, &slot->id, slot);
    s_update(self, slot, true);
}

static void
s_peer_text(const struct sockaddr_storage *address, char *text, size_t size)
{
    const void *bytes =
        address->ss_family == AF_INET6
            ? (const void *)&((const struct sockaddr_in6 *)address)->sin6_addr
            : (const void *)&((const struct sockaddr_in *)address)->sin_addr;
    if (!inet_ntop(address->ss_family, bytes, text, (socklen_t)size)) {
        snprintf(text, size, "unknown");
    }
}

// accept4 is a GNU extension: set the flags by hand. 0 or -1.
static int
s_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0
        || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        return -1;
    }
    return 0;
}

static void
s_accept_all(gateway_front_t *self, int64_t now)
{
    for (;;) {
        struct sockaddr_storage address;
        socklen_t size = sizeof address;
        int fd = accept(self->listen_fd, (struct sockaddr *)&address, &size);
        if (fd >= 0 && s_nonblocking(fd) != 0) {
            close(fd);
            continue;
        }
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS
                || errno == ENOMEM) {
                cm_log_warn("front.accept_paused", "error", strerror(errno));
                s_poll_set(self, EPOLL_CTL_DEL, self->listen_fd, 0, 0);
                self->accept_paused_until = now + S_ACCEPT_PAUSE_MS;
            }
            return; // EAGAIN: all taken; others: the client went away
        }
        char peer[GATEWAY_WIRE_ADDRESS_MAX];
        s_peer_text(&address, peer, sizeof peer);
        s_admit(self, fd, peer, now);
    }
}

// ---- the loop --------------------------------------------------------------

static void
s_sweep(gateway_front_t *self)
{
    s_slot_t *slot = zlistx_first(self->slots);
    while (slot) {
        s_slot_t *next = zlistx_next(self->slots);
        if (gateway_conn_is_done(slot->conn)) {
            zlistx_detach(self->slots, slot->handle);
            s_slot_free(self, slot);
        }
        slot = next;
    }
}

static void
s_tick(gateway_front_t *self, int64_t now)
{
    for (s_slot_t *slot = zlistx_first(self->slots); slot;
         slot = zlistx_next(self->slots)) {
        gateway_conn_on_tick(slot->conn, now);
        if (!gateway_conn_is_done(slot->conn)) {
            s_update(self, slot, false);
        }
    }
    if (self->accept_paused_until && now >= self->accept_paused_until
        && !atomic_load(&self->stopping)) {
        self->accept_paused_until = 0;
        s_poll_set(self, EPOLL_CTL_ADD, self->listen_fd, EPOLLIN, S_LISTENER);
    }
}

// Responses to served requests, each to its connection (gone: dropped).
static void
s_take_replies(gateway_front_t *self, int64_t now)
{
    gateway_batch_t batch = {0};
    gateway_queue_take(self->replies, &batch);
    for (size_t i = 0; i < batch.count; i++) {
        gateway_reply_t *reply = batch.items[i];
        s_slot_t *slot = zhashx_lookup(self->by_id, &reply->conn_id);
        if (slot && !gateway_conn_is_done(slot->conn)) {
            gateway_conn_on_reply(slot->conn, reply->seq, reply->data,
                                  reply->size, reply->close, now);
            reply->data = NULL;
            if (!gateway_conn_is_done(slot->conn)) {
                s_update(self, slot, false);
            }
        }
        gateway_reply_destroy(&reply);
    }
    gateway_batch_clear(&batch);
}

static void
s_handle(gateway_front_t *self, const struct epoll_event *event, int64_t now)
{
    if (event->data.u64 == S_LISTENER) {
        s_accept_all(self, now);
        return;
    }
    if (event->data.u64 == S_REPLIES) {
        s_take_replies(self, now);
        return;
    }
    // Poll data is a slot pointer with the side in its low bit (slots are
    // aligned).
    uintptr_t bits = (uintptr_t)(event->data.u64 & ~S_UPSTREAM_SIDE);
    // NOLINTNEXTLINE(performance-no-int-to-ptr): see above
    s_slot_t *slot = (s_slot_t *)bits;
    if (gateway_conn_is_done(slot->conn)) {
        return; // swept after this batch
    }
    if (event->data.u64 & S_UPSTREAM_SIDE) {
        gateway_conn_on_upstream(slot->conn, event->events, now);
    } else {
        gateway_conn_on_client(slot->conn, event->events, now);
    }
    if (!gateway_conn_is_done(slot->conn)) {
        s_update(self, slot, false);
    }
}

static void *
s_run(void *arg)
{
    gateway_front_t *self = arg;
    struct epoll_event events[GATEWAY_FRONT_EVENTS];
    int64_t next_tick = cm_time_mono_ms() + GATEWAY_FRONT_TICK_MS;
    int64_t drain_until = 0;
    while (
        !drain_until
        || (zlistx_size(self->slots) > 0 && cm_time_mono_ms() < drain_until)) {
        if (!drain_until && atomic_load(&self->stopping)) {
            s_poll_set(self, EPOLL_CTL_DEL, self->listen_fd, 0, 0);
            drain_until = cm_time_mono_ms() + GATEWAY_FRONT_DRAIN_MS;
        }
        int count = epoll_wait(self->epoll_fd, events, GATEWAY_FRONT_EVENTS,
                               GATEWAY_FRONT_TICK_MS);
        int64_t now = cm_time_mono_ms();
        for (int i = 0; i < count; i++) {
            s_handle(self, &events[i], now);
        }
        if (now >= next_tick) {
            s_tick(self, now);
            next_tick = now + GATEWAY_FRONT_TICK_MS;
        }
        s_sweep(self);
    }
    return NULL;
}

// ---- lifecycle -------------------------------------------------------------

// A listening socket on bind:port; -1 (logged) on failure.
static int
s_listen(const char *bind_address, int port)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(bind_address, service, &hints, &found);
    if (rc != 0) {
        cm_log_error("front.listen_failed", "bind", bind_address, "error",
                     gai_strerror(rc));
        return -1;
    }
    int fd = socket(found->ai_family,
                    found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one)
        || bind(fd, found->ai_addr, found->ai_addrlen) != 0
        || listen(fd, GATEWAY_FRONT_BACKLOG) != 0) {
        cm_log_error("front.listen_failed", "bind", bind_address, "#port",
                     CM_LOG_INT(port), "error", strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        fd = -1;
    }
    freeaddrinfo(found);
    return fd;
}

static int
s_bound_port(int fd)
{
    struct sockaddr_storage address;
    socklen_t size = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &size) != 0) {
        return -1;
    }
    return address.ss_family == AF_INET6
               ? ntohs(((struct sockaddr_in6 *)&address)->sin6_port)
               : ntohs(((struct sockaddr_in *)&address)->sin_port);
}

// by_id's keys: pointers to the slots' ids (borrowed).
static int
s_id_compare(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static size_t
s_id_hash(const void *key)
{
    return (size_t)(*(const uint64_t *)key * 0x9E3779B97F4A7C15ULL);
}

static void
s_free_count(void **item)
{
    free(*item);
    *item = NULL;
}

gateway_front_t *
gateway_front_new(const gateway_front_config_t *config)
{
    gateway_front_t *self = calloc(1, sizeof *self);
    assert(self);
    self->config = *config;
    self->bind = strdup(config->bind);
    self->trusted =
        strdup(config->trusted_proxies ? config->trusted_proxies : "");
    assert(self->bind && self->trusted);
    self->config.bind = self->bind;
    self->config.trusted_proxies = self->trusted;
    self->slots = zlistx_new();
    self->per_peer = zhashx_new();
    assert(self->slots && self->per_peer);
    zhashx_set_destructor(self->per_peer, s_free_count);
    self->by_id = zhashx_new();
    assert(self->by_id);
    zhashx_set_key_duplicator(self->by_id, NULL);
    zhashx_set_key_destructor(self->by_id, NULL);
    zhashx_set_key_comparator(self->by_id, s_id_compare);
    zhashx_set_key_hasher(self->by_id, s_id_hash);
    self->replies = gateway_queue_new();
    atomic_init(&self->stopping, false);
    self->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    self->listen_fd = s_listen(config->bind, config->port);
    if (self->epoll_fd < 0 || self->listen_fd < 0 || !self->replies) {
        gateway_front_destroy(&self);
        return NULL;
    }
    self->port = s_bound_port(self->listen_fd);
    s_poll_set(self, EPOLL_CTL_ADD, self->listen_fd, EPOLLIN, S_LISTENER);
    s_poll_set(self, EPOLL_CTL_ADD, gateway_queue_fd(self->replies), EPOLLIN,
               S_REPLIES);
    return self;
}

void
gateway_front_destroy(gateway_front_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    gateway_front_t *self = *self_p;
    gateway_front_stop(self);
    s_slot_t *slot;
    while ((slot = zlistx_detach(self->slots, NULL))) {
        s_slot_free(self, slot);
    }
    zlistx_destroy(&self->slots);
    zhashx_destroy(&self->per_peer);
    zhashx_destroy(&self->by_id);
    if (self->replies) {
        gateway_queue_close(self->replies);
        gateway_batch_t batch = {0};
        gateway_queue_take(self->replies, &batch);
        for (size_t i = 0; i < batch.count; i++) {
            gateway_reply_t *reply = batch.items[i];
            gateway_reply_destroy(&reply);
        }
        gateway_batch_clear(&batch);
        gateway_queue_destroy(&self->replies);
    }
    if (self->listen_fd >= 0) {
        close(self->listen_fd);
    }
    if (self->epoll_fd >= 0) {
        close(self->epoll_fd);
    }
    free(self->bind);
    free(self->trusted);
    free(self);
    *self_p = NULL;
}

int
gateway_front_start(gateway_front_t *self)
{
    if (pthread_create(&self->thread, NULL, s_run, self) != 0) {
        return -1;
    }
    self->started = true;
    return 0;
}

int
gateway_front_port(const gateway_front_t *self)
{
    return self->port;
}

void
gateway_front_stop(gateway_front_t *self)
{
    atomic_store(&self->stopping, true);
    if (self->started) {
        pthread_join(self->thread, NULL);
        self->started = false;
    }
}
