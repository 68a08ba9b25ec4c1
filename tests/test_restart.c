// A restart with data, as an operator does it: `make run` (scripts/run-local)
// on a store of 1,000,000 cases, stopped with SIGTERM and started again.
// While Redis loads its AOF every process waits (LOADING is "not ready",
// not a failure), the run keeps going, and once Redis has loaded the stack
// serves again with nothing lost.
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cm_time.h"
#include "harness.h"
#include "http_client.h"
#include "suites.h"

#define S_CASES 1000000
// One EVAL stays well under the 1 s timeout, even on a loaded machine.
#define S_CHUNK         5000
#define S_TOKEN         "smt_restart_test_token_0123456789abcdef0123456789ab"
#define S_ENV_MAX       (HARNESS_PATH_MAX + 32)
#define S_UP_WAIT_MS    120000
#define S_FILL_ATTEMPTS 60 // sends of one chunk before giving up

static struct {
    harness_proc_t run;
    char var[HARNESS_PATH_MAX];
    char env[10][S_ENV_MAX];
    const char *envp[11];
    int redis_port;
    int gateway_port;
    http_client_response_t response;
} s;

// Fill cases CS-<from>..CS-<to> server-side: one EVAL per chunk.
static const char s_fill[] =
    "for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do "
    "  local id = 'CS-' .. i "
    "  redis.call('HSET', 'sm:{intake}:case:' .. id, 'doc', "
    "    '{\"id\":\"' .. id .. '\",\"kind\":\"inquiry\",\"channel\":\"phone\","
    "\"state\":\"recorded\",\"subject\":\"restart\",\"history\":[],"
    "\"history_count\":0}', 'version', '1', 'state', 'recorded') "
    "end "
    "redis.call('SET', 'sm:{intake}:counter:case', ARGV[2]) "
    "return 1";

static char *
s_redis(const char *a, const char *b, const char *c, const char *d,
        const char *e)
{
    harness_redis_t redis = {.port = s.redis_port};
    return harness_redis_cmd(&redis, a, b, c, d, e);
}

// The seconds Redis reports it took to load its data, or -1.
static double
s_redis_load_seconds(void)
{
    FILE *file = fopen(s.run.log, "r");
    char line[HARNESS_LINE_MAX];
    double seconds = -1;
    while (file && fgets(line, sizeof line, file)) {
        const char *at = strstr(line, "DB loaded from ");
        const char *colon = at ? strstr(at, ": ") : NULL;
        if (colon) {
            seconds = atof(colon + 2); // the last load is the restart's
        }
    }
    if (file) {
        fclose(file);
    }
    return seconds;
}

// Wait until no AOF rewrite runs or is scheduled (the base file then holds
// every case, as after hours of normal running).
static bool
s_wait_rewrite(void)
{
    for (int i = 0; i < 1200; i++) {
        char *info = s_redis("INFO", "persistence", NULL, NULL, NULL);
        bool done = info && strstr(info, "aof_rewrite_in_progress:0")
                    && strstr(info, "aof_rewrite_scheduled:0");
        free(info);
        if (done) {
            return true;
        }
        usleep(100 * 1000);
    }
    return false;
}

static int
s_get(const char *path)
{
    char headers[128];
    snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n", S_TOKEN);
    memset(&s.response, 0, sizeof s.response);
    http_client_request(s.gateway_port, "GET", path, headers, NULL,
                        &s.response);
    return s.response.status;
}

// Wait until GET path answers 200; the milliseconds it took, or -1.
static int64_t
s_wait_serving(const char *path)
{
    int64_t start = cm_time_mono_ms();
    while (cm_time_mono_ms() - start < S_UP_WAIT_MS) {
        if (s_get("/readyz") == 200 && s_get(path) == 200) {
            return cm_time_mono_ms() - start;
        }
        usleep(100 * 1000);
    }
    return -1;
}

static void
s_start_run(void)
{
    ck_assert_int_eq(harness_proc_start_path(&s.run, "run-local",
                                             "scripts/run-local", s.envp),
                     0);
}

