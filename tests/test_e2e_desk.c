// End-to-end processes of the desk's everyday tools (suite e2e,
// tests/e2e_steps.h): a case found by words of its subject and description,
// the volume report as CSV, and a file attached to a case — uploaded raw
// and as multipart/form-data through the gateway (the bytes as they are),
// as JSON through the contract proxy, downloaded, listed and deleted.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e_steps.h"
#include "http_client.h"

// ---- search and volume

START_TEST(test_e2e_desk_search_and_volume)
{
    char id[48], other[48], path[256];
    e2e_record("inquiry", "Escalator quartzline squeaks", id);
    e2e_record("inquiry", "Escalator stopped", other);
    // Both words: only the first; one of them not in any case: none.
    snprintf(path, sizeof path, "/v1/cases?q=quartzline+escalator");
    json_t *page = e2e_expect(200, S_AGENT, "GET", path, NULL);
    const json_t *items = json_object_get(page, "items");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(e2e_str(json_array_get(items, 0), "id"), id);
    json_decref(page);
    page = e2e_expect(200, S_AGENT, "GET",
                      "/v1/cases?q=escalator+nowhereword&kind=inquiry", NULL);
    ck_assert_int_eq(json_array_size(json_object_get(page, "items")), 0);
    json_decref(page);
    json_decref(e2e_expect(400, S_AGENT, "GET", "/v1/cases?q=%21%21", NULL));

    // The volume report of today as CSV: the header and one row, read back.
    static char text[8192];
    char type[64];
    snprintf(path, sizeof path, "/v1/reports/volume?from=%s&to=%s",
             e2e_stack.today, e2e_stack.today);
    ck_assert_int_eq(e2e_http_text(S_AGENT, "GET", path, "Accept: text/csv\r\n",
                                   text, sizeof text, type),
                     200);
    ck_assert_ptr_nonnull(strstr(type, "text/csv"));
    ck_assert_ptr_nonnull(strstr(text, "date,opened,closed,reopened,backlog"));
    ck_assert_ptr_nonnull(strstr(text, e2e_stack.today));
    json_decref(e2e_expect(403, S_TECH, "GET", path, NULL));
}
END_TEST

// ---- attachments

// One request straight to the gateway (bytes the contract proxy would not
// carry as they are) as who with a Content-Type.
static int
s_gateway(int who, const char *method, const char *path, const char *type,
          const char *body, size_t size, http_client_response_t *response)
{
    char headers[512];
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nContent-Type: %s\r\n"
             "Idempotency-Key: e2e-desk-%s-%zu\r\n",
             e2e_stack.tokens[who], type, path, size);
    int fd = http_client_connect(e2e_stack.gateway_port);
    ck_assert_int_ge(fd, 0);
    http_client_send(fd, method, path, headers, body, size);
    response->status = 0;
    http_client_read(fd, response);
    close(fd);
    return response->status;
}

