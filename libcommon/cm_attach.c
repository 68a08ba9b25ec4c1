#include "cm_attach.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cm_doc.h"
#include "cm_id.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"

#define S_BOUNDARY_MAX 72 // RFC 2046
#define S_DEFAULT_NAME "attachment"
#define S_OCTETS       "application/octet-stream"

// ---- checks

static json_t *
s_problem(int status, const char *code, const char *field, const char *message)
{
    json_t *problem = cm_problem_new(status, code, message);
    cm_problem_add_error(problem, field, message);
    return problem;
}

// The media type of a Content-Type value, lower case, without parameters,
// into out. False when it is not type/subtype.
static bool
s_media_type(const char *value, size_t n, char *out, size_t size)
{
    size_t used = 0;
    size_t slashes = 0;
    size_t i = 0;
    while (i < n && (value[i] == ' ' || value[i] == '\t')) {
        i++;
    }
    for (; i < n && value[i] != ';' && value[i] != ' ' && value[i] != '\t';
         i++) {
        char c = value[i];
        c = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        bool fine = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || strchr("!#$&^_.+-/", c);
        if (!fine || used + 1 >= size) {
            return false;
        }
        slashes += c == '/';
        out[used++] = c;
    }
    out[used] = '\0';
    return slashes == 1 && used > 2 && out[0] != '/' && out[used - 1] != '/';
}

// A file name as kept: the last path component, without controls, quotes
// and backslashes, at most CM_ATTACH_NAME_MAX characters of valid UTF-8.
static char *
s_filename(const char *name, size_t n)
{
    const char *start = name;
    for (size_t i = 0; i < n; i++) {
        if (name[i] == '/' || name[i] == '\\') {
            start = name + i + 1;
        }
    }
    size_t len = n - (size_t)(start - name);
    char *out = malloc(len + 1);
    assert(out);
    size_t used = 0;
    size_t chars = 0;
    for (size_t i = 0; i < len && chars < CM_ATTACH_NAME_MAX; i++) {
        unsigned char c = (unsigned char)start[i];
        if (c < 0x20 || c == 0x7f || c == '"') {
            continue;
        }
        chars += (c & 0xC0) != 0x80;
        out[used++] = (char)c;
    }
    while (used > 0 && (unsigned char)out[used - 1] >= 0x80
           && ((unsigned char)out[used - 1] & 0xC0) != 0xC0
           && chars >= CM_ATTACH_NAME_MAX) {
        used--; // a character cut in two: drop its tail
    }
    out[used] = '\0';
    json_t *check = json_string(out); // NULL for invalid UTF-8
    if (!check || used == 0 || strspn(out, " .") == used) {
        free(out);
        out = strdup(S_DEFAULT_NAME);
        assert(out);
    }
    json_decref(check);
    return out;
}

static const unsigned char *
s_find(const unsigned char *hay, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; m <= n && i <= n - m; i++) {
        if (hay[i] == (unsigned char)needle[0]
            && memcmp(hay + i, needle, m) == 0) {
            return hay + i;
        }
    }
    return NULL;
}

// The value of parameter name (boundary, filename) in a header value of n
// bytes, unquoted, into out. False when absent or too long.
static bool
s_param(const char *value, size_t n, const char *name, char *out, size_t size)
{
    size_t m = strlen(name);
    for (size_t i = 0; i + m + 1 < n; i++) {
        bool start = i == 0 || value[i - 1] == ';' || value[i - 1] == ' '
                     || value[i - 1] == '\t';
        if (!start || strncasecmp(value + i, name, m) != 0
            || value[i + m] != '=') {
            continue;
        }
        const char *p = value + i + m + 1;
        const char *end = value + n;
        size_t used = 0;
        if (p < end && *p == '"') {
            for (p++; p < end && *p != '"'; p++) {
                if (used + 1 >= size) {
                    return false;
                }
                out[used++] = *p;
            }
        } else {
            for (; p < end && *p != ';' && *p != ' ' && *p != '\t'; p++) {
                if (used + 1 >= size) {
                    return false;
                }
                out[used++] = *p;
            }
        }
        out[used] = '\0';
        return true;
    }
    return false;
}

