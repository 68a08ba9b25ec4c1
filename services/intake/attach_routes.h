// attach_routes — files on cases (cm_attach.h):
//   POST   /v1/cases/{id}/attachments        upload (raw or multipart)
//   GET    /v1/cases/{id}/attachments        the stored ones, newest first
//   GET    /v1/cases/{id}/attachments/{aid}  download
//   DELETE /v1/cases/{id}/attachments/{aid}  delete (history entry kept)
// Who: whoever may read the case reads its attachments (404 otherwise);
// every reader but auditors may attach while the case is open (not closed
// or cancelled: 409); the uploader, the desk and the station head delete.
// An upload or a deletion is one commit of the case (a history entry
// "attach" / "detach" with the file's id, name, size and SHA-256, and
// attachment_count) with the attachment's metadata; the file is written
// before it as a .tmp and renamed (or removed) after it.
#ifndef INTAKE_ATTACH_ROUTES_H
#define INTAKE_ATTACH_ROUTES_H

#include "cm_ctx.h"
#include "cm_store.h"
#include "intake.h"

#define ATTACH_PER_CASE_MAX 50 // stored attachments a case holds
#define ATTACH_SWEEP_AGE_MS (10LL * 60 * 1000) // .tmp older than this at start
#define ATTACH_ROLES_WRITE                                                     \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer"

void attach_routes_upload(cm_ctx_t *ctx);
void attach_routes_list(cm_ctx_t *ctx);
void attach_routes_download(cm_ctx_t *ctx);
void attach_routes_delete(cm_ctx_t *ctx);

// At start: settle .tmp files a crash left (cm_attach_sweep).
void attach_routes_sweep(const intake_t *self, cm_store_t *store);

#endif
