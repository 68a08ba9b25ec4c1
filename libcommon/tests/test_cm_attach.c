// cm_attach: reading an upload (raw or multipart/form-data with one file
// part) against the size limit and the types, file names kept safe, and
// the file's life on disk (.tmp, settle, load, unlink). No Redis.
#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_attach.h"
#include "cm_envelope.h"
#include "cm_time.h"
#include "suites.h"

static cm_attach_config_t s_config = {.dir = NULL,
                                      .owner = "things",
                                      .max_bytes = 64,
                                      .types = "text/plain image/png"};

// A context for an upload of size bytes with its Content-Type; query may
// be NULL (borrowed).
static cm_ctx_t *
s_ctx(const char *type, const void *data, size_t size, const json_t *query)
{
    size_t length =
        sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL);
    char *text = malloc(length);
    sodium_bin2base64(text, length, data, size, sodium_base64_VARIANT_ORIGINAL);
    json_t *body = json_string(text);
    free(text);
    json_t *actor = json_pack("{s:s, s:s}", "id", "ST-1", "role", "cs_agent");
    cm_envelope_request_t fields = {
        .type = "t",
        .source = "test",
        .deadline_ms = cm_time_now_ms() + 1000,
        .actor = actor,
        .method = "POST",
        .path = "/v1/things/T-1/attachments",
        .query = query,
        .body = body,
        .content_type = type,
    };
    json_t *request = cm_envelope_request_new(&fields);
    json_decref(body);
    json_decref(actor);
    ck_assert_ptr_nonnull(request);
    return cm_ctx_new("things", &request, NULL, NULL);
}

// The problem's first field for an upload, or "" when accepted.
static void
s_expect(const char *type, const char *data, size_t size, int status,
         const char *field)
{
    cm_ctx_t *ctx = s_ctx(type, data, size, NULL);
    cm_attach_upload_t upload;
    json_t *problem = cm_attach_read(ctx, &s_config, &upload);
    ck_assert_msg(problem != NULL, "%s accepted", type);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "status")),
                     status);
    const json_t *errors = json_object_get(problem, "errors");
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(errors, 0), "field")),
        field);
    json_decref(problem);
    cm_ctx_destroy(&ctx);
}

START_TEST(test_cm_attach_read)
{
    json_t *query = json_pack("{s:s}", "filename", "../../etc/pass\"wd");
    cm_ctx_t *ctx = s_ctx("Text/Plain; charset=utf-8", "hello", 5, query);
    cm_attach_upload_t upload;
    ck_assert_ptr_null(cm_attach_read(ctx, &s_config, &upload));
    ck_assert_str_eq(upload.filename, "passwd");
    ck_assert_str_eq(upload.content_type, "text/plain");
    ck_assert_uint_eq(upload.size, 5);
    ck_assert_str_eq(
        upload.sha256,
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    cm_attach_upload_clear(&upload);
    cm_ctx_destroy(&ctx);
    json_decref(query);

    static const char form[] =
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
        "not a file\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"file\"; "
        "filename=\"C:\\\\scans\\\\receipt.txt\"\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "Paid\r\n"
        "--XyZ--\r\n";
    ctx = s_ctx("multipart/form-data; boundary=\"XyZ\"", form, sizeof form - 1,
                NULL);
    ck_assert_ptr_null(cm_attach_read(ctx, &s_config, &upload));
    ck_assert_str_eq(upload.filename, "receipt.txt");
    ck_assert_uint_eq(upload.size, 4);
    ck_assert_int_eq(memcmp(upload.data, "Paid", 4), 0);
    cm_attach_upload_clear(&upload);
    cm_ctx_destroy(&ctx);

    char big[65] = {0};
    s_expect("text/plain", big, sizeof big, 413, "file");
    s_expect("application/zip", "PK", 2, 415, "content_type");
    s_expect("no type", "x", 1, 415, "content_type");
    s_expect("text/plain", "", 0, 400, "file");
    static const char two[] =
        "--b\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nA\r\n"
        "--b\r\nContent-Disposition: form-data; filename=\"b\"\r\n\r\nB\r\n"
        "--b--";
    s_expect("multipart/form-data; boundary=b", two, sizeof two - 1, 400,
             "file");
    s_expect("multipart/form-data; boundary=b", "--b\r\nbroken", 11, 400,
             "body");
    s_expect("multipart/form-data", "--b--", 5, 400, "body");
}
END_TEST

START_TEST(test_cm_attach_disk)
{
    char dir[] = "/tmp/cm_attach_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    cm_attach_config_t config = s_config;
    config.dir = dir;
    cm_attach_upload_t upload = {.data = (unsigned char *)"bytes", .size = 5};
    ck_assert_int_eq(cm_attach_write_tmp(&config, "T-1", "AT-1", &upload), 0);
    unsigned char *data = NULL;
    size_t size = 0;
    // Committed but not renamed yet: a load completes the rename.
    ck_assert_int_eq(cm_attach_load(&config, "T-1", "AT-1", &data, &size), 0);
    ck_assert_uint_eq(size, 5);
    free(data);
    ck_assert_int_eq(cm_attach_write_tmp(&config, "T-1", "AT-2", &upload), 0);
    cm_attach_settle(&config, "T-1", "AT-2", false); // the commit failed
    ck_assert_int_eq(cm_attach_load(&config, "T-1", "AT-2", &data, &size), -1);
    cm_attach_unlink(&config, "T-1", "AT-1");
    ck_assert_int_eq(cm_attach_load(&config, "T-1", "AT-1", &data, &size), -1);
    char command[64];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(command), 0);
}
END_TEST

Suite *
cm_attach_suite(void)
{
    Suite *suite = suite_create("cm_attach");
    TCase *tc = tcase_create("attach");
    tcase_add_test(tc, test_cm_attach_read);
    tcase_add_test(tc, test_cm_attach_disk);
    suite_add_tcase(suite, tc);
    return suite;
}
