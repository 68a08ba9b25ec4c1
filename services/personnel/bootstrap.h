// bootstrap — the first start: with no staff at all, create the
// management department, the station head ST-1 and its token TOK-1 in one
// commit. The token is personnel/bootstrap_token (SM_PERSONNEL__BOOTSTRAP_
// TOKEN; empty counts as unset) or a random one logged once, in the warn
// line `personnel.bootstrap.token_generated`: the only place a token is
// ever logged. Replicas starting together are safe: every document is
// written with expected version NEW, so exactly one commit wins.
#ifndef PERSONNEL_BOOTSTRAP_H
#define PERSONNEL_BOOTSTRAP_H

#include "cm_config.h"
#include "cm_ctx.h"
#include "cm_store.h"

#define BOOTSTRAP_STAFF_ID      "ST-1"
#define BOOTSTRAP_TOKEN_ID      "TOK-1"
#define BOOTSTRAP_DEPARTMENT    "management"
#define BOOTSTRAP_ACTOR         "bootstrap"
#define BOOTSTRAP_TRIES         40  // Redis may still be starting
#define BOOTSTRAP_RETRY_MS      250 // pause between tries
#define BOOTSTRAP_TOKEN_MIN_LEN 32  // shorter given tokens are warned about

// Config paths (options declared by personnel.c).
#define BOOTSTRAP_TOKEN_OPTION "personnel/bootstrap_token"
#define BOOTSTRAP_NAME_OPTION  "personnel/bootstrap_name"

// A context for a commit personnel makes on its own (bootstrap, recovery):
// the actor is {id: actor_id, role: system}. Caller owns the result.
cm_ctx_t *bootstrap_ctx_new(cm_store_t *store, const char *actor_id);

// Bootstrap when no staff exists. 0 when done or not needed (another
// replica won, or staff exist), -1 when Redis stayed unreachable or the
// commit failed.
int bootstrap_run(const cm_config_t *config, cm_store_t *store);

#endif