START_TEST(test_e2e_desk_attachments)
{
    char id[48], path[160], aid[32], value[256];
    e2e_record("complaint", "Broken bench", id);
    http_client_response_t *response = malloc(sizeof *response);
    ck_assert_ptr_nonnull(response);
    static const char png[] = "\x89PNG\r\n\x1a\n\x00\xff bench photo";
    size_t png_size = sizeof png - 1;

    // Raw bytes with their Content-Type: stored with their digest.
    snprintf(path, sizeof path, "/v1/cases/%s/attachments?filename=bench.png",
             id);
    ck_assert_int_eq(
        s_gateway(S_AGENT, "POST", path, "image/png", png, png_size, response),
        201);
    json_t *meta = json_loads(response->body, 0, NULL);
    ck_assert_str_eq(e2e_str(meta, "filename"), "bench.png");
    ck_assert_int_eq(e2e_int(meta, "size"), (long long)png_size);
    snprintf(aid, sizeof aid, "%s", e2e_str(meta, "id"));
    json_decref(meta);

    // Downloaded as the same bytes, type and name.
    snprintf(path, sizeof path, "/v1/cases/%s/attachments/%s", id, aid);
    ck_assert_int_eq(
        s_gateway(S_AGENT, "GET", path, "application/json", NULL, 0, response),
        200);
    ck_assert_uint_eq(response->body_size, png_size);
    ck_assert_int_eq(memcmp(response->body, png, png_size), 0);
    ck_assert_str_eq(
        http_client_header(response, "Content-Type", value, sizeof value),
        "image/png");
    ck_assert_ptr_nonnull(
        strstr(http_client_header(response, "Content-Disposition", value,
                                  sizeof value),
               "filename=\"bench.png\""));
    ck_assert_ptr_null(http_client_header(response, "Content-Transfer-Encoding",
                                          value, sizeof value));

    // multipart/form-data with one file part.
    static const char form[] =
        "--e2eb\r\nContent-Disposition: form-data; name=\"file\"; "
        "filename=\"note.txt\"\r\nContent-Type: text/plain\r\n\r\n"
        "seat loose\r\n--e2eb--\r\n";
    snprintf(path, sizeof path, "/v1/cases/%s/attachments", id);
    ck_assert_int_eq(s_gateway(S_AGENT, "POST", path,
                               "multipart/form-data; boundary=e2eb", form,
                               sizeof form - 1, response),
                     201);
    // 415 a type not allowed; 413 past the limit (the service's, then the
    // gateway's for what no message could carry).
    ck_assert_int_eq(
        s_gateway(S_AGENT, "POST", path, "application/zip", "PK", 2, response),
        415);
    char *big = calloc(1, 60000);
    ck_assert_int_eq(
        s_gateway(S_AGENT, "POST", path, "text/plain", big, 40000, response),
        413);
    ck_assert_int_eq(
        s_gateway(S_AGENT, "POST", path, "text/plain", big, 50000, response),
        413);
    free(big);
    free(response);

    // Through the contract proxy: the JSON form, the list, a text download.
    json_t *doc = e2e_expect(201, S_AGENT, "POST", path,
                             "{\"filename\":\"hello.txt\",\"content_type\":"
                             "\"text/plain\",\"content_base64\":\"aGVsbG8=\"}");
    char text_id[32];
    snprintf(text_id, sizeof text_id, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    doc = e2e_expect(200, S_AUDITOR, "GET", path, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "items")), 3);
    json_decref(doc);
    json_decref(e2e_expect(404, S_OUTSIDER, "GET", path, NULL));
    static char text[256];
    char type[64];
    snprintf(path, sizeof path, "/v1/cases/%s/attachments/%s", id, text_id);
    ck_assert_int_eq(
        e2e_http_text(S_AUDITOR, "GET", path, NULL, text, sizeof text, type),
        200);
    ck_assert_str_eq(text, "hello");
    ck_assert_str_eq(type, "text/plain");

    // Deleted: gone from the list, a history entry on the case.
    snprintf(path, sizeof path, "/v1/cases/%s/attachments/%s", id, aid);
    json_decref(e2e_expect(403, S_AUDITOR, "DELETE", path, NULL));
    doc = e2e_expect(200, S_AGENT, "DELETE", path, NULL);
    ck_assert_str_eq(e2e_str(doc, "state"), "deleted");
    json_decref(doc);
    json_decref(e2e_expect(404, S_AGENT, "GET", path, NULL));
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    doc = e2e_expect(200, S_AGENT, "GET", path, NULL);
    const json_t *history = json_object_get(doc, "history");
    ck_assert_str_eq(
        e2e_str(json_array_get(history, json_array_size(history) - 1),
                "action"),
        "detach");
    ck_assert_int_eq(e2e_int(doc, "attachment_count"), 2);
    json_decref(doc);
}
END_TEST

void
e2e_add_desk(TCase *tc)
{
    tcase_add_test(tc, test_e2e_desk_search_and_volume);
    tcase_add_test(tc, test_e2e_desk_attachments);
}
