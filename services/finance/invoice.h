// invoice — the invoices of an expense claim: they must sum to the claim's
// amount, be dated in the claim's fiscal year, not after the claim and not
// older than the configured age, and each invoice number may back one
// claim only. The number is claimed in the same commit as the claim
// (sm:{finance}:invoice:<number>, version-checked), so two claims racing
// for one invoice cannot both win.
#ifndef FINANCE_INVOICE_H
#define FINANCE_INVOICE_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_field.h"
#include "cm_store.h"

#define INVOICES_MAX 50 // invoices of one claim

// The cm_field check of one invoice object (array items).
bool invoice_check_item(const json_t *value, const char *field,
                        json_t **problem_p);

// Check the invoices of claim (date, amount, invoices) against each other
// and the claim: 400 naming the field, or NULL.
json_t *invoice_check(const json_t *claim, int max_age_days);

// Add to commit the claim of every invoice number of doc (claim id) and
// the release of numbers old held that doc no longer has (old may be NULL;
// doc NULL releases every number of old). NULL, or a 409 "invoice_used"
// naming the claim that holds a number, or a store problem.
json_t *invoice_commit(cm_store_t *store, cm_commit_t *commit,
                       const json_t *old, const json_t *doc);

// After a commit conflicted: the 409 naming a claim that now holds one of
// doc's numbers, or NULL (the conflict was something else). Caller owns.
json_t *invoice_conflict(cm_store_t *store, const json_t *doc);

#endif
