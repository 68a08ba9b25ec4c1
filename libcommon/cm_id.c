#include "cm_id.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_UUID_BYTES  16
#define S_TOKEN_BYTES 32

const char *
cm_id_format(const char *prefix, int64_t number, char *buf)
{
    assert(prefix && buf);
    snprintf(buf, CM_ID_MAX, "%s-%" PRId64, prefix, number);
    return buf;
}

bool
cm_id_parse(const char *id, const char *prefix, int64_t *number)
{
    if (!id || !prefix) {
        return false;
    }
    size_t n = strlen(prefix);
    if (strncmp(id, prefix, n) != 0 || id[n] != '-') {
        return false;
    }
    const char *digits = id + n + 1;
    size_t len = strlen(digits);
    if (len == 0 || len > 18 || (digits[0] == '0' && len > 1)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)digits[i])) {
            return false;
        }
    }
    if (number) {
        *number = strtoll(digits, NULL, 10);
    }
    return true;
}

static void
s_random(void *buf, size_t size)
{
    // sodium_init is idempotent and thread-safe after the first call; it
    // fails only when no entropy source exists, which we cannot run without.
    int rc = sodium_init();
    assert(rc >= 0);
    randombytes_buf(buf, size);
}

const char *
cm_uuid(char *buf)
{
    assert(buf);
    unsigned char b[S_UUID_BYTES];
    s_random(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(buf, CM_UUID_MAX,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
    return buf;
}

const char *
cm_token_random(char *buf)
{
    assert(buf);
    unsigned char b[S_TOKEN_BYTES];
    s_random(b, sizeof b);
    sodium_bin2hex(buf, CM_TOKEN_MAX, b, sizeof b);
    return buf;
}

bool
cm_uuid_is_valid(const char *text)
{
    if (!text || strlen(text) != 36) {
        return false;
    }
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !isxdigit((unsigned char)text[i])) {
            return false;
        }
    }
    return true;
}
