#include "cm_id.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_UUID_BYTES  16
#define S_TOKEN_BYTES 32
#define S_POOL_BYTES  (S_UUID_BYTES * 32) // one fill makes 32 UUIDs

// Each thread draws UUID bytes from a pool it fills from the system's
// generator 32 UUIDs at a time (one getrandom instead of 32). A forked child
// empties the pool it inherited, so it never repeats its parent's UUIDs.
static _Thread_local unsigned char s_pool[S_POOL_BYTES];
static _Thread_local size_t s_pool_left;
static pthread_once_t s_pool_once = PTHREAD_ONCE_INIT;

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

static void
s_pool_forget(void)
{
    s_pool_left = 0; // the child's one thread: the one that forked
}

static void
s_pool_register(void)
{
    int rc = pthread_atfork(NULL, NULL, s_pool_forget);
    assert(rc == 0);
    (void)rc;
}

const char *
cm_uuid(char *buf)
{
    assert(buf);
    static const char hex[] = "0123456789abcdef";
    if (s_pool_left < S_UUID_BYTES) {
        pthread_once(&s_pool_once, s_pool_register);
        s_random(s_pool, sizeof s_pool);
        s_pool_left = sizeof s_pool;
    }
    s_pool_left -= S_UUID_BYTES;
    unsigned char *b = s_pool + s_pool_left;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char *out = buf;
    for (int i = 0; i < S_UUID_BYTES; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            *out++ = '-';
        }
        *out++ = hex[b[i] >> 4];
        *out++ = hex[b[i] & 0x0f];
    }
    *out = '\0';
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
