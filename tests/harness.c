#include "harness.h"

#include <arpa/inet.h>
#include <assert.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cm_redis.h"
#include "cm_time.h"

#define HARNESS_POLL_MS   10
#define HARNESS_ARGS_MAX  32
#define HARNESS_REPLY_MAX 4096

extern char **environ;

// Wait a short while between polls; polling (with a deadline) is how the
// harness waits for another process.
static void
s_pause(void)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = HARNESS_POLL_MS * 1000000L};
    nanosleep(&ts, NULL);
}

static int s_probe_port(void);

int
harness_free_port(void)
{
    // The kernel may hand the same ephemeral port out again right after it
    // was closed; a stack asks for several ports before binding any, so
    // never return one of the last few again.
    static int recent[HARNESS_RECENT_PORTS];
    static size_t next;
    for (int tries = 0; tries < 100; tries++) {
        int port = s_probe_port();
        bool seen = false;
        for (size_t i = 0; i < HARNESS_RECENT_PORTS; i++) {
            seen = seen || recent[i] == port;
        }
        if (port > 0 && !seen) {
            recent[next++ % HARNESS_RECENT_PORTS] = port;
            return port;
        }
    }
    return -1;
}

static int
s_probe_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0
        && getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    close(fd);
    return port;
}

static pid_t
s_spawn_redis(const harness_redis_t *redis)
{
    char port[16];
    snprintf(port, sizeof port, "%d", redis->port);
    pid_t pid = fork();
    if (pid == 0) {
        // Like every child of a test: dies with it, and never holds the
        // runner's stdout or stderr (a pipe the CI reads to its end).
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL); // best effort; Linux only
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
            close(null);
        }
        execlp("redis-server", "redis-server", "--port", port, "--bind",
               "127.0.0.1", "--dir", redis->dir, "--appendonly", "yes",
               "--save", "", "--daemonize", "no", "--protected-mode", "no",
               "--set-max-intset-entries", "8192", "--stream-node-max-bytes",
               "1024", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static bool
s_redis_answers(const harness_redis_t *redis)
{
    char *pong = harness_redis_cmd(redis, "PING");
    bool ok = pong && strcmp(pong, "PONG") == 0;
    free(pong);
    return ok;
}

int
harness_redis_restart(harness_redis_t *redis)
{
    assert(redis && redis->pid == 0 && redis->port > 0);
    redis->pid = s_spawn_redis(redis);
    if (redis->pid < 0) {
        redis->pid = 0;
        return -1;
    }
    int64_t deadline = cm_time_mono_ms() + HARNESS_WAIT_MS;
    while (cm_time_mono_ms() < deadline) {
        if (s_redis_answers(redis)) {
            return 0;
        }
        if (waitpid(redis->pid, NULL, WNOHANG) == redis->pid) {
            break; // it died (port taken?)
        }
        s_pause();
    }
    harness_redis_halt(redis);
    return -1;
}

int
harness_redis_start(harness_redis_t *redis)
{
    assert(redis);
    memset(redis, 0, sizeof *redis);
    snprintf(redis->dir, sizeof redis->dir, "/tmp/sm-redis-XXXXXX");
    if (!mkdtemp(redis->dir)) {
        return -1;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
        redis->port = harness_free_port();
        if (redis->port > 0 && harness_redis_restart(redis) == 0) {
            return 0;
        }
    }
    harness_redis_stop(redis);
    return -1;
}

void
harness_redis_halt(harness_redis_t *redis)
{
    assert(redis);
    if (redis->pid > 0) {
        harness_events_dump(redis);
        kill(redis->pid, SIGTERM);
        waitpid(redis->pid, NULL, 0);
        redis->pid = 0;
    }
}

void
harness_redis_stop(harness_redis_t *redis)
{
    assert(redis);
    harness_redis_halt(redis);
    if (redis->dir[0]) {
        char command[HARNESS_PATH_MAX + 16];
        snprintf(command, sizeof command, "rm -rf '%s'", redis->dir);
        if (system(command) != 0) {
            fprintf(stderr, "harness: cannot remove %s\n", redis->dir);
        }
        redis->dir[0] = '\0';
    }
}

static char *
s_reply_text(const redisReply *reply)
{
    char buf[HARNESS_REPLY_MAX];
    switch (reply->type) {
    case REDIS_REPLY_INTEGER:
        snprintf(buf, sizeof buf, "%lld", reply->integer);
        break;
    case REDIS_REPLY_NIL:
        snprintf(buf, sizeof buf, "(nil)");
        break;
    case REDIS_REPLY_ARRAY:
        snprintf(buf, sizeof buf, "(array %zu)", reply->elements);
        break;
    default:
        snprintf(buf, sizeof buf, "%s", reply->str ? reply->str : "");
    }
    char *text = strdup(buf);
    assert(text);
    return text;
}

char *
harness_redis_cmd_list(const harness_redis_t *redis, const char *arg, ...)
{
    assert(redis && arg);
    const char *argv[HARNESS_ARGS_MAX];
    int argc = 0;
    va_list ap;
    va_start(ap, arg);
    // The analyzer loses va_start when the call comes through the
    // harness_redis_cmd macro in this file: a false positive.
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
    for (const char *a = arg; a; a = va_arg(ap, const char *)) {
        assert(argc < HARNESS_ARGS_MAX);
        argv[argc++] = a;
    }
    va_end(ap);
    struct timeval tv = {.tv_sec = 1, .tv_usec = 0};
    redisContext *ctx = redisConnectWithTimeout("127.0.0.1", redis->port, tv);
    if (!ctx || ctx->err) {
        if (ctx) {
            redisFree(ctx);
        }
        return NULL;
    }
    redisSetTimeout(ctx, tv);
    redisReply *reply = redisCommandArgv(ctx, argc, argv, NULL);
    char *text = reply ? s_reply_text(reply) : NULL;
    freeReplyObject(reply);
    redisFree(ctx);
    return text;
}

const char *
harness_bin_dir(void)
{
    const char *dir = getenv("SM_BIN_DIR");
    return dir && *dir ? dir : HARNESS_BIN_DEFAULT;
}

// In the child: extra env, stdout/stderr to the log, exec. Never returns.
static void
s_exec_child(const harness_proc_t *proc, const char *path,
             const char *const *env)
{
    // The child dies with the test that started it: a test that fails
    // before its teardown must not leave a stack running for ever.
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL); // best effort; Linux only
    for (size_t i = 0; env && env[i] && i < HARNESS_ENV_MAX; i++) {
        putenv((char *)env[i]); // the child owns its copy of the strings
    }
    setenv("LOG_FORMAT", "json", 1);
    int fd = open(proc->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    execl(path, path, (char *)NULL);
    _exit(127);
}

int
harness_proc_start(harness_proc_t *proc, const char *name,
                   const char *const *env)
{
    char path[HARNESS_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", harness_bin_dir(), name);
    return harness_proc_start_path(proc, name, path, env);
}

int
harness_proc_start_path(harness_proc_t *proc, const char *name,
                        const char *path, const char *const *env)
{
    assert(proc && name && path && strlen(name) < sizeof proc->name);
    if (strcmp(proc->name, name) != 0 || !proc->log[0]) {
        memset(proc, 0, sizeof *proc);
        snprintf(proc->name, sizeof proc->name, "%s", name);
        snprintf(proc->log, sizeof proc->log, "/tmp/sm-%s-XXXXXX.log", name);
        int fd = mkstemps(proc->log, 4);
        if (fd < 0) {
            return -1;
        }
        close(fd);
    }
    if (access(path, X_OK) != 0) {
        fprintf(stderr, "harness: %s is not executable\n", path);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        s_exec_child(proc, path, env);
    }
    proc->pid = pid;
    return 0;
}

int
harness_proc_count_event(const harness_proc_t *proc, const char *event)
{
    assert(proc && event);
    char needle[256];
    snprintf(needle, sizeof needle, "\"event\":\"%s\"", event);
    FILE *file = fopen(proc->log, "r");
    if (!file) {
        return 0;
    }
    int count = 0;
    char *line = NULL;
    size_t size = 0;
    while (getline(&line, &size, file) >= 0) {
        if (strstr(line, needle)) {
            count++;
        }
    }
    free(line);
    fclose(file);
    return count;
}

bool
harness_proc_wait_event(const harness_proc_t *proc, const char *event,
                        int count, int timeout_ms)
{
    int64_t deadline = cm_time_mono_ms() + timeout_ms;
    while (harness_proc_count_event(proc, event) < count) {
        if (cm_time_mono_ms() >= deadline) {
            return false;
        }
        s_pause();
    }
    return true;
}

bool
harness_proc_is_alive(harness_proc_t *proc)
{
    assert(proc);
    if (proc->pid <= 0) {
        return false;
    }
    if (waitpid(proc->pid, &proc->status, WNOHANG) == proc->pid) {
        proc->pid = 0;
        return false;
    }
    return true;
}

// Fail the running test when the process's log holds a sanitizer report
// (ASan, LeakSanitizer, UBSan): the ASan run of the integration suites
// spawns ASan binaries, whose reports would otherwise go unseen.
static void
s_check_sanitizer_report(const harness_proc_t *proc)
{
    static const char *markers[] = {"ERROR: AddressSanitizer",
                                    "ERROR: LeakSanitizer", "runtime error:"};
    FILE *log = fopen(proc->log, "r");
    if (!log) {
        return;
    }
    char line[HARNESS_LINE_MAX];
    const char *found = NULL;
    while (!found && fgets(line, sizeof line, log)) {
        for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
            if (strstr(line, markers[i])) {
                found = markers[i];
            }
        }
    }
    fclose(log);
    ck_assert_msg(found == NULL, "%s: sanitizer report (%s) in %s", proc->name,
                  found ? found : "", proc->log);
}

int
harness_proc_kill(harness_proc_t *proc, int signal, int timeout_ms)
{
    assert(proc);
    if (!harness_proc_is_alive(proc)) {
        return -1;
    }
    kill(proc->pid, signal);
    int64_t deadline = cm_time_mono_ms() + timeout_ms;
    while (waitpid(proc->pid, &proc->status, WNOHANG) != proc->pid) {
        if (cm_time_mono_ms() >= deadline) {
            kill(proc->pid, SIGKILL);
            waitpid(proc->pid, &proc->status, 0);
            break;
        }
        s_pause();
    }
    proc->pid = 0;
    s_check_sanitizer_report(proc);
    return 0;
}

void
harness_proc_cleanup(harness_proc_t *proc)
{
    assert(proc);
    if (proc->log[0]) {
        unlink(proc->log);
        proc->log[0] = '\0';
    }
}
