// cm_attach_routes — the attachment routes (cm_attach.h) for any document
// type:
//   POST   <path>/{id}/attachments        upload
//   GET    <path>/{id}/attachments        the stored ones, newest first
//   GET    <path>/{id}/attachments/{aid}  download
//   DELETE <path>/{id}/attachments/{aid}  delete (metadata kept, "deleted")
// Reading follows the type's may_read (404). An upload or a deletion is
// one commit of the document (a history entry "attach" / "detach" with
// the file's id, name, type, size and SHA-256, and `attachment_count`)
// with the attachment's metadata; the file is written before it as a .tmp
// and renamed (or removed) after it.
#ifndef LIBCOMMON_CM_ATTACH_ROUTES_H
#define LIBCOMMON_CM_ATTACH_ROUTES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cm_attach.h"
#include "cm_ctx.h"
#include "cm_doc.h"

typedef struct {
    const cm_doc_type_t *type;
    cm_attach_config_t config;
    const char *write_roles; // roles that may attach and delete
    size_t per_doc_max;      // stored attachments a document holds (422)
    // May the document take attachments now (its state)? NULL: always.
    // False: 409.
    bool (*accepts)(const json_t *doc);
    // May the caller (of write_roles, who reads it) attach to the document?
    // NULL: yes. False: 403.
    bool (*may_write)(cm_ctx_t *ctx, const json_t *doc);
    // Who deletes besides the uploader (a desk, a head). NULL: nobody.
    bool (*may_delete)(cm_ctx_t *ctx, const json_t *doc);
} cm_attach_route_t;

void cm_attach_upload_handler(cm_ctx_t *ctx, const cm_attach_route_t *route);
void cm_attach_list_handler(cm_ctx_t *ctx, const cm_attach_route_t *route);
void cm_attach_download_handler(cm_ctx_t *ctx, const cm_attach_route_t *route);
void cm_attach_delete_handler(cm_ctx_t *ctx, const cm_attach_route_t *route);

#endif
