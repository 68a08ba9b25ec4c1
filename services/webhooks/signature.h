// signature — the signing scheme of outbound webhooks, after the Standard
// Webhooks convention (docs/events.md, "Webhooks"):
//
//   webhook-id:        the delivery's id (the same on every retry)
//   webhook-timestamp: seconds since the epoch when this attempt was sent
//   webhook-signature: "v1," base64(HMAC-SHA256(key, id "." timestamp "."
//                      body))
//
// The secret is "whsec_" followed by the standard base64 of the key (24 to
// 64 bytes; generated secrets have 32). Pure functions over libsodium.
#ifndef WEBHOOKS_SIGNATURE_H
#define WEBHOOKS_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIGNATURE_PREFIX      "whsec_"
#define SIGNATURE_KEY_MIN     24
#define SIGNATURE_KEY_MAX     64
#define SIGNATURE_KEY_DEFAULT 32
// "whsec_" + base64 of SIGNATURE_KEY_MAX bytes + NUL.
#define SIGNATURE_SECRET_MAX 100
// "v1," + base64 of 32 bytes + NUL.
#define SIGNATURE_HEADER_MAX 64

// A new random secret into out (SIGNATURE_SECRET_MAX bytes).
void signature_secret_new(char *out);

// True when text is a well-formed secret (prefix, base64, key length).
bool signature_secret_is_valid(const char *text);

// The webhook-signature value of (id, timestamp, body) under secret into
// out (SIGNATURE_HEADER_MAX bytes). 0, or -1 when secret is malformed.
int signature_sign(const char *secret, const char *id, int64_t timestamp,
                   const char *body, size_t body_size, char *out);

#endif