static void
setup(void)
{
    memset(&s, 0, sizeof s);
    snprintf(s.var, sizeof s.var, "/tmp/sm-restart-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s.var));
    s.redis_port = harness_free_port();
    s.gateway_port = harness_free_port();
    const char *bin = harness_bin_dir();
    char build[HARNESS_PATH_MAX];
    snprintf(build, sizeof build, "%.*s", (int)(strrchr(bin, '/') - bin), bin);
    snprintf(s.env[0], S_ENV_MAX, "VAR_DIR=%s", s.var);
    snprintf(s.env[1], S_ENV_MAX, "SM_BUILD_DIR=%s", build);
    snprintf(s.env[2], S_ENV_MAX, "SM_REDIS__PORT=%d", s.redis_port);
    snprintf(s.env[3], S_ENV_MAX, "SM_BROKER__PORT=%d", harness_free_port());
    snprintf(s.env[4], S_ENV_MAX, "SM_HUB__PUB_PORT=%d", harness_free_port());
    snprintf(s.env[5], S_ENV_MAX, "SM_HUB__SUB_PORT=%d", harness_free_port());
    snprintf(s.env[6], S_ENV_MAX, "SM_GATEWAY__PORT=%d", s.gateway_port);
    snprintf(s.env[7], S_ENV_MAX, "SM_PERSONNEL__BOOTSTRAP_TOKEN=%s", S_TOKEN);
    snprintf(s.env[8], S_ENV_MAX, "LOG_LEVEL=notice");
    for (int i = 0; i < 9; i++) {
        s.envp[i] = s.env[i];
    }
}

static void
teardown(void)
{
    harness_proc_kill(&s.run, SIGTERM, 30000);
    harness_proc_cleanup(&s.run);
    char command[HARNESS_PATH_MAX + 16];
    snprintf(command, sizeof command, "rm -rf '%s'", s.var);
    ck_assert_int_eq(system(command), 0);
}

// Write one chunk, sending it again until Redis answers: on a loaded
// machine the 1 s connect of a chunk can time out while Redis still runs
// the one before, and the chunk was then never sent. The script only sets
// fixed values, so running it twice is harmless.
static bool
s_fill_chunk(int first)
{
    char from[24], to[24];
    snprintf(from, sizeof from, "%d", first);
    snprintf(to, sizeof to, "%d", first + S_CHUNK - 1);
    bool done = false;
    for (int attempt = 0; attempt < S_FILL_ATTEMPTS && !done; attempt++) {
        char *reply = s_redis("EVAL", s_fill, "0", from, to);
        done = reply && strcmp(reply, "1") == 0;
        free(reply);
    }
    return done;
}

START_TEST(test_restart_with_a_million_cases)
{
    s_start_run();
    ck_assert_msg(s_wait_serving("/v1/staff/ST-1") >= 0, "stack not up: %s",
                  s.run.log);
    for (int first = 1; first <= S_CASES; first += S_CHUNK) {
        ck_assert_msg(s_fill_chunk(first), "cases from %d were not written",
                      first);
    }
    free(s_redis("BGREWRITEAOF", NULL, NULL, NULL, NULL));
    ck_assert_msg(s_wait_rewrite(), "the AOF rewrite did not finish");
    char *size = s_redis("DBSIZE", NULL, NULL, NULL, NULL);
    long keys_before = size ? atol(size) : 0;
    free(size);
    ck_assert_int_ge(keys_before, S_CASES);
    ck_assert_int_eq(s_get("/v1/cases/CS-1000000"), 200);
    // Stop as an operator does: SIGTERM to make run; it exits 0.
    ck_assert_int_eq(harness_proc_kill(&s.run, SIGTERM, 60000), 0);
    ck_assert_msg(WIFEXITED(s.run.status) && WEXITSTATUS(s.run.status) == 0,
                  "run-local stopped with status %d", s.run.status);
    s_start_run();
    int64_t serving = s_wait_serving("/v1/cases/CS-1000000");
    ck_assert_msg(serving >= 0, "not serving after restart: %s", s.run.log);
    ck_assert_msg(harness_proc_is_alive(&s.run), "make run exited: %s",
                  s.run.log);
    size = s_redis("DBSIZE", NULL, NULL, NULL, NULL);
    ck_assert_int_ge(size ? atol(size) : 0, keys_before);
    free(size);
    // Redis loads first; every process waited for it instead of exiting.
    printf("restart: %d cases; Redis loaded them in %.3f s; the stack "
           "served %lld ms after make run started; %d processes waited for "
           "the load\n",
           S_CASES, s_redis_load_seconds(), (long long)serving,
           harness_proc_count_event(&s.run, "service.waiting_for_store"));
    ck_assert(harness_proc_count_event(&s.run, "store.library.failed") == 0);
}
END_TEST

Suite *
restart_suite(void)
{
    Suite *suite = suite_create("restart");
    TCase *tc = tcase_create("aof");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_restart_with_a_million_cases);
    suite_add_tcase(suite, tc);
    return suite;
}
