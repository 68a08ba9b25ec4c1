#include "test_redis.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cm_redis.h"
#include "cm_time.h"

#define TEST_REDIS_WAIT_MS 10000
#define TEST_REDIS_POLL_MS 10

static int
s_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0
        && getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    return port;
}

static bool
s_answers(int port)
{
    struct timeval tv = {.tv_sec = 1, .tv_usec = 0};
    redisContext *ctx = redisConnectWithTimeout("127.0.0.1", port, tv);
    bool ok = false;
    if (ctx && !ctx->err) {
        redisReply *reply = redisCommand(ctx, "PING");
        ok = reply && reply->type == REDIS_REPLY_STATUS;
        freeReplyObject(reply);
    }
    if (ctx) {
        redisFree(ctx);
    }
    return ok;
}

int
test_redis_resume(test_redis_t *redis)
{
    char port[16];
    snprintf(port, sizeof port, "%d", redis->port);
    redis->pid = fork();
    if (redis->pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
        }
        execlp("redis-server", "redis-server", "--port", port, "--bind",
               "127.0.0.1", "--dir", redis->dir, "--appendonly", "yes",
               "--save", "", (char *)NULL);
        _exit(127);
    }
    int64_t deadline = cm_time_mono_ms() + TEST_REDIS_WAIT_MS;
    while (redis->pid > 0 && cm_time_mono_ms() < deadline) {
        if (s_answers(redis->port)) {
            return 0;
        }
        if (waitpid(redis->pid, NULL, WNOHANG) == redis->pid) {
            redis->pid = 0;
            return -1;
        }
        // Polling another process: a short pause between attempts.
        struct timespec ts = {0, TEST_REDIS_POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    test_redis_halt(redis);
    return -1;
}

int
test_redis_start(test_redis_t *redis)
{
    memset(redis, 0, sizeof *redis);
    snprintf(redis->dir, sizeof redis->dir, "/tmp/sm-unit-redis-XXXXXX");
    if (!mkdtemp(redis->dir)) {
        return -1;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
        redis->port = s_free_port();
        if (redis->port > 0 && test_redis_resume(redis) == 0) {
            return 0;
        }
    }
    return -1;
}

// Wait until nothing answers on port (up to TEST_REDIS_WAIT_MS).
static void
s_wait_silent(int port)
{
    int64_t deadline = cm_time_mono_ms() + TEST_REDIS_WAIT_MS;
    while (s_answers(port) && cm_time_mono_ms() < deadline) {
        struct timespec ts = {0, TEST_REDIS_POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
}

void
test_redis_halt(test_redis_t *redis)
{
    if (redis->pid > 0) {
        kill(redis->pid, SIGTERM);
        // A forked test is not the server's parent: then wait for the port.
        if (waitpid(redis->pid, NULL, 0) != redis->pid) {
            s_wait_silent(redis->port);
        }
        redis->pid = 0;
    }
}

// A server started by a forked test process is not our child: shut down
// whatever listens on the port.
static void
s_shutdown_port(int port)
{
    struct timeval tv = {.tv_sec = 1, .tv_usec = 0};
    redisContext *ctx = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (ctx && !ctx->err) {
        freeReplyObject(redisCommand(ctx, "SHUTDOWN NOSAVE"));
    }
    if (ctx) {
        redisFree(ctx);
    }
}

void
test_redis_stop(test_redis_t *redis)
{
    test_redis_halt(redis);
    s_shutdown_port(redis->port);
    s_wait_silent(redis->port); // gone before the runner ends
    if (redis->dir[0]) {
        char command[192];
        snprintf(command, sizeof command, "rm -rf '%s'", redis->dir);
        if (system(command) != 0) {
            fprintf(stderr, "test_redis: cannot remove %s\n", redis->dir);
        }
        redis->dir[0] = '\0';
    }
}

cm_store_t *
test_redis_store(const test_redis_t *redis)
{
    cm_store_t *store = cm_store_new("127.0.0.1", redis->port, "", 2000);
    redisReply *reply =
        store ? cm_redis_cmd(cm_store_redis(store), "FLUSHALL", NULL) : NULL;
    if (!reply) {
        cm_store_destroy(&store);
    }
    freeReplyObject(reply);
    return store;
}
