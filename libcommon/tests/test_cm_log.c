#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_log.h"
#include "suites.h"

static char *buffer;
static size_t buffer_size;
static FILE *stream;

static void
setup(void)
{
    stream = open_memstream(&buffer, &buffer_size);
    ck_assert_ptr_nonnull(stream);
    cm_log_init("testsvc", "r1");
    cm_log_set_json(true);
    cm_log_set_level(CM_LOG_INFO);
    cm_log_set_stream(stream);
}

static void
teardown(void)
{
    cm_log_set_stream(NULL);
    cm_log_set_correlation(NULL);
    fclose(stream);
    free(buffer);
}

// Parse the single line written so far.
static json_t *
s_last_line(void)
{
    fflush(stream);
    ck_assert_ptr_nonnull(buffer);
    ck_assert_int_eq(buffer[buffer_size - 1], '\n');
    json_error_t error;
    json_t *line = json_loadb(buffer, buffer_size, 0, &error);
    ck_assert_msg(line != NULL, "not JSON: %s (%s)", buffer, error.text);
    return line;
}

START_TEST(test_cm_log_json_fields)
{
    cm_log_info("case.forwarded", "id", "CS-1", "#status", CM_LOG_INT(201),
                "note", "say \"hi\"\n");
    json_t *line = s_last_line();
    ck_assert_str_eq(json_string_value(json_object_get(line, "svc")),
                     "testsvc");
    ck_assert_str_eq(json_string_value(json_object_get(line, "replica")), "r1");
    ck_assert_str_eq(json_string_value(json_object_get(line, "level")), "info");
    ck_assert_str_eq(json_string_value(json_object_get(line, "event")),
                     "case.forwarded");
    ck_assert_int_eq(json_integer_value(json_object_get(line, "status")), 201);
    ck_assert_str_eq(json_string_value(json_object_get(line, "note")),
                     "say \"hi\"\n");
    ck_assert_ptr_nonnull(json_object_get(line, "ts"));
    json_decref(line);
}
END_TEST

START_TEST(test_cm_log_level_filters)
{
    cm_log_debug("not.written", "k", "v");
    fflush(stream);
    ck_assert_uint_eq(buffer_size, 0);
    ck_assert(!cm_log_enabled(CM_LOG_DEBUG));
    ck_assert(cm_log_enabled(CM_LOG_ERROR));
    ck_assert_int_eq(cm_log_level_parse("warn"), CM_LOG_WARN);
    ck_assert_int_eq(cm_log_level_parse("bogus"), -1);
}
END_TEST

START_TEST(test_cm_log_correlation_is_per_thread)
{
    cm_log_set_correlation("req-42");
    cm_log_warn("thing.happened");
    json_t *line = s_last_line();
    ck_assert_str_eq(json_string_value(json_object_get(line, "correlation_id")),
                     "req-42");
    ck_assert_str_eq(cm_log_correlation(), "req-42");
    cm_log_set_correlation(NULL);
    ck_assert_ptr_null(cm_log_correlation());
    json_decref(line);
}
END_TEST

START_TEST(test_cm_log_long_value_is_cut)
{
    char *big = malloc(40000);
    memset(big, 'x', 39999);
    big[39999] = '\0';
    cm_log_error("big.value", "v", big, "#n", "not-a-number");
    free(big);
    json_t *line = s_last_line();
    ck_assert_uint_lt(buffer_size, CM_LOG_LINE_MAX);
    // A '#' field that is not numeric is quoted, keeping the line valid JSON.
    ck_assert_str_eq(json_string_value(json_object_get(line, "n")),
                     "not-a-number");
    json_decref(line);
}
END_TEST

START_TEST(test_cm_log_text_format)
{
    cm_log_set_json(false);
    cm_log_notice("svc.started", "port", "5555");
    fflush(stream);
    ck_assert_ptr_nonnull(strstr(buffer, "notice"));
    ck_assert_ptr_nonnull(strstr(buffer, "svc.started port=5555"));
}
END_TEST

// Held lines wait for cm_log_release; a warning takes them out with it, in
// order.
START_TEST(test_cm_log_hold_and_release)
{
    cm_log_hold();
    cm_log_info("one.held");
    cm_log_info("two.held");
    fflush(stream);
    ck_assert_uint_eq(buffer_size, 0);
    cm_log_warn("three.warned");
    fflush(stream);
    const char *one = strstr(buffer, "one.held");
    const char *two = strstr(buffer, "two.held");
    const char *three = strstr(buffer, "three.warned");
    ck_assert(one && two && three && one < two && two < three);
    cm_log_info("four.held");
    fflush(stream);
    ck_assert_ptr_null(strstr(buffer, "four.held"));
    cm_log_release();
    fflush(stream);
    ck_assert_ptr_nonnull(strstr(buffer, "four.held"));
    cm_log_info("five.direct"); // released: written at once
    fflush(stream);
    ck_assert_ptr_nonnull(strstr(buffer, "five.direct"));
    // More than the buffer holds: the full buffer goes out on its own.
    char value[1001];
    memset(value, 'v', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    size_t before = buffer_size;
    cm_log_hold();
    for (int i = 0; i < 40; i++) {
        cm_log_info("many.held", "a", value);
    }
    fflush(stream);
    ck_assert_uint_gt(buffer_size, before);
    cm_log_release();
    fflush(stream);
    int lines = 0;
    for (const char *p = strstr(buffer, "many.held"); p;
         p = strstr(p + 1, "many.held")) {
        lines++;
    }
    ck_assert_int_eq(lines, 40);
}
END_TEST

// Held lines through a pipe (written in chunks of whole lines, a line
// longer than a chunk alone): every line arrives whole and in order.
START_TEST(test_cm_log_held_lines_through_a_pipe)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    FILE *out = fdopen(fds[1], "w");
    ck_assert_ptr_nonnull(out);
    cm_log_set_stream(out);
    char value[2001];
    memset(value, 'v', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    enum {
        LINES = 40
    };
    cm_log_hold();
    for (int i = 0; i < LINES; i++) {
        const char *more = i == 5 ? value : "";
        cm_log_info("pipe.line", "#n", CM_LOG_INT(i), "a", value + 1700, "b",
                    more, "c", more, "d", more);
    }
    cm_log_release();
    cm_log_set_stream(stream);
    fclose(out);
    FILE *in = fdopen(fds[0], "r");
    ck_assert_ptr_nonnull(in);
    char *text = NULL;
    size_t size = 0;
    int n = 0;
    while (getline(&text, &size, in) > 0) {
        json_t *line = json_loads(text, 0, NULL);
        ck_assert_msg(line != NULL, "line %d is not whole", n);
        ck_assert_int_eq(json_integer_value(json_object_get(line, "n")), n);
        json_decref(line);
        n++;
    }
    ck_assert_int_eq(n, LINES);
    free(text);
    fclose(in);
}
END_TEST

Suite *
cm_log_suite(void)
{
    Suite *suite = suite_create("cm_log");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, test_cm_log_json_fields);
    tcase_add_test(core, test_cm_log_level_filters);
    tcase_add_test(core, test_cm_log_correlation_is_per_thread);
    tcase_add_test(core, test_cm_log_long_value_is_cut);
    tcase_add_test(core, test_cm_log_text_format);
    tcase_add_test(core, test_cm_log_hold_and_release);
    tcase_add_test(core, test_cm_log_held_lines_through_a_pipe);
    suite_add_tcase(suite, core);
    return suite;
}
