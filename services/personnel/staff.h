// staff — people of the station (domain.md §0): id ST-n, name, role,
// department, status (active | suspended | left, also the document state),
// contact {phone, email}, position. Status and role change only through
// actions (staff_action.h); PATCH edits the other fields.
#ifndef PERSONNEL_STAFF_H
#define PERSONNEL_STAFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"
#include "cm_workflow.h"

#define STAFF_KIND        "staff"
#define STAFF_ID_PREFIX   "ST"
#define STAFF_STATUSES    "active suspended left"
#define STAFF_NAME_MAX    200
#define STAFF_PHONE_MAX   32
#define STAFF_EMAIL_MAX   254
#define STAFF_INDEX_COUNT 8 // one per subset of (department, role, status)

// Status transitions and who may take them (staff_action.c).
extern const cm_workflow_t staff_workflow;

// Check a create / patch body's shape (no store access). NULL or a 400
// problem naming every bad field; caller owns it.
json_t *staff_validate_create(const json_t *body);
json_t *staff_validate_patch(const json_t *body);

// A new, active staff document with id from a valid create body. Caller
// owns it.
json_t *staff_new_doc(const json_t *body, const char *id, const char *actor_id,
                      const char *now);

// Apply a valid patch body to doc (null clears contact and position).
void staff_apply_patch(json_t *doc, const json_t *body);

// The index key for a filter; NULL members mean "any". Returns buf, or
// NULL when it does not fit.
const char *staff_index_key(char *buf, size_t size, const char *department,
                            const char *role, const char *status);

// The STAFF_INDEX_COUNT index keys doc belongs to, each CM_STORE_KEY_MAX
// bytes.
void staff_index_keys(const json_t *doc,
                      char keys[STAFF_INDEX_COUNT][CM_STORE_KEY_MAX]);

// The actions the caller may take on doc (the workflow's, none on a
// station head's record unless the caller is one). Caller owns the result.
json_t *staff_actions(cm_ctx_t *ctx, const json_t *doc);

// What the caller sees. Caller owns the result.
json_t *staff_present(cm_ctx_t *ctx, const json_t *doc, int64_t version);

// Event data: id, name, role, department, status, position, version.
// Caller owns the result.
json_t *staff_event_data(const json_t *doc, int64_t version);

// Add to commit: doc (expected_version; CM_VERSION_NEW to create), its
// index entries moved from old_doc's (NULL when new), and the event (data
// taken).
void staff_commit_add(cm_ctx_t *ctx, cm_commit_t *commit, const json_t *doc,
                      const json_t *old_doc, int64_t expected_version,
                      const char *event_type, json_t *data);

// The staff member named by the path parameter `id`, or NULL after
// answering 404/503. Caller owns the result.
json_t *staff_load(cm_ctx_t *ctx, int64_t *version);

// Route handlers: POST/GET /v1/staff, GET/PATCH /v1/staff/{id}.
void staff_create(cm_ctx_t *ctx);
void staff_list(cm_ctx_t *ctx);
void staff_get(cm_ctx_t *ctx);
void staff_patch(cm_ctx_t *ctx);

#endif