// One part's headers (head, n bytes): its filename (NULL: not a file part)
// and Content-Type.
static void
s_part_headers(const char *head, size_t n, char **filename, char *type,
               size_t type_size)
{
    snprintf(type, type_size, "%s", S_OCTETS);
    *filename = NULL;
    size_t i = 0;
    while (i < n) {
        const char *line = head + i;
        const unsigned char *eol =
            s_find((const unsigned char *)line, n - i, "\r\n", 2);
        size_t len = eol ? (size_t)((const char *)eol - line) : n - i;
        static const char disposition[] = "content-disposition:";
        static const char content_type[] = "content-type:";
        char name[4 * CM_ATTACH_NAME_MAX];
        if (len > sizeof disposition - 1
            && strncasecmp(line, disposition, sizeof disposition - 1) == 0
            && s_param(line, len, "filename", name, sizeof name)) {
            free(*filename);
            *filename = s_filename(name, strlen(name));
        } else if (len > sizeof content_type - 1
                   && strncasecmp(line, content_type, sizeof content_type - 1)
                          == 0) {
            if (!s_media_type(line + sizeof content_type - 1,
                              len - (sizeof content_type - 1), type,
                              type_size)) {
                snprintf(type, type_size, "%s", "invalid/invalid");
            }
        }
        i += len + 2;
    }
}

// Just past the first delimiter (mark without its CRLF may open the
// body), or NULL.
static const unsigned char *
s_first_part(const unsigned char *body, size_t size, const char *mark, size_t m)
{
    if (size >= m - 2 && memcmp(body, mark + 2, m - 2) == 0) {
        return body + m - 2;
    }
    const unsigned char *p = s_find(body, size, mark, m);
    return p ? p + m : NULL;
}

// The one file part of a multipart/form-data body into upload. NULL, or
// a 400 problem.
static json_t *
s_multipart(const char *content_type, const unsigned char *body, size_t size,
            cm_attach_upload_t *upload)
{
    char boundary[S_BOUNDARY_MAX + 8];
    char mark[S_BOUNDARY_MAX + 8];
    if (!s_param(content_type, strlen(content_type), "boundary", boundary,
                 S_BOUNDARY_MAX + 1)
        || !*boundary) {
        return s_problem(400, "validation_failed", "body",
                         "multipart/form-data needs a boundary");
    }
    int m = snprintf(mark, sizeof mark, "\r\n--%s", boundary);
    assert(m > 0 && (size_t)m < sizeof mark);
    const unsigned char *p = s_first_part(body, size, mark, (size_t)m);
    size_t files = 0;
    while (p && (size_t)(body + size - p) >= 2 && memcmp(p, "--", 2) != 0) {
        const unsigned char *end = body + size;
        if ((size_t)(end - p) < 2 || memcmp(p, "\r\n", 2) != 0) {
            break;
        }
        p += 2;
        const unsigned char *blank =
            s_find(p, (size_t)(end - p), "\r\n\r\n", 4);
        const unsigned char *next =
            blank
                ? s_find(blank + 4, (size_t)(end - blank - 4), mark, (size_t)m)
                : NULL;
        if (!blank || !next) {
            return s_problem(400, "validation_failed", "body",
                             "the multipart body is malformed");
        }
        char *filename = NULL;
        char type[CM_ATTACH_TYPE_MAX];
        s_part_headers((const char *)p, (size_t)(blank - p), &filename, type,
                       sizeof type);
        if (filename && ++files == 1) {
            upload->filename = filename;
            upload->content_type = strdup(type);
            upload->size = (size_t)(next - blank - 4);
            upload->data = malloc(upload->size + 1);
            assert(upload->content_type && upload->data);
            memcpy(upload->data, blank + 4, upload->size);
        } else {
            free(filename);
        }
        p = next + m;
    }
    if (!p) {
        return s_problem(400, "validation_failed", "body",
                         "the multipart body is malformed");
    }
    if (files != 1) {
        return s_problem(400, "validation_failed", "file",
                         files ? "must be one file part, not several"
                               : "no file part (a part with a filename)");
    }
    return NULL;
}

