// checkpoint — signed checkpoints of the audit chain's head, written at
// intervals to a file and to the log, so a copy of the chain's state exists
// outside Redis: whoever rewrites Redis wholesale (every entry and hash
// recomputed) is caught when verify compares the chain with the last
// checkpoint.
//
// A checkpoint is one JSON line {n, hash, at, at_ms, public_key,
// signature}: an Ed25519 signature (libsodium crypto_sign_detached), hex,
// over the text "stationmaster.audit.checkpoint:<n>:<hash>:<at_ms>".
//
// The key: safety/signing_key (hex of a 32-byte seed) when set; otherwise
// the seed in safety/key_file, generated there (mode 0600) on first start
// with a warn line audit.signing_key_generated naming the public key — a
// development key: production sets safety/signing_key from a secret.
#ifndef SAFETY_CHECKPOINT_H
#define SAFETY_CHECKPOINT_H

#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

#define CHECKPOINT_PATH_MAX 512
#define CHECKPOINT_KEY_HEX  (crypto_sign_PUBLICKEYBYTES * 2 + 1)

typedef struct {
    unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
    unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
    char public_hex[CHECKPOINT_KEY_HEX];
    char file[CHECKPOINT_PATH_MAX]; // where checkpoints are appended
} checkpoint_signer_t;

// Load the key (seed_hex, else key_file, else a new key written there)
// and remember the checkpoint file. 0, or -1 after logging why.
int checkpoint_signer_init(checkpoint_signer_t *self, const char *seed_hex,
                           const char *key_file, const char *file);

// Sign the head (n, hash hex, at_ms) and append the line to the file, then
// log it (notice audit.checkpoint). 0, or -1 after logging why.
int checkpoint_write(const checkpoint_signer_t *self, int64_t n,
                     const char *hash, int64_t at_ms);

// The last checkpoint of the file: 0 and *out (caller owns; NULL when the
// file holds none), or -1 when it cannot be read.
int checkpoint_last(const checkpoint_signer_t *self, json_t **out);

// True when checkpoint's signature is valid for its n, hash and at_ms
// under public_key.
bool checkpoint_is_signed(const json_t *checkpoint,
                          const unsigned char *public_key);

#endif
