// cm_validate — checks for request bodies. Every check appends to one
// problem's errors[] (400 "validation_failed"), so a reply names every bad
// field at once instead of the first one only (docs/api.md: unknown fields →
// 400 naming them).
//
// The problem is created on the first error: start with NULL, run every
// check, and reply with the problem when it is no longer NULL.
//
//   json_t *problem = NULL;
//   if (cm_validate_object(body, &problem)) {
//       cm_validate_keys(body, "satisfied score comment", &problem);
//       cm_validate_boolean(body, "satisfied", CM_VALIDATE_REQUIRED, &problem);
//       cm_validate_integer(body, "score", 1, 5, CM_VALIDATE_REQUIRED,
//                           &problem);
//       cm_validate_string(body, "comment", CM_VALIDATE_OPTIONAL, &problem);
//   }
//   if (problem) {
//       return problem; // caller owns it
//   }
//
// A member whose value is JSON null counts as absent. Lists of names
// ("low medium high critical") are one string, names separated by spaces;
// cm_workflow tables use the same form.
#ifndef LIBCOMMON_CM_VALIDATE_H
#define LIBCOMMON_CM_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

// Longest name (field, role, state, action) in a list, with its NUL.
#define CM_VALIDATE_NAME_MAX 64

// Longest error message; longer ones (a long enum list) are cut.
#define CM_VALIDATE_MESSAGE_MAX 256

typedef enum {
    CM_VALIDATE_OPTIONAL, // absent or null is fine
    CM_VALIDATE_REQUIRED  // absent, null or blank is "is required"
} cm_validate_presence_t;

// True when `name` is one of the space-separated `names`. False when either
// is NULL.
bool cm_validate_name_in(const char *names, const char *name);

// Copy the first name of the space-separated `names` into `name` (`size`
// bytes) and return the rest of the list, or NULL when no name is left.
// A name longer than size - 1 is a bug in the list and aborts. Loop:
//   for (p = cm_validate_next_name(l, n, sizeof n); p; ...(p, n, sizeof n))
const char *cm_validate_next_name(const char *names, char *name, size_t size);

// True when `body` has `field` with a value: not null, not a blank string,
// not an empty array or object. False when body is not an object.
bool cm_validate_has_value(const json_t *body, const char *field);

// Append {field, message} to *problem_p, creating the 400 problem first when
// *problem_p is NULL. Caller owns *problem_p. Returns false, so a check can
// end with `return cm_validate_fail(...)`.
bool cm_validate_fail(json_t **problem_p, const char *field,
                      const char *message);

// The body must be a JSON object; otherwise "body": "must be a JSON object".
// Returns true when it is.
bool cm_validate_object(const json_t *body, json_t **problem_p);

// Every member of `body` must be one of the space-separated `allowed` names;
// each other member gets "is not allowed". Returns true when none was found.
bool cm_validate_keys(const json_t *body, const char *allowed,
                      json_t **problem_p);

// `field`, when present, must be a string; a required one must not be blank.
// Returns true when the field is fine (or absent and optional).
bool cm_validate_string(const json_t *body, const char *field,
                        cm_validate_presence_t presence, json_t **problem_p);

// `field`, when present, must be a string among the space-separated `values`
// ("must be one of: low, medium, high, critical"). Returns true when fine.
bool cm_validate_enum(const json_t *body, const char *field, const char *values,
                      cm_validate_presence_t presence, json_t **problem_p);

// `field`, when present, must be an integer in [min, max] (a JSON real such
// as 3.0 is refused). Returns true when fine.
bool cm_validate_integer(const json_t *body, const char *field, json_int_t min,
                         json_int_t max, cm_validate_presence_t presence,
                         json_t **problem_p);

// `field`, when present, must be true or false. Returns true when fine.
bool cm_validate_boolean(const json_t *body, const char *field,
                         cm_validate_presence_t presence, json_t **problem_p);

#endif
