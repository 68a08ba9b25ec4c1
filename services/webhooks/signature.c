#include "signature.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

// The key bytes of secret into key (SIGNATURE_KEY_MAX); their count, or
// -1 when the secret is malformed.
static int
s_key(const char *secret, unsigned char *key)
{
    size_t prefix = strlen(SIGNATURE_PREFIX);
    if (!secret || strncmp(secret, SIGNATURE_PREFIX, prefix) != 0) {
        return -1;
    }
    const char *b64 = secret + prefix;
    size_t len = 0;
    const char *end = NULL;
    if (sodium_base642bin(key, SIGNATURE_KEY_MAX, b64, strlen(b64), NULL, &len,
                          &end, sodium_base64_VARIANT_ORIGINAL)
            != 0
        || (end && *end) || len < SIGNATURE_KEY_MIN) {
        return -1;
    }
    return (int)len;
}

void
signature_secret_new(char *out)
{
    unsigned char key[SIGNATURE_KEY_DEFAULT];
    randombytes_buf(key, sizeof key);
    size_t prefix = strlen(SIGNATURE_PREFIX);
    snprintf(out, SIGNATURE_SECRET_MAX, "%s", SIGNATURE_PREFIX);
    sodium_bin2base64(out + prefix, SIGNATURE_SECRET_MAX - prefix, key,
                      sizeof key, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(key, sizeof key);
}

bool
signature_secret_is_valid(const char *text)
{
    unsigned char key[SIGNATURE_KEY_MAX];
    bool valid =
        text && strlen(text) < SIGNATURE_SECRET_MAX && s_key(text, key) > 0;
    sodium_memzero(key, sizeof key);
    return valid;
}

int
signature_sign(const char *secret, const char *id, int64_t timestamp,
               const char *body, size_t body_size, char *out)
{
    unsigned char key[SIGNATURE_KEY_MAX];
    int len = s_key(secret, key);
    if (len < 0) {
        return -1;
    }
    char stamp[32];
    snprintf(stamp, sizeof stamp, ".%lld.", (long long)timestamp);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key, (size_t)len);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)id,
                                  strlen(id));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)stamp,
                                  strlen(stamp));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)body,
                                  body_size);
    crypto_auth_hmacsha256_final(&state, mac);
    sodium_memzero(key, sizeof key);
    snprintf(out, SIGNATURE_HEADER_MAX, "v1,");
    sodium_bin2base64(out + 3, SIGNATURE_HEADER_MAX - 3, mac, sizeof mac,
                      sodium_base64_VARIANT_ORIGINAL);
    return 0;
}
