#include "cm_validate.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cm_problem.h"

#define S_PROBLEM_STATUS 400
#define S_PROBLEM_CODE   "validation_failed"
#define S_PROBLEM_DETAIL "Some fields are missing or invalid."

// Start of the next name in a list, or NULL when only spaces are left.
static const char *
s_skip_spaces(const char *names)
{
    while (*names == ' ') {
        names++;
    }
    return *names ? names : NULL;
}

static bool
s_is_blank(const char *text)
{
    for (; *text; text++) {
        if (!isspace((unsigned char)*text)) {
            return false;
        }
    }
    return true;
}

// The value of `field`, or NULL when it is absent or null; a required field
// that is absent, null or blank is reported.
static const json_t *
s_lookup(const json_t *body, const char *field, cm_validate_presence_t presence,
         json_t **problem_p)
{
    const json_t *value = json_object_get(body, field);
    if (json_is_null(value)) {
        value = NULL;
    }
    // json_is_string is false for NULL.
    bool blank = json_is_string(value) && s_is_blank(json_string_value(value));
    if (presence == CM_VALIDATE_REQUIRED && (!value || blank)) {
        cm_validate_fail(problem_p, field, "is required");
        return NULL;
    }
    return value;
}

// "must be one of: a, b, c" into buf; a list too long for buf is cut.
static const char *
s_enum_message(const char *values, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "must be one of: ");
    char name[CM_VALIDATE_NAME_MAX];
    const char *rest = cm_validate_next_name(values, name, sizeof name);
    const char *separator = "";
    while (rest && used < size) {
        used +=
            (size_t)snprintf(buf + used, size - used, "%s%s", separator, name);
        separator = ", ";
        rest = cm_validate_next_name(rest, name, sizeof name);
    }
    return buf;
}

bool
cm_validate_name_in(const char *names, const char *name)
{
    if (!names || !name) {
        return false;
    }
    size_t length = strlen(name);
    for (const char *p = s_skip_spaces(names); p; p = s_skip_spaces(p)) {
        size_t span = strcspn(p, " ");
        if (span == length && memcmp(p, name, length) == 0) {
            return true;
        }
        p += span;
    }
    return false;
}

const char *
cm_validate_next_name(const char *names, char *name, size_t size)
{
    assert(name && size > 0);
    const char *start = names ? s_skip_spaces(names) : NULL;
    if (!start) {
        name[0] = '\0';
        return NULL;
    }
    size_t span = strcspn(start, " ");
    assert(span < size); // lists are code: a name this long is a bug
    memcpy(name, start, span);
    name[span] = '\0';
    return start + span;
}

bool
cm_validate_has_value(const json_t *body, const char *field)
{
    const json_t *value = json_object_get(body, field);
    if (!value) {
        return false;
    }
    switch (json_typeof(value)) {
    case JSON_STRING:
        return !s_is_blank(json_string_value(value));
    case JSON_ARRAY:
        return json_array_size(value) > 0;
    case JSON_OBJECT:
        return json_object_size(value) > 0;
    case JSON_NULL:
        return false;
    default:
        return true;
    }
}

bool
cm_validate_fail(json_t **problem_p, const char *field, const char *message)
{
    assert(problem_p && field && message);
    if (!*problem_p) {
        *problem_p =
            cm_problem_new(S_PROBLEM_STATUS, S_PROBLEM_CODE, S_PROBLEM_DETAIL);
    }
    cm_problem_add_error(*problem_p, field, message);
    return false;
}

bool
cm_validate_object(const json_t *body, json_t **problem_p)
{
    if (json_is_object(body)) {
        return true;
    }
    return cm_validate_fail(problem_p, "body", "must be a JSON object");
}

bool
cm_validate_keys(const json_t *body, const char *allowed, json_t **problem_p)
{
    bool ok = true;
    const char *key;
    json_t *value;
    // json_object_foreach takes a non-const object but only reads it.
    json_object_foreach((json_t *)body, key, value)
    {
        if (!cm_validate_name_in(allowed, key)) {
            ok = cm_validate_fail(problem_p, key, "is not allowed");
        }
    }
    return ok;
}

bool
cm_validate_string(const json_t *body, const char *field,
                   cm_validate_presence_t presence, json_t **problem_p)
{
    const json_t *value = s_lookup(body, field, presence, problem_p);
    if (!value) {
        return presence == CM_VALIDATE_OPTIONAL;
    }
    if (!json_is_string(value)) {
        return cm_validate_fail(problem_p, field, "must be a string");
    }
    return true;
}

bool
cm_validate_enum(const json_t *body, const char *field, const char *values,
                 cm_validate_presence_t presence, json_t **problem_p)
{
    const json_t *value = s_lookup(body, field, presence, problem_p);
    if (!value) {
        return presence == CM_VALIDATE_OPTIONAL;
    }
    if (!cm_validate_name_in(values, json_string_value(value))) {
        char message[CM_VALIDATE_MESSAGE_MAX];
        s_enum_message(values, message, sizeof message);
        return cm_validate_fail(problem_p, field, message);
    }
    return true;
}

bool
cm_validate_integer(const json_t *body, const char *field, json_int_t min,
                    json_int_t max, cm_validate_presence_t presence,
                    json_t **problem_p)
{
    assert(min <= max);
    const json_t *value = s_lookup(body, field, presence, problem_p);
    if (!value) {
        return presence == CM_VALIDATE_OPTIONAL;
    }
    json_int_t number = json_integer_value(value);
    if (!json_is_integer(value) || number < min || number > max) {
        char message[CM_VALIDATE_MESSAGE_MAX];
        snprintf(message, sizeof message,
                 "must be an integer from %" JSON_INTEGER_FORMAT
                 " to %" JSON_INTEGER_FORMAT,
                 min, max);
        return cm_validate_fail(problem_p, field, message);
    }
    return true;
}

bool
cm_validate_boolean(const json_t *body, const char *field,
                    cm_validate_presence_t presence, json_t **problem_p)
{
    const json_t *value = s_lookup(body, field, presence, problem_p);
    if (!value) {
        return presence == CM_VALIDATE_OPTIONAL;
    }
    if (!json_is_boolean(value)) {
        return cm_validate_fail(problem_p, field, "must be true or false");
    }
    return true;
}
