// cm_org_impl — what cm_org.c (the view: events applied, reads) shares with
// cm_org_cache.c (the actor cache and a batch's look). Not for use outside
// libcommon/cm_org*.c.
#ifndef LIBCOMMON_CM_ORG_IMPL_H
#define LIBCOMMON_CM_ORG_IMPL_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_store.h"

// The string member of doc, or "" (never NULL).
const char *cm_org_text(const json_t *doc, const char *member);

// True for a non-empty id shorter than CM_ORG_ID_MAX.
bool cm_org_id_ok(const char *id);

// sm:{owner}:org:<kind>[:<id>] into key (CM_STORE_KEY_MAX bytes); NULL when
// it does not fit.
const char *cm_org_key(char *key, const char *owner, const char *kind,
                       const char *id);

// What the view says about person id (role, department, status, heads,
// oversees); *delegations (when not NULL) the ids of the delegations to
// them. NULL when Redis is unavailable. Caller owns both.
json_t *cm_org_facts(cm_store_t *store, const char *owner, const char *id,
                     json_t **delegations);

// A copy of actor with facts laid over it. Caller owns the result.
json_t *cm_org_with_facts(const json_t *actor, const json_t *facts);

// The delegations of ids that count now, each with its delegator's facts.
// Caller owns the result.
json_t *cm_org_delegations(cm_store_t *store, const char *owner,
                           const json_t *ids);

#endif
