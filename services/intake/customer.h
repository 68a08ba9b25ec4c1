// customer — customers of the station (name, phone, email, notes) as a
// cm_doc type: the document sm:{intake}:customer:CU-n (state "active",
// history of its edits), the index sm:{intake}:idx:customers, and unique
// lookups sm:{intake}:customer_phone:<normalised phone> and
// sm:{intake}:customer_email:<lower-case email> (written with
// CM_VERSION_NEW, so two customers can never claim one contact).
//
// phone, email and notes are members only when set (never null); a
// customer keeps at least one contact. PATCH runs the process's `update`
// row (cm_action_patch): the desk's staff may edit.
#ifndef INTAKE_CUSTOMER_H
#define INTAKE_CUSTOMER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_doc.h"
#include "cm_field.h"
#include "cm_store.h"

#define CUSTOMER_CONTACT_MAX 256 // normalised phone or email, with NUL
#define CUSTOMER_PHONE_MAX   40  // characters of a phone as given
#define CUSTOMER_EMAIL_MAX   254 // RFC 5321 path limit
#define CUSTOMER_NOTES_MAX   1000

// The customer document type. Borrowed: static data.
extern const cm_doc_type_t customer_type;

// The body of POST /v1/customers (and of a new case's `customer`).
// Borrowed: static data.
extern const cm_field_t customer_fields[];

// Check a new customer: customer_fields, a phone or an email, contacts
// that normalise. Errors name `path.member` (path NULL: the member alone).
// True when fine; errors appended to *problem_p.
bool customer_check(const json_t *body, const char *path, json_t **problem_p);

// Normalise a phone (digits, a leading '+') into buf. Returns buf, or NULL
// when nothing is left or it does not fit.
const char *customer_phone_normalise(const char *phone, char *buf, size_t size);

// Normalise an email (trimmed, lower case) into buf; NULL as above.
const char *customer_email_normalise(const char *email, char *buf, size_t size);

// A new customer document from a checked body, recorded by actor. Caller
// owns the result.
json_t *customer_new(const char *id, const json_t *body, const json_t *actor,
                     int64_t now_ms);

// The keys customer_find reads first for phone and email (either may be
// NULL), into keys (up to two); returns how many. A caller may read them
// ahead (cm_store_prefetch) in a round trip it makes anyway.
size_t customer_lookup_keys(const char *phone, const char *email,
                            char (*keys)[CM_STORE_KEY_MAX]);

// Find the customer owning phone or email (either may be NULL; phone is
// tried first). 0 (caller owns *doc), CM_ENOTFOUND, CM_EUNAVAILABLE.
int customer_find(cm_store_t *store, const char *phone, const char *email,
                  json_t **doc, int64_t *version);

// Add a customer write to commit: the document (cm_doc_commit with
// expected_version; old NULL for a new one) and its contact lookups.
// 0 or CM_EINVAL (too large; nothing added).
int customer_commit(cm_commit_t *commit, const json_t *old, json_t *doc,
                    int64_t expected_version, int64_t now_ms);

// NULL when the contacts of body are free or belong to self_id (NULL: a
// new customer), else a 409 problem customer_exists naming the owner (or
// 503). Caller owns the problem.
json_t *customer_contacts_taken(cm_store_t *store, const json_t *body,
                                const char *self_id);

// Customers by name: sm:{intake}:idx:customer_names, one member per
// customer "<normalised name>\x1f<id>" at score 0, kept by
// customer_commit_lookups, read by prefix (ZRANGEBYLEX).
#define CUSTOMER_NAME_KEY_MAX 256

// The name as the index keeps it (ASCII lowercased, white space trimmed
// and collapsed; other bytes as they are) into out; its length.
size_t customer_name_key(const char *name, char *out, size_t size);

// The key of the name index into key (CM_STORE_KEY_MAX). Returns key.
const char *customer_names_key(char *key);

// Add to commit the lookup documents of the contacts of doc that `old`
// (NULL for a new customer) did not have.
void customer_commit_lookups(cm_commit_t *commit, const json_t *old,
                             const json_t *doc);

#endif
