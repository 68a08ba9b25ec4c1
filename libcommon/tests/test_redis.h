// test_redis — a private redis-server for the Redis-backed libcommon suites
// (cm_store, cm_events): free port, temp dir, AOF on, no RDB. The fuller
// harness for process tests is tests/harness.h.
#ifndef LIBCOMMON_TESTS_TEST_REDIS_H
#define LIBCOMMON_TESTS_TEST_REDIS_H

#include <sys/types.h>

#include "cm_store.h"

typedef struct {
    pid_t pid;     // 0 when not running
    int port;      // TCP port on 127.0.0.1
    char dir[128]; // data directory
} test_redis_t;

// Start on a free port in a new temp dir; wait for PING. 0 or -1.
int test_redis_start(test_redis_t *redis);

// Stop (SIGTERM, reap), keeping the dir and port.
void test_redis_halt(test_redis_t *redis);

// Start again on the same port and dir. 0 or -1.
int test_redis_resume(test_redis_t *redis);

// Halt, shut down any server on the port (one a forked test restarted),
// and remove the dir; return once nothing answers on the port.
void test_redis_stop(test_redis_t *redis);

// A new store on the server, emptied first (FLUSHALL); NULL on failure.
// Caller owns it (cm_store_destroy).
cm_store_t *test_redis_store(const test_redis_t *redis);

#endif
