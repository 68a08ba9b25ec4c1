#include "nested.h"

#include <assert.h>
#include <stdio.h>

#include "cm_validate.h"

#define S_FIELD_MAX 128

bool
nested_check(const cm_field_t *fields, const json_t *value, const char *path,
             json_t **problem_p)
{
    assert(fields && path && problem_p);
    if (!json_is_object(value)) {
        return cm_validate_fail(problem_p, path, "must be an object");
    }
    json_t *sub = NULL;
    if (cm_field_check(fields, value, &sub)) {
        return true;
    }
    const json_t *errors = json_object_get(sub, "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        char field[S_FIELD_MAX];
        snprintf(field, sizeof field, "%s.%s", path,
                 json_string_value(json_object_get(e, "field")));
        cm_validate_fail(problem_p, field,
                         json_string_value(json_object_get(e, "message")));
    }
    json_decref(sub);
    return false;
}
