// cm_attach — files attached to a service's documents (a case, a work
// order): the upload read from a request, checked against a size limit and
// a list of media types, kept on disk with its SHA-256, its metadata in
// Redis written in the document's own commit.
//
// Upload: a raw body with its Content-Type (the file name from the query
// parameter `filename`), or multipart/form-data with exactly one file part
// (a part whose Content-Disposition names a filename; other parts are
// ignored). Bytes travel as base64 in the envelope (cm_ctx_body_bytes).
//
// Disk: <dir>/<owner>/<doc id>/<attachment id>. A file is written first as
// "<attachment id>.tmp" beside it, the commit runs, and only then is it
// renamed (commit done) or removed (commit failed). A process that dies in
// between leaves a .tmp: cm_attach_sweep (at start) renames it when its
// metadata was committed and removes it otherwise. A download whose file
// is missing but whose .tmp exists completes the rename itself.
//
// Redis (hash tag the owner, so it shares the document's commit):
//   sm:{owner}:attachment:<attachment id>    document: the metadata
//   sm:{owner}:idx:attachments:<doc id>      sorted set of the document's
//                                            attachments, score = upload ms
// Metadata: {id, of, filename, content_type, size, sha256, state
// ("stored" | "deleted"), created_at, created_by, deleted_at?, deleted_by?}.
#ifndef LIBCOMMON_CM_ATTACH_H
#define LIBCOMMON_CM_ATTACH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_store.h"

#define CM_ATTACH_NAME_MAX  200 // characters of a file name kept
#define CM_ATTACH_TYPE_MAX  128 // bytes of a media type
#define CM_ATTACH_PATH_MAX  1024
#define CM_ATTACH_ID_PREFIX "AT"

// An upload read from a request. Owned members (cm_attach_upload_clear).
typedef struct {
    char *filename;     // sanitised: no directories, no controls or quotes
    char *content_type; // media type, lower case, without parameters
    unsigned char *data;
    size_t size;
    char sha256[65]; // hex
} cm_attach_upload_t;

// Where and what: the configured directory, size limit and media types
// (space-separated, "image/png application/pdf"). Borrowed strings.
typedef struct {
    const char *dir;
    const char *owner; // the service, hash tag and first directory
    size_t max_bytes;
    const char *types;
} cm_attach_config_t;

// Read the request's upload. NULL when fine (*upload filled), else a
// problem naming the field: 400 (not an upload, a malformed multipart body,
// no file part or more than one, an empty file), 413 (past max_bytes), 415
// (a type not in the list). Caller owns the problem.
json_t *cm_attach_read(cm_ctx_t *ctx, const cm_attach_config_t *config,
                       cm_attach_upload_t *upload);

void cm_attach_upload_clear(cm_attach_upload_t *upload);

// The file of attachment aid of document doc_id into path (tmp: its .tmp).
// NULL when it does not fit.
const char *cm_attach_path(const cm_attach_config_t *config, const char *doc_id,
                           const char *aid, bool tmp, char *path, size_t size);

// Write upload as the .tmp of aid (directories made). 0, or -1 (logged).
int cm_attach_write_tmp(const cm_attach_config_t *config, const char *doc_id,
                        const char *aid, const cm_attach_upload_t *upload);

// After the commit: rename the .tmp (committed) or remove it.
void cm_attach_settle(const cm_attach_config_t *config, const char *doc_id,
                      const char *aid, bool committed);

// Remove a deleted attachment's file (after its commit).
void cm_attach_unlink(const cm_attach_config_t *config, const char *doc_id,
                      const char *aid);

// Read the file of aid (completing a rename left undone): 0 with *data
// (malloc'd) of *size bytes, or -1 (missing or unreadable; logged).
int cm_attach_load(const cm_attach_config_t *config, const char *doc_id,
                   const char *aid, unsigned char **data, size_t *size);

// The metadata of a new attachment. Caller owns it.
json_t *cm_attach_meta(const char *aid, const char *doc_id,
                       const cm_attach_upload_t *upload, const json_t *actor,
                       int64_t now_ms);

// Add to commit the metadata (new: CM_VERSION_NEW; or a deletion:
// expected_version) and its index entry (added while stored, removed once
// deleted).
void cm_attach_commit(cm_commit_t *commit, const char *owner,
                      const json_t *meta, int64_t expected_version,
                      int64_t now_ms);

// Read attachment aid's metadata: 0 (caller owns *meta), CM_ENOTFOUND or
// a status.
int cm_attach_read_meta(cm_store_t *store, const char *owner, const char *aid,
                        json_t **meta, int64_t *version);

// The stored attachments of doc_id, oldest first, at most limit: 0 with
// *items (caller owns), or a status.
int cm_attach_list(cm_store_t *store, const char *owner, const char *doc_id,
                   size_t limit, json_t **items);

// The number of stored attachments of doc_id, or -1 (Redis unavailable).
int64_t cm_attach_count(cm_store_t *store, const char *owner,
                        const char *doc_id);

// Answer a download: the bytes with the stored Content-Type and a
// Content-Disposition naming the file (ASCII fallback and RFC 5987
// filename*), plus ETag "<sha256>".
void cm_attach_reply(cm_ctx_t *ctx, const json_t *meta,
                     const unsigned char *data, size_t size);

// At start: settle the .tmp files older than min_age_ms under
// <dir>/<owner>: renamed when their metadata exists and is stored, else
// removed. Returns the files settled.
int cm_attach_sweep(cm_store_t *store, const cm_attach_config_t *config,
                    int64_t min_age_ms);

#endif
