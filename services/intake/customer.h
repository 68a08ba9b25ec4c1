// customer — customers of the station (name, phone, email, notes) and their
// storage: the document sm:{intake}:customer:CU-n, unique lookups
// sm:{intake}:customer_phone:<normalised phone> and
// sm:{intake}:customer_email:<lower-case email> (documents written with
// CM_VERSION_NEW, so two customers can never claim one contact), and the
// index sm:{intake}:idx:customers.
#ifndef INTAKE_CUSTOMER_H
#define INTAKE_CUSTOMER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_store.h"

#define CUSTOMER_ID_PREFIX   "CU"
#define CUSTOMER_CONTACT_MAX 256 // normalised phone or email, with NUL
#define CUSTOMER_OWNER       "intake"

// Check a POST /v1/customers body (or the `customer` member of a new case):
// name required, phone and/or email, notes optional; unknown members
// named. `prefix` ("customer.") is put before field names. NULL when fine,
// else a 400 problem (caller owns it).
json_t *customer_check(const json_t *body, const char *prefix);

// Check a PATCH body: name, phone, email, notes, all optional, at least
// one. NULL or a 400 problem (caller owns it).
json_t *customer_check_patch(const json_t *body);

// Normalise a phone (digits, a leading '+') into buf. Returns buf, or NULL
// when nothing is left or it does not fit.
const char *customer_phone_normalise(const char *phone, char *buf, size_t size);

// Normalise an email (trimmed, lower case) into buf; NULL as above.
const char *customer_email_normalise(const char *email, char *buf, size_t size);

// A new customer document from a checked body. Caller owns the result.
json_t *customer_new(const char *id, const json_t *body, int64_t now_ms);

// Read customer `id`. 0 (caller owns *doc), CM_ENOTFOUND, CM_EUNAVAILABLE.
int customer_load(cm_store_t *store, const char *id, json_t **doc,
                  int64_t *version);

// Find the customer owning phone or email (either may be NULL; phone is
// tried first). 0 (caller owns *doc), CM_ENOTFOUND, CM_EUNAVAILABLE.
int customer_find(cm_store_t *store, const char *phone, const char *email,
                  json_t **doc, int64_t *version);

// Add a customer write to commit: the document (expected_version), index
// entry, and lookup documents for contacts that `old` (NULL for a new
// customer) did not have. Borrowed arguments.
void customer_commit(cm_commit_t *commit, const json_t *old, const json_t *doc,
                     int64_t expected_version, int64_t now_ms);

// The reply body: a copy with `version`. Caller owns the result.
json_t *customer_to_json(const json_t *doc, int64_t version);

#endif
