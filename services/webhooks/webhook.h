// webhook — a subscription of another system: URL, event patterns, the
// signing secret (shown once, at create), active or disabled.
//
//   active ── disable ──▶ disabled ── enable ──▶ active
//   (either) ── delete (DELETE /v1/webhooks/{id}) ──▶ deleted (final; 404)
//
// PATCH edits url, events, description and `active` (which moves the state
// the same way). The delivery worker disables a webhook itself after
// webhooks/disable_after failed attempts in a row (webhooks.webhook.
// disabled, reason failure_streak); enable resets the streak.
#ifndef WEBHOOKS_WEBHOOK_H
#define WEBHOOKS_WEBHOOK_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_store.h"

#define WEBHOOK_EVENTS_MAX 20 // patterns of one webhook
#define WEBHOOK_STREAK     "failure_streak"

extern const cm_doc_type_t webhook_type;
extern const cm_workflow_t webhook_workflow;

// Handlers.
void webhook_create(cm_ctx_t *ctx);
void webhook_list(cm_ctx_t *ctx);
void webhook_get(cm_ctx_t *ctx);
void webhook_patch(cm_ctx_t *ctx);
void webhook_delete(cm_ctx_t *ctx);
void webhook_history(cm_ctx_t *ctx);
void webhook_act(cm_ctx_t *ctx);

// The document key of webhook id, and of its secret, into buf
// (CM_STORE_KEY_MAX). Return buf.
const char *webhook_key(char *buf, const char *id);
const char *webhook_secret_key(char *buf, const char *id);

// The secret of webhook id into out (SIGNATURE_SECRET_MAX): 0 or a status.
int webhook_secret_read(cm_store_t *store, const char *id, char *out);

// The failed attempts in a row of webhook id into *streak: 0 or a status.
int webhook_streak(cm_store_t *store, const char *id, int64_t *streak);

// True when doc's patterns match event type `type`.
bool webhook_matches(const json_t *doc, const char *type);

// Disable webhook id on the service's own account (the failure streak
// reached the limit): its event webhooks.webhook.disabled. 0, or a
// negative status; nothing happens when it is no longer active.
int webhook_auto_disable(cm_store_t *store, const char *id, int64_t streak);

#endif
