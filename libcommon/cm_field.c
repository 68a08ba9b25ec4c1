#include "cm_field.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cm_time.h"
#include "cm_validate.h"

#define S_MESSAGE_MAX 160
#define S_PATH_MAX    128

size_t
cm_field_length(const char *text)
{
    size_t count = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        count += (*p & 0xC0) != 0x80; // count lead bytes only
    }
    return count;
}

int64_t
cm_field_max_length(const cm_field_t *field)
{
    assert(field);
    if (field->max > 0) {
        return field->max;
    }
    switch (field->type) {
    case CM_FIELD_TEXT:
        return CM_FIELD_TEXT_MAX;
    case CM_FIELD_CODE:
        return CM_FIELD_CODE_MAX;
    default:
        return CM_FIELD_STRING_MAX;
    }
}

const cm_field_t *
cm_field_find(const cm_field_t *fields, const char *name)
{
    for (size_t i = 0; fields && name && fields[i].name; i++) {
        if (strcmp(fields[i].name, name) == 0) {
            return &fields[i];
        }
    }
    return NULL;
}

static bool
s_fail(json_t **problem_p, const char *path, const char *message)
{
    return cm_validate_fail(problem_p, path, message);
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

// Control characters: none in a one-line string; text allows \n \r \t.
static bool
s_has_control(const char *text, bool multiline)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        bool allowed = multiline && (*p == '\n' || *p == '\r' || *p == '\t');
        if ((*p < 0x20 || *p == 0x7F) && !allowed) {
            return true;
        }
    }
    return false;
}

static bool
s_check_text(const cm_field_t *field, const char *text, const char *path,
             json_t **problem_p)
{
    char message[S_MESSAGE_MAX];
    int64_t length = (int64_t)cm_field_length(text);
    int64_t max = cm_field_max_length(field);
    if (length > max) {
        snprintf(message, sizeof message,
                 "must be at most %" PRId64 " characters", max);
        return s_fail(problem_p, path, message);
    }
    if (field->min > 0 && length < field->min) {
        snprintf(message, sizeof message,
                 "must be at least %" PRId64 " characters", field->min);
        return s_fail(problem_p, path, message);
    }
    if (field->type == CM_FIELD_CODE
        && strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789_-.")
               != strlen(text)) {
        return s_fail(problem_p, path,
                      "must be letters, digits, '_', '-' or '.'");
    }
    if (s_has_control(text, field->type == CM_FIELD_TEXT)) {
        return s_fail(problem_p, path, "must not hold control characters");
    }
    return true;
}

static bool
s_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// True when text starts with a real calendar date YYYY-MM-DD (year
// 1900-9999).
static bool
s_is_real_date(const char *text)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? text[i] != '-' : !isdigit((unsigned char)text[i])) {
            return false;
        }
    }
    int year = 0, month = 0, day = 0;
    if (sscanf(text, "%4d-%2d-%2d", &year, &month, &day) != 3 || year < 1900
        || month < 1 || month > 12 || day < 1) {
        return false;
    }
    int last = days[month - 1] + (month == 2 && s_is_leap(year));
    return day <= last;
}

static bool
s_check_time(const cm_field_t *field, const char *text, const char *path,
             json_t **problem_p)
{
    if (field->type == CM_FIELD_DATE) {
        if (strlen(text) != 10 || !s_is_real_date(text)) {
            return s_fail(problem_p, path, "must be a date YYYY-MM-DD");
        }
        return true;
    }
    int64_t ms = 0;
    if (strlen(text) < 20 || !s_is_real_date(text)
        || cm_time_parse(text, &ms) != 0) {
        return s_fail(problem_p, path,
                      "must be an RFC 3339 time, e.g. 2027-03-01T09:00:00Z");
    }
    if ((field->flags & CM_FIELD_FUTURE) && ms <= cm_time_now_ms()) {
        return s_fail(problem_p, path, "must be in the future");
    }
    return true;
}

static bool
s_check_string(const cm_field_t *field, const json_t *value, const char *path,
               json_t **problem_p)
{
    if (!json_is_string(value)) {
        return s_fail(problem_p, path, "must be a string");
    }
    const char *text = json_string_value(value);
    if (field->type == CM_FIELD_ENUM) {
        if (cm_validate_name_in(field->values, text)) {
            return true;
        }
        json_t *body = json_pack("{s:O}", "v", value);
        json_t *problem = NULL;
        cm_validate_enum(body, "v", field->values, CM_VALIDATE_OPTIONAL,
                         &problem);
        const char *message = json_string_value(json_object_get(
            json_array_get(json_object_get(problem, "errors"), 0), "message"));
        s_fail(problem_p, path, message ? message : "is not an allowed value");
        json_decref(problem);
        json_decref(body);
        return false;
    }
    if (field->type == CM_FIELD_TIME || field->type == CM_FIELD_DATE) {
        return s_check_time(field, text, path, problem_p);
    }
    return s_check_text(field, text, path, problem_p);
}