// The JSON form of an upload: {"filename", "content_type",
// "content_base64"}. NULL with the bytes (malloc'd), or a 400 problem.
static json_t *
s_json_upload(const json_t *body, const char **content_type,
              unsigned char **data, size_t *size)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        json_decref(problem);
        return s_problem(400, "validation_failed", "body",
                         "an upload: the file as the body with its "
                         "Content-Type, multipart/form-data, or JSON "
                         "{filename, content_type, content_base64}");
    }
    cm_validate_keys(body, "filename content_type content_base64", &problem);
    cm_validate_string(body, "filename", CM_VALIDATE_OPTIONAL, &problem);
    cm_validate_string(body, "content_type", CM_VALIDATE_REQUIRED, &problem);
    const json_t *text = json_object_get(body, "content_base64");
    size_t length = json_string_length(text);
    unsigned char *bytes = malloc(length / 4 * 3 + 3);
    assert(bytes);
    size_t used = 0;
    if (!json_is_string(text)
        || sodium_base642bin(bytes, length / 4 * 3 + 3, json_string_value(text),
                             length, NULL, &used, NULL,
                             sodium_base64_VARIANT_ORIGINAL)
               != 0) {
        cm_validate_fail(&problem, "content_base64", "must be base64");
    }
    if (problem) {
        free(bytes);
        return problem;
    }
    *content_type = cm_doc_string(body, "content_type");
    *data = bytes;
    *size = used;
    return NULL;
}

json_t *
cm_attach_read(cm_ctx_t *ctx, const cm_attach_config_t *config,
               cm_attach_upload_t *upload)
{
    assert(ctx && config && upload);
    memset(upload, 0, sizeof *upload);
    const char *content_type = NULL;
    unsigned char *body = NULL;
    size_t size = 0;
    const json_t *json = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (cm_ctx_body_bytes(ctx, &content_type, &body, &size) != 0
        && (problem = s_json_upload(json, &content_type, &body, &size))) {
        return problem;
    }
    char type[CM_ATTACH_TYPE_MAX];
    if (!s_media_type(content_type, strlen(content_type), type, sizeof type)) {
        problem = s_problem(415, "unsupported_media_type", "content_type",
                            "Content-Type is not a media type");
    } else if (strcmp(type, "multipart/form-data") == 0) {
        problem = s_multipart(content_type, body, size, upload);
        free(body);
        body = NULL;
    } else {
        const char *name = cm_ctx_query(ctx, "filename");
        name = name ? name : cm_doc_string(json, "filename");
        upload->filename = s_filename(name ? name : S_DEFAULT_NAME,
                                      strlen(name ? name : S_DEFAULT_NAME));
        upload->content_type = strdup(type);
        upload->data = body; // taken
        upload->size = size;
        body = NULL;
        assert(upload->content_type);
    }
    if (problem) {
        free(body);
        cm_attach_upload_clear(upload);
        return problem;
    }
    char message[96];
    if (upload->size > config->max_bytes) {
        snprintf(message, sizeof message, "files are limited to %zu bytes",
                 config->max_bytes);
        problem = s_problem(413, "payload_too_large", "file", message);
    } else if (upload->size == 0) {
        problem = s_problem(400, "validation_failed", "file", "is empty");
    } else if (!cm_validate_name_in(config->types, upload->content_type)) {
        snprintf(message, sizeof message, "%.60s is not accepted",
                 upload->content_type);
        problem =
            s_problem(415, "unsupported_media_type", "content_type", message);
    }
    if (problem) {
        cm_attach_upload_clear(upload);
        return problem;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, upload->data, upload->size);
    sodium_bin2hex(upload->sha256, sizeof upload->sha256, digest,
                   sizeof digest);
    return NULL;
}

void
cm_attach_upload_clear(cm_attach_upload_t *upload)
{
    assert(upload);
    free(upload->filename);
    free(upload->content_type);
    free(upload->data);
    memset(upload, 0, sizeof *upload);
}

// ---- disk

