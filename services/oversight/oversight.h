// oversight — the service definition of the heads' periodic review and
// what its modules share: the owner name and who may read and review.
#ifndef OVERSIGHT_OVERSIGHT_H
#define OVERSIGHT_OVERSIGHT_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_service.h"

#define OVERSIGHT_OWNER "oversight"

// The service definition.
extern const cm_service_def_t oversight_service;

// An oversight key "sm:{oversight}:<kind>:<id>" into buf
// (CM_STORE_KEY_MAX). Returns buf.
#define oversight_key(buf, kind, id)                                           \
    cm_store_key_fit(buf, OVERSIGHT_OWNER, kind, id)

#endif
