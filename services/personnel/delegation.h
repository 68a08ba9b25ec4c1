// delegation — a staff member lets another approve in their place for a
// while (docs/domain.md: approvals in a fixed order; the approval engine
// records "B for A", cm_approval.h). A cm_doc type, id DL-n:
//   {from, to, starts_at, ends_at, document_types, note, state}
// from: the delegator (the path's staff member); to: an active staff
// member, not the delegator; ends_at after starts_at and in the future,
// at most personnel/delegation_max_days after starts_at; document_types:
// approval document types of the matrix (config/approvals.cfg), or ["*"].
// Created by the delegator or the station head; revoked by the same
// (state active → revoked). A delegation counts while it is active and
// now is in [starts_at, ends_at).
//
// Events personnel.delegation.created / .revoked carry {id, from, to,
// state, starts_at, ends_at, document_types} (and version): the org view
// of every other service keeps them (cm_org.h).
#ifndef PERSONNEL_DELEGATION_H
#define PERSONNEL_DELEGATION_H

#include <jansson.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_workflow.h"

#define DELEGATION_KIND      "delegation"
#define DELEGATION_ID_PREFIX "DL"
#define DELEGATION_TYPES_MAX 32 // document types of one delegation

// revoke: the delegator or the station head.
extern const cm_workflow_t delegation_workflow;

// The document type.
extern const cm_doc_type_t delegation_type;

// Route handlers: GET/POST /v1/staff/{id}/delegations,
// GET /v1/staff/{id}/delegations/{delegation},
// POST /v1/staff/{id}/delegations/{delegation}/revoke.
void delegation_list(cm_ctx_t *ctx);
void delegation_create(cm_ctx_t *ctx);
void delegation_get(cm_ctx_t *ctx);
void delegation_revoke(cm_ctx_t *ctx);

#endif