const char *
cm_attach_path(const cm_attach_config_t *config, const char *doc_id,
               const char *aid, bool tmp, char *path, size_t size)
{
    int n = snprintf(path, size, "%s/%s/%s%s%s%s", config->dir, config->owner,
                     doc_id, aid ? "/" : "", aid ? aid : "", tmp ? ".tmp" : "");
    return n > 0 && (size_t)n < size ? path : NULL;
}

// mkdir -p of path. 0 or -1.
static int
s_make_dirs(const char *path)
{
    char buf[CM_ATTACH_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0750) != 0 && errno != EEXIST) {
                return -1;
            }
            *p = '/';
        }
    }
    return mkdir(buf, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

int
cm_attach_write_tmp(const cm_attach_config_t *config, const char *doc_id,
                    const char *aid, const cm_attach_upload_t *upload)
{
    char dir[CM_ATTACH_PATH_MAX];
    char path[CM_ATTACH_PATH_MAX];
    if (!cm_attach_path(config, doc_id, NULL, false, dir, sizeof dir)
        || !cm_attach_path(config, doc_id, aid, true, path, sizeof path)
        || s_make_dirs(dir) != 0) {
        cm_log_error("attachment.write_failed", "path", dir, "error",
                     strerror(errno));
        return -1;
    }
    FILE *out = fopen(path, "wb");
    bool fine = out
                && fwrite(upload->data, 1, upload->size, out) == upload->size
                && fflush(out) == 0 && fsync(fileno(out)) == 0;
    if (out && fclose(out) != 0) {
        fine = false;
    }
    if (!fine) {
        cm_log_error("attachment.write_failed", "path", path, "error",
                     strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}

void
cm_attach_settle(const cm_attach_config_t *config, const char *doc_id,
                 const char *aid, bool committed)
{
    char tmp[CM_ATTACH_PATH_MAX];
    char path[CM_ATTACH_PATH_MAX];
    if (!cm_attach_path(config, doc_id, aid, true, tmp, sizeof tmp)
        || !cm_attach_path(config, doc_id, aid, false, path, sizeof path)) {
        return;
    }
    int rc = committed ? rename(tmp, path) : unlink(tmp);
    if (rc != 0) {
        // The sweep at the next start settles it (or a download does).
        cm_log_warn("attachment.settle_failed", "path", tmp, "error",
                    strerror(errno));
    }
}

void
cm_attach_unlink(const cm_attach_config_t *config, const char *doc_id,
                 const char *aid)
{
    char path[CM_ATTACH_PATH_MAX];
    if (cm_attach_path(config, doc_id, aid, false, path, sizeof path)
        && unlink(path) != 0 && errno != ENOENT) {
        cm_log_warn("attachment.unlink_failed", "path", path, "error",
                    strerror(errno));
    }
}

int
cm_attach_load(const cm_attach_config_t *config, const char *doc_id,
               const char *aid, unsigned char **data, size_t *size)
{
    char path[CM_ATTACH_PATH_MAX];
    char tmp[CM_ATTACH_PATH_MAX];
    if (!cm_attach_path(config, doc_id, aid, false, path, sizeof path)
        || !cm_attach_path(config, doc_id, aid, true, tmp, sizeof tmp)) {
        return -1;
    }
    FILE *in = fopen(path, "rb");
    if (!in && errno == ENOENT && rename(tmp, path) == 0) {
        in = fopen(path, "rb"); // committed, the rename left undone
    }
    struct stat st;
    if (!in || fstat(fileno(in), &st) != 0) {
        cm_log_error("attachment.read_failed", "path", path, "error",
                     strerror(errno));
        if (in) {
            fclose(in);
        }
        return -1;
    }
    *size = (size_t)st.st_size;
    *data = malloc(*size + 1);
    assert(*data);
    bool fine = fread(*data, 1, *size, in) == *size;
    fclose(in);
    if (!fine) {
        free(*data);
        *data = NULL;
        cm_log_error("attachment.read_failed", "path", path);
        return -1;
    }
    return 0;
}

// ---- Redis

static const char *
s_meta_key(const char *owner, const char *aid, char *key)
{
    return cm_store_key(key, CM_STORE_KEY_MAX, owner, "attachment", aid);
}

static const char *
s_index_key(const char *owner, const char *doc_id, char *key)
{
    char suffix[CM_STORE_KEY_MAX];
    snprintf(suffix, sizeof suffix, "attachments:%s", doc_id);
    return cm_store_key(key, CM_STORE_KEY_MAX, owner, "idx", suffix);
}

json_t *
cm_attach_meta(const char *aid, const char *doc_id,
               const cm_attach_upload_t *upload, const json_t *actor,
               int64_t now_ms)
{
    char now[CM_TIME_TEXT_MAX];
    cm_time_format(now_ms, now);
    json_t *meta =
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:O?}", "id", aid,
                  "of", doc_id, "filename", upload->filename, "content_type",
                  upload->content_type, "size", (json_int_t)upload->size,
                  "sha256", upload->sha256, "state", "stored", "created_at",
                  now, "created_by", json_object_get(actor, "id"));
    assert(meta);
    return meta;
}

void
cm_attach_commit(cm_commit_t *commit, const char *owner, const json_t *meta,
                 int64_t expected_version, int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX];
    char index[CM_STORE_KEY_MAX];
    const char *aid = cm_doc_string(meta, "id");
    const char *doc_id = cm_doc_string(meta, "of");
    assert(aid && doc_id);
    bool built =
        s_meta_key(owner, aid, key) && s_index_key(owner, doc_id, index);
    assert(built); // ids are made by the service
    char *text = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
    assert(text);
    cm_commit_doc(commit, key, expected_version, text);
    free(text);
    cm_commit_field(commit, "state", cm_doc_text(meta, "state"));
    if (strcmp(cm_doc_text(meta, "state"), "stored") == 0) {
        cm_commit_index_add(commit, index, aid, now_ms);
    } else {
        cm_commit_index_remove(commit, index, aid);
    }
}

