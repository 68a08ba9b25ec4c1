#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cm_id.h"
#include "suites.h"

START_TEST(test_cm_id_format_and_parse)
{
    char buf[CM_ID_MAX];
    ck_assert_str_eq(cm_id_format("CS", 1024, buf), "CS-1024");
    int64_t n = 0;
    ck_assert(cm_id_parse("CS-1024", "CS", &n));
    ck_assert_int_eq(n, 1024);
    ck_assert(!cm_id_parse("CS-01", "CS", NULL));
    ck_assert(!cm_id_parse("CS-", "CS", NULL));
    ck_assert(!cm_id_parse("WO-3", "CS", NULL));
    ck_assert(!cm_id_parse("CS-3x", "CS", NULL));
    ck_assert(!cm_id_parse("CSX-3", "CS", NULL));
    ck_assert(!cm_id_parse(NULL, "CS", NULL));
}
END_TEST

START_TEST(test_cm_id_uuid_and_token)
{
    char a[CM_UUID_MAX], b[CM_UUID_MAX];
    cm_uuid(a);
    cm_uuid(b);
    ck_assert(cm_uuid_is_valid(a));
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(a[14], '4');
    ck_assert(!cm_uuid_is_valid("not-a-uuid"));
    char token[CM_TOKEN_MAX];
    cm_token_random(token);
    ck_assert_uint_eq(strlen(token), 64);
}
END_TEST

// Many UUIDs from one thread's pool and its refills: each well formed
// (version 4, RFC 4122 variant) and none repeated.
START_TEST(test_cm_id_uuids_are_distinct)
{
    enum {
        N = 200
    };
    static char seen[N][CM_UUID_MAX];
    for (int i = 0; i < N; i++) {
        cm_uuid(seen[i]);
        ck_assert(cm_uuid_is_valid(seen[i]));
        ck_assert_int_eq(seen[i][14], '4');
        ck_assert_ptr_nonnull(strchr("89ab", seen[i][19]));
        for (int j = 0; j < i; j++) {
            ck_assert_str_ne(seen[i], seen[j]);
        }
    }
}
END_TEST

// A forked child does not draw the UUIDs its parent's pool still holds.
START_TEST(test_cm_id_fork_does_not_repeat)
{
    char first[CM_UUID_MAX], parent[CM_UUID_MAX], child[CM_UUID_MAX] = "";
    cm_uuid(first); // fills this thread's pool
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        cm_uuid(child);
        ssize_t n = write(fds[1], child, sizeof child);
        _exit(n == (ssize_t)sizeof child ? 0 : 1);
    }
    ck_assert_int_eq(read(fds[0], child, sizeof child), (ssize_t)sizeof child);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    cm_uuid(parent);
    ck_assert(cm_uuid_is_valid(child));
    ck_assert_str_ne(child, parent);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

// getpid() (cm_pid.c) answers from memory what the kernel says, and a
// forked child answers its own id, not its parent's.
START_TEST(test_cm_id_getpid_follows_fork)
{
    pid_t parent = getpid();
    ck_assert_int_eq(parent, (pid_t)syscall(SYS_getpid));
    ck_assert_int_eq(getpid(), parent);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        pid_t seen[2] = {getpid(), (pid_t)syscall(SYS_getpid)};
        ssize_t n = write(fds[1], seen, sizeof seen);
        _exit(n == (ssize_t)sizeof seen ? 0 : 1);
    }
    pid_t seen[2] = {0, 0};
    ck_assert_int_eq(read(fds[0], seen, sizeof seen), (ssize_t)sizeof seen);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(seen[0], pid);
    ck_assert_int_eq(seen[1], pid);
    ck_assert_int_eq(getpid(), parent);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

Suite *
cm_id_suite(void)
{
    Suite *suite = suite_create("cm_id");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_cm_id_format_and_parse);
    tcase_add_test(core, test_cm_id_uuid_and_token);
    tcase_add_test(core, test_cm_id_uuids_are_distinct);
    tcase_add_test(core, test_cm_id_fork_does_not_repeat);
    tcase_add_test(core, test_cm_id_getpid_follows_fork);
    suite_add_tcase(suite, core);
    return suite;
}
