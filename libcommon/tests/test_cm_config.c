#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cm_config.h"
#include "suites.h"

static const cm_config_option_t options[] = {
    {"gateway/port", CM_CONFIG_INT, "8080", 1, 65535, false, "HTTP port"},
    {"gateway/token", CM_CONFIG_STRING, "", 0, 0, true, "secret"},
    {"gateway/strict", CM_CONFIG_BOOL, "false", 0, 0, false, "flag"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

static char file[] = "/tmp/cm_config_testXXXXXX";

static void
setup(void)
{
    int fd = mkstemp(file);
    ck_assert_int_ge(fd, 0);
    const char *zpl = "gateway\n    port = 9000\n    strict = yes\n"
                      "redis\n    port = 7000\n";
    ck_assert_int_eq(write(fd, zpl, strlen(zpl)), (ssize_t)strlen(zpl));
    close(fd);
    unsetenv("SM_GATEWAY__PORT");
    unsetenv("SM_REDIS__PORT");
    unsetenv("SM_CONFIG");
    unsetenv("LOG_LEVEL");
}

static void
teardown(void)
{
    unlink(file);
    snprintf(file, sizeof file, "/tmp/cm_config_testXXXXXX");
}

START_TEST(test_cm_config_precedence)
{
    char error[256] = "";
    setenv("SM_REDIS__PORT", "7001", 1);
    char *argv[] = {"prog",  "--config",          file,
                    "--set", "gateway/port=9100", NULL};
    cm_config_t *config =
        cm_config_load("gateway", options, 5, argv, error, sizeof error);
    ck_assert_msg(config != NULL, "%s", error);
    ck_assert_int_eq(cm_config_int(config, "gateway/port"), 9100); // flag
    ck_assert_int_eq(cm_config_int(config, "redis/port"), 7001);   // env
    ck_assert(cm_config_bool(config, "gateway/strict"));           // file
    ck_assert_str_eq(cm_config_str(config, "broker/host"), "127.0.0.1");
    char endpoint[64];
    ck_assert_str_eq(cm_config_endpoint(config, "broker/host", "broker/port",
                                        endpoint, sizeof endpoint),
                     "tcp://127.0.0.1:5555");
    cm_config_destroy(&config);
    ck_assert_ptr_null(config);
}
END_TEST

START_TEST(test_cm_config_rejects_bad_values)
{
    char error[256] = "";
    setenv("SM_GATEWAY__PORT", "99999", 1);
    char *argv[] = {"prog", "--config", file, NULL};
    ck_assert_ptr_null(
        cm_config_load("gateway", options, 3, argv, error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "gateway/port"));
    unsetenv("SM_GATEWAY__PORT");

    char *unknown[] = {"prog", "--set", "nope/key=1", NULL};
    ck_assert_ptr_null(
        cm_config_load("gateway", options, 3, unknown, error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "unknown option"));

    char *missing[] = {"prog", "--config", "/nonexistent.cfg", NULL};
    ck_assert_ptr_null(
        cm_config_load("gateway", options, 3, missing, error, sizeof error));

    char *flag[] = {"prog", "--bogus", NULL};
    ck_assert_ptr_null(
        cm_config_load("gateway", options, 2, flag, error, sizeof error));

    setenv("LOG_LEVEL", "loud", 1);
    char *plain[] = {"prog", NULL};
    ck_assert_ptr_null(
        cm_config_load("gateway", options, 1, plain, error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "log/level"));
}
END_TEST

START_TEST(test_cm_config_exit_code_on_bad_value)
{
    setenv("SM_SERVICE__WORKERS", "0", 1);
    char *argv[] = {"prog", NULL};
    cm_config_load_or_exit("gateway", options, 1, argv);
}
END_TEST

// A host that is an absolute path names a directory of Unix sockets.
START_TEST(test_cm_config_endpoint_of_a_directory)
{
    char error[256] = "";
    char *argv[] = {"prog", "--set", "broker/host=/run/sm", NULL};
    cm_config_t *config =
        cm_config_load("gateway", options, 3, argv, error, sizeof error);
    ck_assert_msg(config != NULL, "%s", error);
    char endpoint[64];
    ck_assert_str_eq(cm_config_endpoint(config, "broker/host", "broker/port",
                                        endpoint, sizeof endpoint),
                     "ipc:///run/sm/5555.sock");
    ck_assert_str_eq(cm_config_endpoint(config, "hub/host", "hub/pub_port",
                                        endpoint, sizeof endpoint),
                     "tcp://127.0.0.1:5556");
    cm_config_destroy(&config);
}
END_TEST

Suite *
cm_config_suite(void)
{
    Suite *suite = suite_create("cm_config");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, test_cm_config_precedence);
    tcase_add_test(core, test_cm_config_rejects_bad_values);
    tcase_add_test(core, test_cm_config_endpoint_of_a_directory);
    tcase_add_exit_test(core, test_cm_config_exit_code_on_bad_value,
                        CM_CONFIG_EXIT);
    suite_add_tcase(suite, core);
    return suite;
}