int
cm_attach_read_meta(cm_store_t *store, const char *owner, const char *aid,
                    json_t **meta, int64_t *version)
{
    char key[CM_STORE_KEY_MAX];
    if (!s_meta_key(owner, aid, key)) {
        return CM_ENOTFOUND;
    }
    cm_doc_t doc = {0};
    int rc = cm_store_get(store, key, &doc);
    if (rc == 0 && !doc.json) {
        rc = CM_ENOTFOUND;
    }
    if (rc == 0) {
        *meta = json_loads(doc.json, 0, NULL);
        *version = doc.version;
        rc = *meta ? 0 : CM_EINTERNAL;
    }
    cm_doc_clear(&doc);
    return rc;
}

int
cm_attach_list(cm_store_t *store, const char *owner, const char *doc_id,
               size_t limit, json_t **items)
{
    char index[CM_STORE_KEY_MAX];
    if (!s_index_key(owner, doc_id, index)) {
        return CM_EINVAL;
    }
    cm_page_t page;
    int rc = cm_store_list(store, index, NULL, limit, false, &page);
    if (rc) {
        return rc;
    }
    char **keys = calloc(page.count + 1, sizeof(char *));
    cm_doc_t *docs = calloc(page.count + 1, sizeof *docs);
    assert(keys && docs);
    for (size_t i = 0; i < page.count; i++) {
        char key[CM_STORE_KEY_MAX];
        keys[i] = strdup(s_meta_key(owner, page.members[i], key) ? key : "");
        assert(keys[i]);
    }
    rc = page.count ? cm_store_get_many(store, (const char *const *)keys,
                                        page.count, "doc", docs)
                    : 0;
    *items = json_array();
    for (size_t i = 0; rc == 0 && i < page.count; i++) {
        json_t *meta = docs[i].json ? json_loads(docs[i].json, 0, NULL) : NULL;
        if (meta) {
            json_array_append_new(*items, meta);
        }
    }
    if (rc == 0) {
        cm_docs_clear(docs, page.count);
    } else {
        json_decref(*items);
        *items = NULL;
    }
    free(docs);
    cm_store_strings_free(&keys, page.count);
    cm_page_clear(&page);
    return rc;
}

