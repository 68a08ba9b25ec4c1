#include "cm_problem.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

json_t *
cm_problem_new(int http_status, const char *code, const char *detail)
{
    if (!code) {
        code = cm_status_name(cm_status_from_http(http_status));
    }
    json_t *problem =
        json_pack("{s:i, s:s}", "status", http_status, "code", code);
    assert(problem);
    if (detail) {
        // json_string_nocheck would accept bad UTF-8; a detail that is not
        // UTF-8 is dropped rather than producing an invalid document.
        json_t *text = json_string(detail);
        if (text) {
            json_object_set_new(problem, "detail", text);
        }
    }
    return problem;
}

json_t *
cm_problem_from_status(cm_status_t status, const char *detail)
{
    return cm_problem_new(cm_status_http(status), cm_status_name(status),
                          detail);
}

void
cm_problem_add_error(json_t *problem, const char *field, const char *message)
{
    assert(problem && field && message);
    json_t *errors = json_object_get(problem, "errors");
    if (!json_is_array(errors)) {
        errors = json_array();
        assert(errors);
        json_object_set_new(problem, "errors", errors);
    }
    json_t *entry = json_pack("{s:s, s:s}", "field", field, "message", message);
    if (entry) {
        json_array_append_new(errors, entry);
    }
}

void
cm_problem_set(json_t *problem, const char *key, json_t *value)
{
    assert(problem && key);
    json_object_set_new(problem, key, value);
}

int
cm_problem_status(const json_t *problem)
{
    json_t *status = json_object_get(problem, "status");
    if (!json_is_integer(status)) {
        return 500;
    }
    json_int_t value = json_integer_value(status);
    return value >= 100 && value <= 599 ? (int)value : 500;
}

json_t *
cm_problem_render(const json_t *problem, const char *instance)
{
    int status = cm_problem_status(problem);
    json_t *out =
        json_is_object(problem) ? json_deep_copy(problem) : json_object();
    assert(out);
    const char *code = json_string_value(json_object_get(out, "code"));
    if (!code) {
        code = cm_status_name(cm_status_from_http(status));
        json_object_set_new(out, "code", json_string(code));
    }
    char type[256];
    snprintf(type, sizeof type, "%s%s", CM_PROBLEM_TYPE_BASE, code);
    json_object_set_new(out, "type", json_string(type));
    json_object_set_new(out, "title", json_string(cm_status_title(status)));
    json_object_set_new(out, "status", json_integer(status));
    if (!json_is_string(json_object_get(out, "detail"))) {
        json_object_set_new(out, "detail",
                            json_string(cm_status_title(status)));
    }
    if (instance) {
        json_t *text = json_string(instance);
        if (text) {
            json_object_set_new(out, "instance", text);
        }
    }
    return out;
}
