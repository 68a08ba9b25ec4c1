#include "gateway_input.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool
gateway_request_id_is_valid(const char *id)
{
    if (!id) {
        return false;
    }
    size_t size = strlen(id);
    if (size == 0 || size > GATEWAY_REQUEST_ID_MAX) {
        return false;
    }
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)id[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-') {
            return false;
        }
    }
    return true;
}

bool
gateway_idempotency_key_is_valid(const char *key)
{
    if (!key) {
        return false;
    }
    size_t size = strlen(key);
    if (size == 0 || size > GATEWAY_IDEMPOTENCY_KEY_MAX) {
        return false;
    }
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x21 || c > 0x7e) {
            return false;
        }
    }
    return true;
}

bool
gateway_method_has_body(const char *method)
{
    return method
           && (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0
               || strcmp(method, "PATCH") == 0);
}

bool
gateway_raw_body_allowed(const char *method, const char *path)
{
    static const char suffix[] = "/attachments";
    size_t n = path ? strlen(path) : 0;
    return method && strcmp(method, "POST") == 0 && n > sizeof suffix
           && strcmp(path + n - (sizeof suffix - 1), suffix) == 0;
}

bool
gateway_content_type_is_json(const char *content_type)
{
    if (!content_type) {
        return false;
    }
    const char *p = content_type + strspn(content_type, " \t");
    static const char expected[] = "application/json";
    size_t size = sizeof expected - 1;
    if (strncasecmp(p, expected, size) != 0) {
        return false;
    }
    p += size;
    p += strspn(p, " \t");
    return *p == '\0' || *p == ';';
}

int
gateway_content_length_parse(const char *text, size_t *length)
{
    if (!text) {
        return -1;
    }
    const char *p = text + strspn(text, " \t");
    size_t digits = strspn(p, "0123456789");
    if (digits == 0 || digits > 18) {
        return -1;
    }
    const char *rest = p + digits;
    if (rest[strspn(rest, " \t")] != '\0') {
        return -1;
    }
    *length = (size_t)strtoull(p, NULL, 10);
    return 0;
}

const char *
gateway_bearer_token(const char *header, size_t *size)
{
    if (!header || strncasecmp(header, "Bearer ", 7) != 0) {
        return NULL;
    }
    const char *token = header + 7;
    token += strspn(token, " ");
    size_t length = strcspn(token, " \t\r\n");
    if (length == 0 || length > GATEWAY_TOKEN_MAX
        || token[length + strspn(token + length, " \t")] != '\0') {
        return NULL;
    }
    *size = length;
    return token;
}

const char *
gateway_sha256_hex(const void *data, size_t size, char *hex)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, size);
    sodium_bin2hex(hex, GATEWAY_SHA256_HEX, digest, sizeof digest);
    return hex;
}

int
gateway_fingerprint(const char *method, const char *path, const json_t *body,
                    char *hex)
{
    char *canonical = NULL;
    if (body && !json_is_null(body)) {
        canonical =
            json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        if (!canonical) {
            return -1;
        }
    }
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    crypto_hash_sha256_update(&state, (const unsigned char *)method,
                              strlen(method));
    crypto_hash_sha256_update(&state, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&state, (const unsigned char *)path,
                              strlen(path));
    crypto_hash_sha256_update(&state, (const unsigned char *)"\n", 1);
    if (canonical) {
        crypto_hash_sha256_update(&state, (const unsigned char *)canonical,
                                  strlen(canonical));
    }
    free(canonical);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state, digest);
    sodium_bin2hex(hex, GATEWAY_SHA256_HEX, digest, sizeof digest);
    return 0;
}

json_t *
gateway_body_parse(const char *data, size_t size, json_t **problem)
{
    json_error_t error;
    json_t *body = json_loadb(data, size,
                              JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
    if (body) {
        return body;
    }
    char detail[256 + JSON_ERROR_TEXT_LENGTH];
    snprintf(detail, sizeof detail, "malformed JSON at line %d, column %d: %s",
             error.line, error.column, error.text);
    *problem =
        json_pack("{s:i, s:s, s:s, s:i, s:i, s:i}", "status", 400, "code",
                  "malformed_json", "detail", detail, "line", error.line,
                  "column", error.column, "position", error.position);
    if (!*problem) {
        *problem =
            json_pack("{s:i, s:s}", "status", 400, "code", "malformed_json");
    }
    return NULL;
}

static int
s_hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Decode size bytes of src ('+' is a space, %XX a byte) into a new string.
static char *
s_url_decode(const char *src, size_t size)
{
    char *out = malloc(size + 1);
    if (!out) {
        return NULL;
    }
    size_t used = 0;
    for (size_t i = 0; i < size; i++) {
        char c = src[i];
        int high = c == '%' && i + 2 < size ? s_hex_value(src[i + 1]) : -1;
        int low = high >= 0 ? s_hex_value(src[i + 2]) : -1;
        if (c == '+') {
            c = ' ';
        } else if (high >= 0 && low >= 0) {
            c = (char)(high * 16 + low);
            i += 2;
        }
        out[used++] = c;
    }
    out[used] = '\0';
    return out;
}

// Add one "name=value" pair of length size to query. 0, or -1 (not UTF-8).
static int
s_query_add(json_t *query, const char *pair, size_t size)
{
    const char *equals = memchr(pair, '=', size);
    size_t name_size = equals ? (size_t)(equals - pair) : size;
    char *name = s_url_decode(pair, name_size);
    char *value = equals ? s_url_decode(equals + 1, size - name_size - 1)
                         : s_url_decode("", 0);
    int rc = -1;
    if (name && value && name[0] != '\0') {
        json_t *text = json_string(value);
        rc = text && json_object_set_new(query, name, text) == 0 ? 0 : -1;
    } else if (name && value) {
        rc = 0; // "&&" or "=x": nothing to keep
    }
    free(name);
    free(value);
    return rc;
}

json_t *
gateway_query_parse(const char *query)
{
    json_t *object = json_object();
    if (!object) {
        return NULL;
    }
    const char *p = query ? query : "";
    while (*p) {
        size_t size = strcspn(p, "&");
        if (size > 0 && s_query_add(object, p, size) != 0) {
            json_decref(object);
            return NULL;
        }
        p += size;
        p += *p == '&' ? 1 : 0;
    }
    return object;
}
