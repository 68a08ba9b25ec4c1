// bench/outbox — events/s from commit to a live subscriber, and from commit
// to a consumer group's effect. Starts its own redis-server (temp dir, AOF
// on) and runs the hub in-process (hub_actor). Bounded: N events (argv[1],
// default 20000), at most BENCH_DEADLINE_MS per phase. Prints figures only.
#include <arpa/inet.h>
#include <assert.h>
#include <czmq.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cm_events.h"
#include "cm_log.h"
#include "cm_outbox.h"
#include "cm_store.h"
#include "cm_time.h"
#include "hub.h"

#define BENCH_EVENTS_DEFAULT 20000
#define BENCH_BATCH          100 // commits per pipelined round trip
#define BENCH_DEADLINE_MS    60000

typedef struct {
    int port;            // Redis port
    int events;          // how many to commit
    const char *owner;   // producing service
    int64_t started_us;  // when committing began
    int64_t finished_us; // when the last commit returned
} bench_producer_t;

static int64_t
s_now_us(void)
{
    return zclock_usecs();
}

// n distinct free TCP ports on 127.0.0.1: all probes stay bound until
// every port is known, so none is handed out twice.
static int
s_free_ports(int *ports, int n)
{
    int fds[3] = {-1, -1, -1};
    assert(n <= 3);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        struct sockaddr_in addr = {.sin_family = AF_INET};
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&addr, len) != 0
            || getsockname(fds[i], (struct sockaddr *)&addr, &len) != 0) {
            rc = -1;
            break;
        }
        ports[i] = ntohs(addr.sin_port);
    }
    for (int i = 0; i < n; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
    return rc;
}

static pid_t
s_redis_start(int port, char *dir)
{
    if (!mkdtemp(dir)) {
        return -1;
    }
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        execlp("redis-server", "redis-server", "--port", port_text, "--bind",
               "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", "",
               (char *)NULL);
        _exit(127);
    }
    return pid;
}

static cm_store_t *
s_store_wait(int port)
{
    cm_store_t *store = cm_store_new("127.0.0.1", port, NULL, 1000);
    int64_t deadline = cm_time_mono_ms() + 10000;
    while (store && cm_store_ping(store) != 0 && cm_time_mono_ms() < deadline) {
        zclock_sleep(10); // polling redis-server start-up
    }
    return store;
}

// Commit events in pipelined batches; the envelope carries the commit time.
static void *
s_produce(void *arg)
{
    bench_producer_t *p = arg;
    cm_store_t *store = cm_store_new("127.0.0.1", p->port, NULL, 1000);
    // A producer registers its outbox so the hub relays it (cm_service does
    // this at start for every service).
    if (cm_outbox_register(cm_store_redis(store), p->owner) != 0) {
        fprintf(stderr, "bench/outbox: cannot register %s\n", p->owner);
    }
    cm_commit_t *commits[BENCH_BATCH];
    cm_commit_result_t results[BENCH_BATCH];
    int rcs[BENCH_BATCH];
    char type[64];
    snprintf(type, sizeof type, "%s.item.made", p->owner);
    p->started_us = s_now_us();
    for (int done = 0; store && done < p->events;) {
        int n = p->events - done < BENCH_BATCH ? p->events - done : BENCH_BATCH;
        for (int i = 0; i < n; i++) {
            char envelope[96];
            snprintf(envelope, sizeof envelope,
                     "{\"id\":\"%s-%d\",\"t_us\":%" PRId64 "}", p->owner,
                     done + i, s_now_us());
            commits[i] = cm_commit_new(p->owner);
            cm_commit_event(commits[i], type, envelope);
        }
        cm_store_commit_batch(store, (const cm_commit_t *const *)commits, n,
                              results, rcs);
        for (int i = 0; i < n; i++) {
            cm_commit_destroy(&commits[i]);
        }
        done += n;
    }
    p->finished_us = s_now_us();
    cm_store_destroy(&store);
    return NULL;
}

static int
s_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t
s_envelope_t_us(const char *envelope)
{
    const char *at = strstr(envelope, "\"t_us\":");
    return at ? strtoll(at + 7, NULL, 10) : 0;
}

static void
s_report(const char *what, int received, int events, int64_t started_us,
         int64_t ended_us, int64_t *latencies_us)
{
    qsort(latencies_us, (size_t)received, sizeof(int64_t), s_compare);
    double seconds = (double)(ended_us - started_us) / 1e6;
    int64_t p50 = received ? latencies_us[received / 2] : 0;
    int64_t p99 = received ? latencies_us[(received * 99) / 100] : 0;
    printf("%-28s %6d/%d events  %9.0f events/s  latency p50 %6.2f ms  "
           "p99 %6.2f ms\n",
           what, received, events, seconds > 0 ? received / seconds : 0.0,
           (double)p50 / 1000.0, (double)p99 / 1000.0);
}

