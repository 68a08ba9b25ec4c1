// harness_mdp — requests to a service over MDP for integration suites
// (tests/*.c): an actor, one request envelope sent and its reply awaited,
// and the members of a reply envelope the suites check.
#ifndef TESTS_HARNESS_MDP_H
#define TESTS_HARNESS_MDP_H

#include <jansson.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"

// An actor object {id, role, department}; department may be NULL (left
// out). Caller owns the result; NULL when a string is not UTF-8.
json_t *harness_mdp_actor(const char *id, const char *role,
                          const char *department);

// Send a request envelope built from fields (borrowed: actor, method, path,
// query, body, idempotency_key, if_match) to service over client and wait
// up to timeout_ms for the reply whose correlation_id is the request's id.
// Unset fields->type becomes "<service>.test", source "test", deadline_ms
// now + timeout_ms. Fails the running test when the request cannot be
// built. Caller owns the result; NULL on timeout.
json_t *harness_mdp_call(cm_mdp_client_t *client, const char *service,
                         const cm_envelope_request_t *fields, int timeout_ms);

// The reply's status; 0 when absent.
int harness_mdp_status(const json_t *reply);

// The reply's error.code, or NULL. Borrowed: valid while reply lives.
const char *harness_mdp_error_code(const json_t *reply);

// The string member of the reply's body, or NULL. Borrowed: valid while
// reply lives.
const char *harness_mdp_body_string(const json_t *reply, const char *member);

#endif
