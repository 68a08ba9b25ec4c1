// Integration tests of attachments on cases: an upload as a raw body or as
// multipart/form-data with one file part is stored on disk with its
// SHA-256, listed, and downloaded with its Content-Type and
// Content-Disposition; a deletion leaves a history entry and removes the
// file; refusals name the field (400 not an upload or a bad multipart body,
// 413 past the size limit, 415 a type not allowed, 404 a case the caller
// may not read, 403 a role or person that may not, 409 a closed case); a
// .tmp left by a crash is settled at start. Suite: intake_attach_suite.
#include <check.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "cm_time.h"
#include "suites.h"
#include "test_intake_stack.h"

static json_t *s_agent;   // cs_agent at the desk
static json_t *s_tech;    // technician of the technical department
static json_t *s_fin;     // dept_head of finance
static json_t *s_auditor; // reads every case, changes none

static void
s_setup(void)
{
    intake_stack_setup();
    intake_org_event("personnel.department.updated",
                     "{\"code\":\"finance\",\"head\":\"ST-12\"}");
    s_agent = harness_mdp_actor("ST-2", "cs_agent", "customer_service");
    s_tech = harness_mdp_actor("ST-4", "technician", "technical");
    s_fin = harness_mdp_actor("ST-12", "dept_head", "finance");
    s_auditor = harness_mdp_actor("ST-9", "auditor", "audit");
}

static void
s_teardown(void)
{
    json_decref(s_agent);
    json_decref(s_tech);
    json_decref(s_fin);
    json_decref(s_auditor);
    s_agent = s_tech = s_fin = s_auditor = NULL;
    intake_stack_teardown();
}

static const char *
s_text(const json_t *doc, const char *member)
{
    return json_string_value(json_object_get(doc, member));
}

static char *
s_create(const char *kind)
{
    json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind", kind,
                             "channel", "phone", "customer", "name", "Li Wei",
                             "phone", "+86 555 0199", "subject", "Meter",
                             "description", "Photo attached");
    json_t *doc = intake_expect(201, s_agent, "POST", "/v1/cases", body);
    json_decref(body);
    char *id = strdup(s_text(doc, "id"));
    json_decref(doc);
    return id;
}

static char *
s_base64(const void *data, size_t size)
{
    size_t length =
        sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL);
    char *text = malloc(length);
    sodium_bin2base64(text, length, data, size, sodium_base64_VARIANT_ORIGINAL);
    return text;
}

// POST bytes to the case's attachments as actor; the reply envelope.
static json_t *
s_upload(const json_t *actor, const char *id, const char *type,
         const void *data, size_t size, const char *filename)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/cases/%s/attachments", id);
    char *text = s_base64(data, size);
    json_t *body = json_string(text);
    free(text);
    json_t *query = filename ? json_pack("{s:s}", "filename", filename) : NULL;
    cm_envelope_request_t fields = {.actor = actor,
                                    .method = "POST",
                                    .path = path,
                                    .query = query,
                                    .body = body,
                                    .content_type = type};
    json_t *reply = intake_call_with(&fields);
    ck_assert_ptr_nonnull(reply);
    json_decref(body);
    json_decref(query);
    return reply;
}

static json_t *
s_call(const json_t *actor, const char *method, const char *path)
{
    cm_envelope_request_t fields = {
        .actor = actor, .method = method, .path = path};
    json_t *reply = intake_call_with(&fields);
    ck_assert_ptr_nonnull(reply);
    return reply;
}

static void
s_expect(json_t *reply, int status, const char *field)
{
    char *text = json_dumps(reply, JSON_COMPACT);
    ck_assert_msg(harness_mdp_status(reply) == status, "want %d: %.600s",
                  status, text);
    free(text);
    if (field) {
        const json_t *errors =
            json_object_get(json_object_get(reply, "error"), "errors");
        ck_assert_str_eq(s_text(json_array_get(errors, 0), "field"), field);
    }
    json_decref(reply);
}

static void
s_sha256_hex(const void *data, size_t size, char *hex)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, size);
    sodium_bin2hex(hex, 65, digest, sizeof digest);
}

