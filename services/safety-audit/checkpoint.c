#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cm_doc.h"
#include "cm_log.h"
#include "cm_time.h"

#define S_SEED_HEX (crypto_sign_SEEDBYTES * 2 + 1)
#define S_SIG_HEX  (crypto_sign_BYTES * 2 + 1)
#define S_LINE_MAX 1024

// mkdir -p of the directory holding path. 0 or -1.
static int
s_make_parent(const char *path)
{
    char dir[CHECKPOINT_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) {
        return 0;
    }
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                return -1;
            }
            *p = '/';
        }
    }
    return mkdir(dir, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int
s_seed_from_hex(const char *hex, unsigned char *seed)
{
    size_t len = 0;
    return hex
                   && sodium_hex2bin(seed, crypto_sign_SEEDBYTES, hex,
                                     strlen(hex), " \n", &len, NULL)
                          == 0
                   && len == crypto_sign_SEEDBYTES
               ? 0
               : -1;
}

// The seed in key_file, or a new one written there. 0 or -1.
static int
s_seed_from_file(const char *key_file, unsigned char *seed)
{
    char hex[S_SEED_HEX + 8] = "";
    FILE *in = fopen(key_file, "r");
    if (in) {
        size_t got = fread(hex, 1, sizeof hex - 1, in);
        fclose(in);
        hex[got] = '\0';
        return s_seed_from_hex(hex, seed);
    }
    randombytes_buf(seed, crypto_sign_SEEDBYTES);
    sodium_bin2hex(hex, S_SEED_HEX, seed, crypto_sign_SEEDBYTES);
    int fd = s_make_parent(key_file) == 0
                 ? open(key_file, O_WRONLY | O_CREAT | O_EXCL, 0600)
                 : -1;
    bool written = fd >= 0
                   && write(fd, hex, strlen(hex)) == (ssize_t)strlen(hex)
                   && write(fd, "\n", 1) == 1;
    if (fd >= 0) {
        close(fd);
    }
    return written ? 0 : -1;
}

int
checkpoint_signer_init(checkpoint_signer_t *self, const char *seed_hex,
                       const char *key_file, const char *file)
{
    memset(self, 0, sizeof *self);
    snprintf(self->file, sizeof self->file, "%s", file);
    unsigned char seed[crypto_sign_SEEDBYTES];
    bool configured = seed_hex && *seed_hex;
    bool existed = !configured && access(key_file, R_OK) == 0;
    int rc = configured ? s_seed_from_hex(seed_hex, seed)
                        : s_seed_from_file(key_file, seed);
    if (rc != 0) {
        cm_log_error("audit.signing_key_invalid", "source",
                     configured ? "safety/signing_key" : key_file);
        return -1;
    }
    crypto_sign_seed_keypair(self->public_key, self->secret_key, seed);
    sodium_memzero(seed, sizeof seed);
    sodium_bin2hex(self->public_hex, sizeof self->public_hex, self->public_key,
                   sizeof self->public_key);
    if (!configured && !existed) {
        cm_log_warn("audit.signing_key_generated", "key_file", key_file,
                    "public_key", self->public_hex);
    }
    if (s_make_parent(file) != 0) {
        cm_log_error("audit.checkpoint_dir_failed", "file", file);
        return -1;
    }
    return 0;
}

static void
s_message(char *buf, size_t size, int64_t n, const char *hash, int64_t at_ms)
{
    snprintf(buf, size, "stationmaster.audit.checkpoint:%lld:%s:%lld",
             (long long)n, hash, (long long)at_ms);
}

int
checkpoint_write(const checkpoint_signer_t *self, int64_t n, const char *hash,
                 int64_t at_ms)
{
    char message[256], sig_hex[S_SIG_HEX], at[CM_TIME_TEXT_MAX];
    unsigned char sig[crypto_sign_BYTES];
    s_message(message, sizeof message, n, hash, at_ms);
    crypto_sign_detached(sig, NULL, (const unsigned char *)message,
                         strlen(message), self->secret_key);
    sodium_bin2hex(sig_hex, sizeof sig_hex, sig, sizeof sig);
    cm_time_format(at_ms, at);
    char line[S_LINE_MAX];
    snprintf(line, sizeof line,
             "{\"n\":%lld,\"hash\":\"%s\",\"at\":\"%s\",\"at_ms\":%lld,"
             "\"public_key\":\"%s\",\"signature\":\"%s\"}\n",
             (long long)n, hash, at, (long long)at_ms, self->public_hex,
             sig_hex);
    int fd = open(self->file, O_WRONLY | O_CREAT | O_APPEND, 0600);
    bool written = fd >= 0
                   && write(fd, line, strlen(line)) == (ssize_t)strlen(line)
                   && fsync(fd) == 0;
    if (fd >= 0) {
        close(fd);
    }
    if (!written) {
        cm_log_error("audit.checkpoint_failed", "file", self->file);
        return -1;
    }
    char count[32];
    snprintf(count, sizeof count, "%lld", (long long)n);
    cm_log_notice("audit.checkpoint", "n", count, "hash", hash, "at", at,
                  "public_key", self->public_hex, "signature", sig_hex);
    return 0;
}

int
checkpoint_last(const checkpoint_signer_t *self, json_t **out)
{
    *out = NULL;
    FILE *in = fopen(self->file, "r");
    if (!in) {
        return errno == ENOENT ? 0 : -1;
    }
    char line[S_LINE_MAX], last[S_LINE_MAX] = "";
    while (fgets(line, sizeof line, in)) {
        if (line[0] == '{') {
            snprintf(last, sizeof last, "%s", line);
        }
    }
    fclose(in);
    *out = last[0] ? json_loads(last, 0, NULL) : NULL;
    return last[0] && !*out ? -1 : 0;
}

bool
checkpoint_is_signed(const json_t *checkpoint, const unsigned char *public_key)
{
    const char *hash = cm_doc_string(checkpoint, "hash");
    const char *sig_hex = cm_doc_string(checkpoint, "signature");
    unsigned char sig[crypto_sign_BYTES];
    size_t len = 0;
    if (!hash || !sig_hex
        || sodium_hex2bin(sig, sizeof sig, sig_hex, strlen(sig_hex), NULL, &len,
                          NULL)
               != 0
        || len != sizeof sig) {
        return false;
    }
    char message[256];
    s_message(message, sizeof message, cm_doc_integer(checkpoint, "n"), hash,
              cm_doc_integer(checkpoint, "at_ms"));
    return crypto_sign_verify_detached(sig, (const unsigned char *)message,
                                       strlen(message), public_key)
           == 0;
}