static bool
s_check_integer(const cm_field_t *field, const json_t *value, const char *path,
                json_t **problem_p)
{
    if (!json_is_integer(value)) {
        return s_fail(problem_p, path,
                      field->type == CM_FIELD_MONEY
                          ? "must be an integer amount in fen"
                          : "must be an integer");
    }
    json_int_t n = json_integer_value(value);
    if (field->type == CM_FIELD_MONEY) {
        bool negative_ok = field->flags & CM_FIELD_NEGATIVE;
        bool zero_ok = negative_ok || (field->flags & CM_FIELD_ZERO_OK);
        if ((!negative_ok && n < 0) || (!zero_ok && n == 0)) {
            return s_fail(problem_p, path,
                          zero_ok ? "must not be negative"
                                  : "must be greater than 0");
        }
        if (n > CM_FIELD_MONEY_MAX || n < -CM_FIELD_MONEY_MAX) {
            return s_fail(problem_p, path, "is too large");
        }
        return true;
    }
    if (n < field->min || (field->max > field->min && n > field->max)) {
        char message[S_MESSAGE_MAX];
        if (field->max > field->min) {
            snprintf(message, sizeof message,
                     "must be an integer %" PRId64 "..%" PRId64, field->min,
                     field->max);
        } else {
            snprintf(message, sizeof message, "must be an integer >= %" PRId64,
                     field->min);
        }
        return s_fail(problem_p, path, message);
    }
    return true;
}

static bool
s_check_array(const cm_field_t *field, const json_t *value, const char *path,
              json_t **problem_p)
{
    if (!json_is_array(value)) {
        return s_fail(problem_p, path, "must be an array");
    }
    size_t max = field->max > 0 ? (size_t)field->max : CM_FIELD_ARRAY_MAX;
    if (json_array_size(value) > max) {
        char message[S_MESSAGE_MAX];
        snprintf(message, sizeof message, "must have at most %zu items", max);
        return s_fail(problem_p, path, message);
    }
    if ((field->flags & CM_FIELD_NONEMPTY) && json_array_size(value) == 0) {
        return s_fail(problem_p, path, "must have at least one item");
    }
    bool fine = true;
    for (size_t i = 0; field->check && i < json_array_size(value); i++) {
        char item[S_PATH_MAX];
        snprintf(item, sizeof item, "%s[%zu]", path, i);
        fine = field->check(json_array_get(value, i), item, problem_p) && fine;
    }
    return fine;
}

bool
cm_field_check_value(const cm_field_t *field, const json_t *value,
                     const char *path, json_t **problem_p)
{
    assert(field && problem_p);
    path = path ? path : field->name;
    bool absent =
        !value || json_is_null(value)
        || (json_is_string(value) && s_is_blank(json_string_value(value)));
    if (absent) {
        return (field->flags & CM_FIELD_REQUIRED)
                   ? s_fail(problem_p, path, "is required")
                   : true;
    }
    switch (field->type) {
    case CM_FIELD_STRING:
    case CM_FIELD_TEXT:
    case CM_FIELD_CODE:
    case CM_FIELD_ENUM:
    case CM_FIELD_TIME:
    case CM_FIELD_DATE:
        return s_check_string(field, value, path, problem_p);
    case CM_FIELD_INTEGER:
    case CM_FIELD_MONEY:
        return s_check_integer(field, value, path, problem_p);
    case CM_FIELD_BOOLEAN:
        return json_is_boolean(value)
                   ? true
                   : s_fail(problem_p, path, "must be true or false");
    case CM_FIELD_OBJECT:
        if (!json_is_object(value)) {
            return s_fail(problem_p, path, "must be an object");
        }
        return field->check ? field->check(value, path, problem_p) : true;
    case CM_FIELD_ARRAY:
        return s_check_array(field, value, path, problem_p);
    case CM_FIELD_ANY:
        return field->check ? field->check(value, path, problem_p) : true;
    }
    return true;
}

bool
cm_field_check(const cm_field_t *fields, const json_t *body, json_t **problem_p)
{
    assert(problem_p);
    if (body && !json_is_object(body)) {
        return s_fail(problem_p, "body", "must be a JSON object");
    }
    bool fine = true;
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach((json_t *)body, key, value)
    {
        if (!cm_field_find(fields, key)) {
            fine = s_fail(problem_p, key, "is not allowed");
        }
    }
    for (size_t i = 0; fields && fields[i].name; i++) {
        fine = cm_field_check_value(&fields[i],
                                    json_object_get(body, fields[i].name), NULL,
                                    problem_p)
               && fine;
    }
    return fine;
}

void
cm_field_copy(const cm_field_t *fields, const json_t *body, json_t *doc)
{
    assert(doc);
    for (size_t i = 0; fields && fields[i].name; i++) {
        json_t *value = json_object_get(body, fields[i].name);
        if (fields[i].to && value) {
            json_object_set(doc, fields[i].to, value);
        }
    }
}
