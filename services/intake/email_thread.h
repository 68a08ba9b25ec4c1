// email_thread — an email that answers one the desk already has becomes
// part of that case instead of a new one. Every email.received that
// records a case, and every reply threaded into one, leaves its
// message_id pointing at the case:
//   sm:{intake}:email:<BLAKE2b-128 hex of the message id>  {"case": id}
// A new email.received whose in_reply_to or references (a string of ids
// or an array) names a known message is added to that case as a customer
// reply (history "customer_reply", event intake.case.customer_replied)
// when the case is open, and reopens it first when it closed within the
// reopen window (intake/reopen_days); otherwise (cancelled, or closed
// longer ago) it records a new case as before.
#ifndef INTAKE_EMAIL_THREAD_H
#define INTAKE_EMAIL_THREAD_H

#include <jansson.h>
#include <stdint.h>

#include "cm_store.h"
#include "intake.h"

#define EMAIL_THREAD_ID_MAX   998 // an RFC 5322 line
#define EMAIL_THREAD_REFS_MAX 20  // references looked at, newest first

// The key of a message id into key (CM_STORE_KEY_MAX); NULL when the id
// is empty or too long.
const char *email_thread_key(const char *message_id, char *key);

// Remember the email's message_id (if any) for case_id in commit.
void email_thread_remember(cm_commit_t *commit, const json_t *data,
                           const char *case_id);

// Thread an email.received into the case it answers: 1 when it was added
// to a case (commit holds the change), 0 when it answers none (record a
// new case), -1 on Redis trouble.
// text: what the customer wrote (already cut to its maximum).
int email_thread_reply(const intake_t *intake, cm_store_t *store,
                       cm_commit_t *commit, const json_t *envelope,
                       const json_t *actor, const char *text, int64_t now_ms);

#endif