// The last history action of the case.
static const char *
s_last_action(const json_t *doc)
{
    const json_t *history = json_object_get(doc, "history");
    return s_text(json_array_get(history, json_array_size(history) - 1),
                  "action");
}

static bool
s_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

START_TEST(test_intake_attach_raw_roundtrip)
{
    char *id = s_create("inquiry");
    static const unsigned char png[] = {0x89, 'P',  'N',  'G',  0x0d, 0x0a,
                                        0x1a, 0x0a, 0x00, 0xff, 0x10};
    json_t *reply = s_upload(s_agent, id, "image/png", png, sizeof png,
                             "dir/meter \"1\".png");
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    const json_t *meta = json_object_get(reply, "body");
    char sha[65];
    s_sha256_hex(png, sizeof png, sha);
    ck_assert_str_eq(s_text(meta, "sha256"), sha);
    ck_assert_str_eq(s_text(meta, "filename"), "meter 1.png");
    ck_assert_str_eq(s_text(meta, "content_type"), "image/png");
    ck_assert_int_eq(json_integer_value(json_object_get(meta, "size")),
                     sizeof png);
    char aid[32];
    snprintf(aid, sizeof aid, "%s", s_text(meta, "id"));
    const char *location =
        s_text(json_object_get(reply, "headers"), "Location");
    ck_assert_ptr_nonnull(strstr(location, aid));
    json_decref(reply);

    // On disk under the configured directory, not left as .tmp.
    char file[1024];
    snprintf(file, sizeof file, "%s/attachments/intake/%s/%s",
             intake_stack.redis.dir, id, aid);
    ck_assert(s_exists(file));
    strncat(file, ".tmp", sizeof file - strlen(file) - 1);
    ck_assert(!s_exists(file));

    // Listed; downloaded with its type, disposition and bytes.
    char path[128];
    snprintf(path, sizeof path, "/v1/cases/%s/attachments", id);
    reply = s_call(s_auditor, "GET", path);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    const json_t *items =
        json_object_get(json_object_get(reply, "body"), "items");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(s_text(json_array_get(items, 0), "id"), aid);
    json_decref(reply);
    snprintf(path, sizeof path, "/v1/cases/%s/attachments/%s", id, aid);
    reply = s_call(s_auditor, "GET", path);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    const json_t *headers = json_object_get(reply, "headers");
    ck_assert_str_eq(s_text(headers, "Content-Type"), "image/png");
    ck_assert_str_eq(s_text(headers, "Content-Transfer-Encoding"), "base64");
    ck_assert_str_eq(
        s_text(headers, "Content-Disposition"),
        "attachment; filename=\"meter 1.png\"; filename*=UTF-8''meter%201.png");
    char *expected = s_base64(png, sizeof png);
    ck_assert_str_eq(s_text(reply, "body"), expected);
    free(expected);
    json_decref(reply);

    // The case's history says so.
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    json_t *doc = intake_expect(200, s_agent, "GET", path, NULL);
    ck_assert_str_eq(s_last_action(doc), "attach");
    ck_assert_int_eq(
        json_integer_value(json_object_get(doc, "attachment_count")), 1);
    json_decref(doc);

    // Deleted by the uploader: a history entry, gone from list and disk.
    snprintf(path, sizeof path, "/v1/cases/%s/attachments/%s", id, aid);
    reply = s_call(s_agent, "DELETE", path);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(s_text(json_object_get(reply, "body"), "state"),
                     "deleted");
    json_decref(reply);
    s_expect(s_call(s_auditor, "GET", path), 404, NULL);
    s_expect(s_call(s_agent, "DELETE", path), 404, NULL);
    file[strlen(file) - 4] = '\0';
    ck_assert(!s_exists(file));
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    doc = intake_expect(200, s_agent, "GET", path, NULL);
    ck_assert_str_eq(s_last_action(doc), "detach");
    json_decref(doc);
    free(id);
}
END_TEST

