// workorder_attach — files on work orders (cm_attach.h): photos of a
// repair, a signed report.
//   POST   /v1/work-orders/{id}/attachments        upload
//   GET    /v1/work-orders/{id}/attachments        the stored ones
//   GET    /v1/work-orders/{id}/attachments/{aid}  download
//   DELETE /v1/work-orders/{id}/attachments/{aid}  delete (history entry)
// Every authenticated person reads work orders, and so their attachments.
// Attaching: the work order's assignee, people of its department, its head
// and the deputy overseeing it, and the station head, while it is not
// closed (409); auditors and system never (403). Deleting: the uploader,
// the department's head or overseeing deputy, the station head.
#ifndef DISPATCH_WORKORDER_ATTACH_H
#define DISPATCH_WORKORDER_ATTACH_H

#include "cm_ctx.h"
#include "cm_store.h"
#include "dispatch.h"

#define WORKORDER_ATTACH_MAX      50 // stored attachments a work order holds
#define WORKORDER_ATTACH_SWEEP_MS (10LL * 60 * 1000)
#define WORKORDER_ATTACH_ROLES                                                 \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer"

void workorder_attach_upload(cm_ctx_t *ctx);
void workorder_attach_list(cm_ctx_t *ctx);
void workorder_attach_download(cm_ctx_t *ctx);
void workorder_attach_delete(cm_ctx_t *ctx);

// At start: settle .tmp files a crash left (cm_attach_sweep).
void workorder_attach_sweep(const dispatch_t *self, cm_store_t *store);

#endif
