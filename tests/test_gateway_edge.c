// Integration suite of the nginx edge (docker/nginx/nginx.conf) with the
// nginx of this machine (Debian's 1.22): a rendered copy of the config —
// loopback ports, the test gateway as upstream, files in a temp dir — must
// pass `nginx -t`, start, and carry requests to the gateway without a
// request body being taken for a request on nginx's kept-alive upstream
// connection. Skipped (with a message) only when nginx is not installed.
// Register with `gateway_edge_suite`.
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cm_time.h"
#include "gateway_stack.h"
#include "harness.h"
#include "http_client.h"
#include "suites.h"

#define S_CONFIG     "docker/nginx/nginx.conf" // from the repository root
#define S_NGINX      "/usr/sbin/nginx"         // Debian's nginx
#define S_CONFIG_MAX (64 * 1024)
#define S_QUIET_MS   500 // how long a second response may take to show

// nginx in front of the test gateway.
typedef struct {
    char dir[HARNESS_PATH_MAX];       // temp dir: config, pid, logs, temp files
    char conf[HARNESS_PATH_MAX + 16]; // rendered config
    int port;                         // nginx's port on 127.0.0.1
    pid_t pid;                        // nginx master (0: not running)
} s_edge_t;

static s_edge_t s_edge;

// ---- rendering

// Replace the one occurrence of from in text (size bytes) by to; asserts it
// is there, so a change of the config that the test no longer matches
// fails loudly.
static void
s_replace(char *text, size_t size, const char *from, const char *to)
{
    char *at = strstr(text, from);
    ck_assert_msg(at, "%s no longer holds \"%s\"", S_CONFIG, from);
    size_t tail = strlen(at + strlen(from));
    ck_assert_uint_lt(strlen(text) - strlen(from) + strlen(to), size);
    memmove(at + strlen(to), at + strlen(from), tail + 1);
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result): text goes on
    memcpy(at, to, strlen(to));
}

static void
s_render(char *text, size_t size)
{
    char line[HARNESS_PATH_MAX * 6];
    s_replace(text, size, "user www-data;", geteuid() == 0 ? "user root;" : "");
    s_replace(text, size, "worker_processes auto;", "worker_processes 1;");
    snprintf(line, sizeof line, "pid %s/nginx.pid;", s_edge.dir);
    s_replace(text, size, "pid /var/run/nginx.pid;", line);
    snprintf(line, sizeof line, "error_log %s/error.log warn;", s_edge.dir);
    s_replace(text, size, "error_log /dev/stderr warn;", line);
    snprintf(line, sizeof line, "access_log %s/access.log sm_json;",
             s_edge.dir);
    s_replace(text, size, "access_log /dev/stdout sm_json;", line);
    snprintf(line, sizeof line, "listen 127.0.0.1:%d default_server;",
             s_edge.port);
    s_replace(text, size, "listen 80 default_server;", line);
    snprintf(line, sizeof line, "server 127.0.0.1:%d;", gateway_stack.port);
    s_replace(text, size, "server gateway:8080;", line);
    snprintf(line, sizeof line,
             "http {\n    client_body_temp_path %s/body;\n"
             "    proxy_temp_path %s/proxy;\n"
             "    fastcgi_temp_path %s/fastcgi;\n"
             "    uwsgi_temp_path %s/uwsgi;\n    scgi_temp_path %s/scgi;\n",
             s_edge.dir, s_edge.dir, s_edge.dir, s_edge.dir, s_edge.dir);
    s_replace(text, size, "http {\n", line);
}

static void
s_write_config(void)
{
    static char text[S_CONFIG_MAX];
    FILE *in = fopen(S_CONFIG, "r");
    ck_assert_msg(in, "cannot read %s", S_CONFIG);
    size_t got = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[got] = '\0';
    s_render(text, sizeof text);
    snprintf(s_edge.conf, sizeof s_edge.conf, "%s/nginx.conf", s_edge.dir);
    FILE *out = fopen(s_edge.conf, "w");
    ck_assert_ptr_nonnull(out);
    fputs(text, out);
    fclose(out);
}

// ---- nginx