START_TEST(test_intake_attach_multipart)
{
    char *id = s_create("complaint");
    static const char body[] =
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
        "not a file\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"file\"; "
        "filename=\"C:\\\\scans\\\\receipt.txt\"\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Paid 120 yuan\r\nthank you\r\n"
        "--XyZ--\r\n";
    json_t *reply = s_upload(s_agent, id, "multipart/form-data; boundary=XyZ",
                             body, strlen(body), NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    const json_t *meta = json_object_get(reply, "body");
    ck_assert_str_eq(s_text(meta, "filename"), "receipt.txt");
    ck_assert_str_eq(s_text(meta, "content_type"), "text/plain");
    ck_assert_int_eq(json_integer_value(json_object_get(meta, "size")),
                     strlen("Paid 120 yuan\r\nthank you"));
    json_decref(reply);

    // Two file parts, none, no boundary, a broken body: 400.
    static const char two[] =
        "--b\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a.txt\""
        "\r\n\r\nA\r\n--b\r\nContent-Disposition: form-data; name=\"b\"; "
        "filename=\"b.txt\"\r\n\r\nB\r\n--b--\r\n";
    s_expect(s_upload(s_agent, id, "multipart/form-data; boundary=b", two,
                      strlen(two), NULL),
             400, "file");
    static const char none[] =
        "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n--b--";
    s_expect(s_upload(s_agent, id, "multipart/form-data; boundary=b", none,
                      strlen(none), NULL),
             400, "file");
    s_expect(
        s_upload(s_agent, id, "multipart/form-data", none, strlen(none), NULL),
        400, "body");
    static const char broken[] = "--b\r\nContent-Disposition: form-data";
    s_expect(s_upload(s_agent, id, "multipart/form-data; boundary=b", broken,
                      strlen(broken), NULL),
             400, "body");
    free(id);
}
END_TEST

START_TEST(test_intake_attach_refusals)
{
    char *id = s_create("inquiry");
    char *big = calloc(1, 40000);
    // 413 past intake/attachment_max_bytes (32768 by default).
    s_expect(s_upload(s_agent, id, "application/pdf", big, 40000, "big.pdf"),
             413, "file");
    free(big);
    // 415: a type not in the list, or no media type at all.
    s_expect(s_upload(s_agent, id, "application/zip", "PK", 2, "a.zip"), 415,
             "content_type");
    s_expect(s_upload(s_agent, id, "nonsense", "x", 1, NULL), 415,
             "content_type");
    // The JSON form: {filename, content_type, content_base64}; bad base64
    // or a JSON body of another shape is a 400, and an empty file.
    char path[96];
    snprintf(path, sizeof path, "/v1/cases/%s/attachments", id);
    json_t *json_body =
        json_pack("{s:s, s:s, s:s}", "filename", "note.txt", "content_type",
                  "text/plain", "content_base64", "aGVsbG8=");
    json_t *reply = intake_call(s_agent, "POST", path, NULL, json_body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    ck_assert_str_eq(s_text(json_object_get(reply, "body"), "filename"),
                     "note.txt");
    json_decref(reply);
    json_object_set_new(json_body, "content_base64", json_string("!!"));
    s_expect(intake_call(s_agent, "POST", path, NULL, json_body, NULL), 400,
             "content_base64");
    json_decref(json_body);
    json_body = json_pack("[s]", "x");
    s_expect(intake_call(s_agent, "POST", path, NULL, json_body, NULL), 400,
             "body");
    json_decref(json_body);
    s_expect(s_upload(s_agent, id, "text/plain", "", 0, "e.txt"), 400, "file");
    // 404: no such case; a case the technician may not read.
    s_expect(s_upload(s_agent, "CS-999", "text/plain", "x", 1, NULL), 404,
             NULL);
    s_expect(s_upload(s_tech, id, "text/plain", "x", 1, NULL), 404, NULL);
    s_expect(s_call(s_tech, "GET", path), 404, NULL);
    // 403: auditors read and never write.
    s_expect(s_upload(s_auditor, id, "text/plain", "x", 1, NULL), 403, NULL);

    // Forwarded to finance: its head reads and attaches, but deletes only
    // his own files.
    char reply_by[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + 3600LL * 1000, reply_by);
    json_decref(intake_act(
        s_agent, id, "forward",
        json_pack("{s:s, s:s}", "department", "finance", "reply_by", reply_by),
        200));
    reply = s_upload(s_agent, id, "text/plain", "desk", 4, "desk.txt");
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    char aid[32];
    snprintf(aid, sizeof aid, "%s",
             s_text(json_object_get(reply, "body"), "id"));
    json_decref(reply);
    reply = s_upload(s_fin, id, "text/plain", "head", 4, "head.txt");
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    json_decref(reply);
    snprintf(path, sizeof path, "/v1/cases/%s/attachments/%s", id, aid);
    s_expect(s_call(s_fin, "DELETE", path), 403, NULL);
    s_expect(s_call(s_fin, "GET", path), 200, NULL);
    snprintf(path, sizeof path, "/v1/cases/%s/attachments/AT-999", id);
    s_expect(s_call(s_fin, "GET", path), 404, NULL);

    // 409: a cancelled case takes no more.
    json_decref(intake_act(s_agent, id, "cancel",
                           json_pack("{s:s}", "reason", "duplicate"), 200));
    s_expect(s_upload(s_agent, id, "text/plain", "late", 4, NULL), 409, NULL);
    free(id);
}
END_TEST

// A .tmp that a crash left: settled at start, renamed when its metadata was
// committed, removed when not.
START_TEST(test_intake_attach_sweep)
{
    char *id = s_create("inquiry");
    json_t *reply = s_upload(s_agent, id, "text/plain", "kept", 4, "k.txt");
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    char aid[32];
    snprintf(aid, sizeof aid, "%s",
             s_text(json_object_get(reply, "body"), "id"));
    json_decref(reply);
    char file[1024];
    char tmp[1100];
    char orphan[1100];
    snprintf(file, sizeof file, "%s/attachments/intake/%s/%s",
             intake_stack.redis.dir, id, aid);
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    snprintf(orphan, sizeof orphan, "%s/attachments/intake/%s/AT-77.tmp",
             intake_stack.redis.dir, id);
    // As if the process died after the commit (before the rename), and
    // another one after writing a file whose commit never ran.
    ck_assert_int_eq(rename(file, tmp), 0);
    FILE *out = fopen(orphan, "w");
    ck_assert_ptr_nonnull(out);
    fputs("orphan", out);
    fclose(out);
    struct utimbuf old = {.actime = time(NULL) - 3600,
                          .modtime = time(NULL) - 3600};
    ck_assert_int_eq(utime(tmp, &old), 0);
    ck_assert_int_eq(utime(orphan, &old), 0);
    harness_proc_kill(&intake_stack.intake, SIGKILL, 2000);
    ck_assert(intake_stack_restart_intake());
    ck_assert(s_exists(file));
    ck_assert(!s_exists(tmp));
    ck_assert(!s_exists(orphan));
    char path[128];
    snprintf(path, sizeof path, "/v1/cases/%s/attachments/%s", id, aid);
    cm_envelope_request_t fields = {
        .actor = s_agent, .method = "GET", .path = path};
    reply = NULL;
    // The broker forgets the killed workers after their heartbeats: a
    // request it hands one of them meanwhile has no answer (or a 503).
    for (int i = 0; i < 20 && (!reply || harness_mdp_status(reply) == 503);
         i++) {
        json_decref(reply);
        usleep(i ? 250000 : 0);
        reply = intake_call_with(&fields);
    }
    ck_assert_ptr_nonnull(reply);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(s_text(reply, "body"), "a2VwdA=="); // "kept"
    json_decref(reply);
    free(id);
}
END_TEST

Suite *
intake_attach_suite(void)
{
    Suite *suite = suite_create("intake_attach");
    TCase *tc = tcase_create("attach");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_intake_attach_raw_roundtrip);
    tcase_add_test(tc, test_intake_attach_multipart);
    tcase_add_test(tc, test_intake_attach_refusals);
    tcase_add_test(tc, test_intake_attach_sweep);
    suite_add_tcase(suite, tc);
    return suite;
}
