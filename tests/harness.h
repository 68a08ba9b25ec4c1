// harness — helpers for integration suites (tests/*.c): free ports, a
// private redis-server, project binaries started with extra environment,
// their stdout captured to a file, waiting for a log event, kill and reap.
//
// Every wait polls with a timeout; nothing sleeps to synchronise. Binaries
// come from $SM_BIN_DIR (default build/debug/bin, relative to the repo root,
// which is the working directory of `make test`).
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define HARNESS_PATH_MAX     512
#define HARNESS_ENV_MAX      24    // extra environment variables per process
#define HARNESS_WAIT_MS      10000 // default wait for startup / log events
#define HARNESS_BIN_DEFAULT  "build/debug/bin"
#define HARNESS_RECENT_PORTS 64    // ports harness_free_port never repeats
#define HARNESS_LINE_MAX     16384 // longest log line read back (cm_log bound)

// The file the events of every stack go to (harness_events_dump).
#define HARNESS_EVENTS_LOG_ENV "SM_EVENTS_LOG"

// A private redis-server: free port, temp dir, AOF on, no RDB.
typedef struct {
    pid_t pid;                  // 0 when not running
    int port;                   // TCP port on 127.0.0.1
    char dir[HARNESS_PATH_MAX]; // data directory (removed by stop)
    // Why this stack's events are not checked against their contracts
    // (harness_redis_exempt_events), or NULL: they are.
    const char *events_exempt;
    // One event subject whose events are exempt (a suite that publishes a
    // contract-breaking event on purpose, to test its consumer), or NULL.
    const char *exempt_subject;
    const char *exempt_subject_reason;
} harness_redis_t;

// A spawned project binary.
typedef struct {
    pid_t pid;                  // 0 when not running
    char name[64];              // binary name, e.g. "hub"
    char log[HARNESS_PATH_MAX]; // file holding its stdout (and stderr)
    int status;                 // wait status after harness_proc_kill
} harness_proc_t;

// A TCP port on 127.0.0.1 that was free a moment ago; -1 on failure.
int harness_free_port(void);

// Start redis-server in a new temp dir on a free port and wait until it
// answers PING. 0, or -1 (nothing left running).
int harness_redis_start(harness_redis_t *redis);

// Start redis-server again on the same port and dir (data kept: AOF).
// 0 or -1.
int harness_redis_restart(harness_redis_t *redis);

// Stop redis-server (SIGTERM; it writes its AOF) and reap it; keeps the dir.
// First the events it holds go to the events log (harness_events_dump).
void harness_redis_halt(harness_redis_t *redis);

// harness_redis_halt, then remove the dir. Safe to call twice.
void harness_redis_stop(harness_redis_t *redis);

// Run one command against redis (C-string arguments; the macro adds the
// NULL end) and return the reply as text: integer or string value, "(nil)",
// "(array N)" or the error. Caller owns the result (free); NULL when Redis
// is unreachable.
char *harness_redis_cmd_list(const harness_redis_t *redis, const char *arg,
                             ...);
#define harness_redis_cmd(redis, ...)                                          \
    harness_redis_cmd_list(redis, __VA_ARGS__, (const char *)NULL)

// The events contract check (docs/events.md, "Contracts"): when
// $SM_EVENTS_LOG names a file, append to it every entry of every outbox
// stream of this Redis (those registered in sm:{hub}:streams and those a
// SCAN finds), one JSON line each: {"run": dir, "stream", "entry", "type",
// "event": the envelope as the hub relays it (seq, epoch) | "raw": the
// stored text, "exempt"?: reason}. harness_redis_halt calls it, so every
// test's events are written when its Redis stops; scripts/check-events
// validates the file. Does nothing when the variable is unset or Redis is
// not running; a failure is reported on stderr.
void harness_events_dump(const harness_redis_t *redis);

// Mark this stack's events as exempt from the contract check, for a suite
// of the bus itself that commits made-up envelopes or publishes made-up
// types (a static string: why). Call after harness_redis_start.
void harness_redis_exempt_events(harness_redis_t *redis, const char *reason);

// Mark only the events of one subject as exempt: a test that publishes a
// malformed event on purpose to show its consumer refuses it (static
// strings).
void harness_redis_exempt_subject(harness_redis_t *redis, const char *subject,
                                  const char *reason);

// The directory binaries come from: $SM_BIN_DIR or HARNESS_BIN_DEFAULT.
// Borrowed: static storage or the environment.
const char *harness_bin_dir(void);

// Start <bin dir>/<name> with extra "KEY=value" env entries (NULL-ended,
// at most HARNESS_ENV_MAX) added to ours; stdout and stderr go to a new
// temp file (proc->log, appended to across restarts of the same proc).
// 0 or -1.
int harness_proc_start(harness_proc_t *proc, const char *name,
                       const char *const *env);

// harness_proc_start for the executable at path, named `name` in logs (a
// test binary started again as a service of its own).
int harness_proc_start_path(harness_proc_t *proc, const char *name,
                            const char *path, const char *const *env);

// Wait up to timeout_ms until the log holds `count` lines whose "event" is
// `event`. True when it does.
bool harness_proc_wait_event(const harness_proc_t *proc, const char *event,
                             int count, int timeout_ms);

// Lines in the log whose "event" is `event`.
int harness_proc_count_event(const harness_proc_t *proc, const char *event);

// True while the process runs (not yet exited).
bool harness_proc_is_alive(harness_proc_t *proc);

// Send signal (SIGTERM, SIGKILL) and reap, waiting up to timeout_ms before
// SIGKILL. Keeps the log. Fails the running test (Check) when the log holds
// a sanitizer report. Returns 0, or -1 when it was not running.
int harness_proc_kill(harness_proc_t *proc, int signal, int timeout_ms);

// Remove the log file (after the test).
void harness_proc_cleanup(harness_proc_t *proc);

#endif