static void
s_bench_live(int port, const char *pub_endpoint, int events)
{
    cm_store_t *store = cm_store_new("127.0.0.1", port, NULL, 1000);
    cm_live_t *live = cm_live_new(store, pub_endpoint);
    cm_live_subscribe(live, "evt.live.");
    cm_live_track(live, "sm:{live}:outbox", 0, "0-0");
    cm_event_t *event = NULL;
    // Let the subscription reach the hub (nothing to receive yet).
    (void)cm_live_next(live, 300, &event); // times out: no events exist
    int64_t *latencies = calloc((size_t)events, sizeof(int64_t));
    bench_producer_t producer = {
        .port = port, .events = events, .owner = "live"};
    pthread_t thread;
    pthread_create(&thread, NULL, s_produce, &producer);
    int received = 0;
    int64_t deadline = cm_time_mono_ms() + BENCH_DEADLINE_MS;
    while (received < events && cm_time_mono_ms() < deadline) {
        if (cm_live_next(live, 100, &event) == 1) {
            latencies[received++] =
                s_now_us() - s_envelope_t_us(event->envelope);
            cm_event_destroy(&event);
        }
    }
    int64_t ended = s_now_us();
    pthread_join(thread, NULL);
    printf("commit only (pipelined %d)   %9.0f commits/s\n", BENCH_BATCH,
           events
               / ((double)(producer.finished_us - producer.started_us) / 1e6));
    s_report("commit -> live subscriber", received, events, producer.started_us,
             ended, latencies);
    free(latencies);
    cm_live_destroy(&live);
    cm_store_destroy(&store);
}

typedef struct {
    int64_t *latencies; // per handled event
    int count;          // handled so far
    int capacity;       // size of latencies
} bench_sink_t;

static int
s_sink_effect(cm_store_t *store, const cm_event_t *event, cm_commit_t *commit,
              void *arg)
{
    (void)store; // unused: the effect reads nothing
    bench_sink_t *sink = arg;
    cm_commit_ledger(commit, "sm:{sink}:ledger:seen", event->id);
    if (sink->count < sink->capacity) {
        sink->latencies[sink->count++] =
            s_now_us() - s_envelope_t_us(event->envelope);
    }
    return 0;
}

// pipelined: the sink's subscription pipelines the commits of each read
// (cm_consumer_subscribe_pipelined; its handler reads nothing), else each
// event's commit is its own round trip. Either way one XACK per read.
static void
s_bench_group(int port, const char *pub_endpoint, int events, bool pipelined)
{
    cm_store_t *store = cm_store_new("127.0.0.1", port, NULL, 1000);
    cm_consumer_t *consumer =
        cm_consumer_new(store, "sink", "1", pub_endpoint, NULL);
    bench_sink_t sink = {.latencies = calloc((size_t)events, sizeof(int64_t)),
                         .capacity = events};
    const char *owner = pipelined ? "piped" : "group";
    if (pipelined) {
        cm_consumer_subscribe_pipelined(consumer, owner, NULL, s_sink_effect,
                                        &sink);
    } else {
        cm_consumer_subscribe(consumer, owner, NULL, s_sink_effect, &sink);
    }
    bench_producer_t producer = {
        .port = port, .events = events, .owner = owner};
    pthread_t thread;
    pthread_create(&thread, NULL, s_produce, &producer);
    int handled = 0;
    int64_t deadline = cm_time_mono_ms() + BENCH_DEADLINE_MS;
    while (handled < events && cm_time_mono_ms() < deadline) {
        int rc = cm_consumer_poll(consumer, 100);
        handled += rc > 0 ? rc : 0;
    }
    int64_t ended = s_now_us();
    pthread_join(thread, NULL);
    s_report(pipelined ? "commit -> group (pipelined)"
                       : "commit -> group effect",
             handled, events, producer.started_us, ended, sink.latencies);
    free(sink.latencies);
    cm_consumer_destroy(&consumer);
    cm_store_destroy(&store);
}

int
main(int argc, char **argv)
{
    zsys_set_logstream(stderr);
    cm_log_init("bench-outbox", "0");
    cm_log_set_level(CM_LOG_WARN);
    int events = argc > 1 ? atoi(argv[1]) : BENCH_EVENTS_DEFAULT;
    events = events > 0 ? events : BENCH_EVENTS_DEFAULT;
    char dir[] = "/tmp/sm-bench-outbox-XXXXXX";
    int ports[3] = {0, 0, 0};
    if (s_free_ports(ports, 3) != 0) {
        return 1;
    }
    int port = ports[0];
    pid_t redis = s_redis_start(port, dir);
    cm_store_t *probe = redis > 0 ? s_store_wait(port) : NULL;
    hub_options_t options = {.redis_port = port,
                             .redis_timeout_ms = 1000,
                             .sndhwm = 1000000,
                             .batch = 1000,
                             .block_ms = 100,
                             .discover_ms = 50,
                             .trim_interval_ms = 60000,
                             .trim_retention = 1000000,
                             .dedupe_ttl_ms = 60000};
    snprintf(options.redis_host, sizeof options.redis_host, "127.0.0.1");
    snprintf(options.pub_endpoint, sizeof options.pub_endpoint,
             "tcp://127.0.0.1:%d", ports[1]);
    snprintf(options.sub_endpoint, sizeof options.sub_endpoint,
             "tcp://127.0.0.1:%d", ports[2]);
    zactor_t *hub = probe ? zactor_new(hub_actor, &options) : NULL;
    int status = -1;
    if (hub && zsock_recv(hub, "i", &status) == 0 && status == 0) {
        printf("bench/outbox: %d events per phase, Redis AOF everysec\n",
               events);
        s_bench_live(port, options.pub_endpoint, events);
        s_bench_group(port, options.pub_endpoint, events, false);
        s_bench_group(port, options.pub_endpoint, events, true);
    } else {
        fprintf(stderr, "bench/outbox: could not start redis or the hub\n");
    }
    zactor_destroy(&hub);
    cm_store_destroy(&probe);
    if (redis > 0) {
        kill(redis, SIGTERM);
        waitpid(redis, NULL, 0);
    }
    char command[64];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0 && status == 0 ? 0 : 1;
}