// Run nginx with args (NULL-ended, after the program name) and, when wait,
// return its exit status; else its pid.
static int
s_nginx(const char *const *args, bool wait)
{
    char log[HARNESS_PATH_MAX + 16];
    snprintf(log, sizeof log, "%s/error.log", s_edge.dir);
    const char *argv[16] = {S_NGINX,     "-p", s_edge.dir, "-c",
                            s_edge.conf, "-e", log};
    size_t argc = 7;
    for (size_t i = 0; args[i] && argc < 15; i++) {
        argv[argc++] = args[i];
    }
    argv[argc] = NULL;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        // nginx writes to its error.log; it must not hold the runner's pipe.
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL); // best effort; Linux only
        int null = wait ? -1 : open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
            close(null);
        }
        execv(S_NGINX, (char *const *)argv);
        _exit(127);
    }
    if (!wait) {
        return pid;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool
s_wait_listening(int port)
{
    int64_t until = cm_time_mono_ms() + HARNESS_WAIT_MS;
    while (cm_time_mono_ms() < until) {
        int fd = http_client_connect(port);
        if (fd >= 0) {
            close(fd);
            return true;
        }
        usleep(20 * 1000);
    }
    return false;
}

static void
s_setup(void)
{
    memset(&s_edge, 0, sizeof s_edge);
    if (access(S_NGINX, X_OK) != 0) {
        return; // the tests say why they skip
    }
    gateway_stack_setup();
    snprintf(s_edge.dir, sizeof s_edge.dir, "/tmp/sm-edge-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s_edge.dir));
    s_edge.port = harness_free_port();
    s_write_config();
}

static void
s_teardown(void)
{
    if (s_edge.pid > 0) {
        kill(s_edge.pid, SIGTERM);
        waitpid(s_edge.pid, NULL, 0);
    }
    if (s_edge.dir[0]) {
        char command[HARNESS_PATH_MAX + 16];
        snprintf(command, sizeof command, "rm -rf '%s'", s_edge.dir);
        ck_assert_int_eq(system(command), 0);
        gateway_stack_teardown();
    }
}

static bool
s_skip(void)
{
    if (access(S_NGINX, X_OK) == 0) {
        return false;
    }
    fprintf(stderr,
            "gateway_edge: SKIPPED: %s is not installed "
            "(scripts/install-deps installs Debian's nginx)\n",
            S_NGINX);
    return true;
}

// ---- tests

START_TEST(test_gateway_edge_config_passes_nginx_t)
{
    if (s_skip()) {
        return;
    }
    const char *args[] = {"-t", "-q", NULL};
    ck_assert_msg(s_nginx(args, true) == 0, "nginx -t failed: see %s/error.log",
                  s_edge.dir);
}
END_TEST

// Occurrences of needle in text.
static int
s_count(const char *text, const char *needle)
{
    int count = 0;
    for (const char *at = strstr(text, needle); at;
         at = strstr(at + 1, needle)) {
        count++;
    }
    return count;
}

// Through nginx: a request the gateway refuses before reading its body
// (bad X-Request-Id) gets exactly one response, and the next request on
// the same connection (and so on nginx's kept-alive upstream connection)
// gets its own answer. Two bodies: a whole request (nginx drops an
// upstream connection that sends unasked bytes), and JSON, which a gateway
// that left it unread would prefix to the next request's line (then
// /healthz answered 405).
START_TEST(test_gateway_edge_no_desync)
{
    if (s_skip()) {
        return;
    }
    const char *args[] = {"-g", "daemon off;", NULL};
    s_edge.pid = s_nginx(args, false);
    ck_assert_msg(s_wait_listening(s_edge.port), "nginx did not start");
    static const char *const bodies[] = {
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "{\"kind\":\"inquiry\"}"};
    http_client_response_t *r = &gateway_stack_response;
    for (int round = 0; round < 4; round++) {
        const char *body = bodies[round % 2];
        char raw[512];
        int size = snprintf(raw, sizeof raw,
                            "POST /v1/cases HTTP/1.1\r\nHost: x\r\n"
                            "X-Request-Id: a b\r\n"
                            "Content-Type: application/json\r\n"
                            "Content-Length: %zu\r\n\r\n%s",
                            strlen(body), body);
        int fd = http_client_connect(s_edge.port);
        http_client_send_raw(fd, raw, (size_t)size);
        ck_assert_int_eq(http_client_read(fd, r), 0);
        ck_assert_int_eq(r->status, 400);
        ck_assert_ptr_nonnull(strstr(r->body, "invalid_request_id"));
        ck_assert_msg(http_client_next(fd, S_QUIET_MS) != HTTP_CLIENT_MORE,
                      "a second response came for one request");
        // The next request must get its own response: 200 from /healthz
        // echoing its own X-Request-Id in every X-Request-Id header.
        char id[64], header[96];
        snprintf(id, sizeof id, "next-%d", round);
        snprintf(header, sizeof header, "X-Request-Id: %s\r\n", id);
        http_client_send(fd, "GET", "/healthz", header, NULL, 0);
        ck_assert_int_eq(http_client_read(fd, r), 0);
        ck_assert_msg(r->status == 200, "the next request got %d: %s",
                      r->status, r->body);
        ck_assert_int_eq(s_count(r->head, "X-Request-Id:"),
                         s_count(r->head, header));
        close(fd);
    }
}
END_TEST

Suite *
gateway_edge_suite(void)
{
    Suite *suite = suite_create("gateway_edge");
    TCase *nginx = tcase_create("nginx");
    tcase_add_checked_fixture(nginx, s_setup, s_teardown);
    tcase_set_timeout(nginx, 60);
    tcase_add_test(nginx, test_gateway_edge_config_passes_nginx_t);
    tcase_add_test(nginx, test_gateway_edge_no_desync);
    suite_add_tcase(suite, nginx);
    return suite;
}