int64_t
cm_attach_count(cm_store_t *store, const char *owner, const char *doc_id)
{
    char index[CM_STORE_KEY_MAX];
    if (!s_index_key(owner, doc_id, index)) {
        return -1;
    }
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "ZCARD", index);
    int64_t count = -1;
    if (reply && cm_redis_reply_int(reply, &count) != 0) {
        count = -1;
    }
    if (reply) {
        freeReplyObject(reply);
    }
    return count;
}

// ---- the download

void
cm_attach_reply(cm_ctx_t *ctx, const json_t *meta, const unsigned char *data,
                size_t size)
{
    const char *name = cm_doc_text(meta, "filename");
    size_t n = strlen(name);
    char ascii[CM_ATTACH_NAME_MAX + 1];
    char encoded[CM_ATTACH_NAME_MAX * 4 * 3 + 1];
    size_t a = 0;
    size_t e = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (a < CM_ATTACH_NAME_MAX && (c < 0x80 || (c & 0xC0) == 0xC0)) {
            ascii[a++] = c < 0x80 && c != '\\' ? (char)c : '_';
        }
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                     || (c >= '0' && c <= '9') || strchr("!#$&+-.^_`|~", c);
        if (e + 4 < sizeof encoded) {
            if (plain) {
                encoded[e++] = (char)c;
            } else {
                e += (size_t)snprintf(encoded + e, 4, "%%%02X", c);
            }
        }
    }
    ascii[a] = '\0';
    encoded[e] = '\0';
    char disposition[sizeof ascii + sizeof encoded + 64];
    snprintf(disposition, sizeof disposition,
             "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii,
             encoded);
    char etag[72];
    snprintf(etag, sizeof etag, "\"%s\"", cm_doc_text(meta, "sha256"));
    cm_ctx_header(ctx, "Content-Disposition", disposition);
    cm_ctx_header(ctx, "ETag", etag);
    cm_ctx_reply_bytes(ctx, 200, cm_doc_text(meta, "content_type"), data, size);
}

// ---- the sweep

int
cm_attach_sweep(cm_store_t *store, const cm_attach_config_t *config,
                int64_t min_age_ms)
{
    char root[CM_ATTACH_PATH_MAX];
    snprintf(root, sizeof root, "%s/%s", config->dir, config->owner);
    DIR *top = opendir(root);
    if (!top) {
        return 0; // nothing stored yet
    }
    int settled = 0;
    int64_t now = cm_time_now_ms();
    struct dirent *doc_entry = NULL;
    while ((doc_entry = readdir(top))) {
        if (doc_entry->d_name[0] == '.') {
            continue;
        }
        char dir_path[CM_ATTACH_PATH_MAX + sizeof doc_entry->d_name + 2];
        snprintf(dir_path, sizeof dir_path, "%s/%s", root, doc_entry->d_name);
        DIR *dir = opendir(dir_path);
        struct dirent *file = NULL;
        while (dir && (file = readdir(dir))) {
            size_t n = strlen(file->d_name);
            char path[sizeof dir_path + sizeof file->d_name + 2];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", dir_path, file->d_name);
            if (n < 5 || strcmp(file->d_name + n - 4, ".tmp") != 0
                || stat(path, &st) != 0
                || (int64_t)st.st_mtime * 1000 > now - min_age_ms) {
                continue;
            }
            char aid[CM_ATTACH_PATH_MAX];
            snprintf(aid, sizeof aid, "%.*s", (int)(n - 4), file->d_name);
            json_t *meta = NULL;
            int64_t version = 0;
            int rc =
                cm_attach_read_meta(store, config->owner, aid, &meta, &version);
            if (rc != 0 && rc != CM_ENOTFOUND) {
                continue; // Redis unavailable: next time
            }
            bool keep =
                rc == 0 && strcmp(cm_doc_text(meta, "state"), "stored") == 0
                && strcmp(cm_doc_text(meta, "of"), doc_entry->d_name) == 0;
            json_decref(meta);
            cm_attach_settle(config, doc_entry->d_name, aid, keep);
            cm_log_notice("attachment.swept", "path", path, "outcome",
                          keep ? "renamed" : "removed");
            settled++;
        }
        if (dir) {
            closedir(dir);
        }
    }
    closedir(top);
    return settled;
}
