// cm_id — speakable ids (prefix + number, "CS-1024"), UUIDs and random
// tokens. Counters live in Redis (cm_store_next_id); this module only formats
// and parses.
#ifndef LIBCOMMON_CM_ID_H
#define LIBCOMMON_CM_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CM_ID_MAX    48 // "PREFIX-<20 digits>" and NUL
#define CM_UUID_MAX  37 // 36 characters and NUL
#define CM_TOKEN_MAX 65 // 64 hex characters and NUL

// Write "<prefix>-<number>" into buf (CM_ID_MAX bytes). Returns buf.
const char *cm_id_format(const char *prefix, int64_t number, char *buf);

// True when `id` is "<prefix>-<digits>" with no leading zero; stores the
// number in *number when it is not NULL.
bool cm_id_parse(const char *id, const char *prefix, int64_t *number);

// Write a random (version 4) UUID into buf (CM_UUID_MAX bytes). Returns buf.
const char *cm_uuid(char *buf);

// Write 32 random bytes as 64 hex characters into buf (CM_TOKEN_MAX bytes).
// Returns buf.
const char *cm_token_random(char *buf);

// True when `text` is a well-formed lower- or upper-case UUID.
bool cm_uuid_is_valid(const char *text);

#endif
