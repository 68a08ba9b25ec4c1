// review_body — what a review's create and PATCH bodies may hold: the
// period (from ≤ to, not in the future), department codes, problems and
// measures (text, owner, a due time in the future).
#include "review.h"

#include <stdio.h>
#include <string.h>

#include "cm_field.h"
#include "cm_time.h"
#include "cm_validate.h"

#define S_PATH_MAX  64
#define S_DEPTS_MAX 20
#define S_PROBLEMS  50

static const cm_field_t s_period_fields[] = {
    {"from", CM_FIELD_DATE, CM_FIELD_REQUIRED},
    {"to", CM_FIELD_DATE, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

static bool
s_check_period(const json_t *value, const char *field, json_t **problem_p)
{
    if (!cm_field_check_object(s_period_fields, value, field, problem_p)) {
        return false;
    }
    char path[S_PATH_MAX], today[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms(), today);
    const char *from = cm_doc_text(value, "from");
    if (strcmp(cm_doc_text(value, "to"), from) < 0) {
        snprintf(path, sizeof path, "%s.to", field);
        return cm_validate_fail(problem_p, path, "must not be before from");
    }
    if (strncmp(from, today, 10) > 0) {
        snprintf(path, sizeof path, "%s.from", field);
        return cm_validate_fail(problem_p, path, "must not be in the future");
    }
    return true;
}

static const cm_field_t s_code_field = {"department", CM_FIELD_CODE,
                                        CM_FIELD_REQUIRED};
static const cm_field_t s_problem_field = {
    "problem", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = REVIEW_TEXT_MAX};

static bool
s_check_code(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_value(&s_code_field, value, field, problem_p);
}

static bool
s_check_problem(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_value(&s_problem_field, value, field, problem_p);
}

static const cm_field_t s_measure_fields[] = {
    {"text", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = REVIEW_TEXT_MAX},
    {"owner", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"due_at", CM_FIELD_TIME, CM_FIELD_REQUIRED | CM_FIELD_FUTURE},
    CM_FIELD_END,
};

static bool
s_check_measure(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_object(s_measure_fields, value, field, problem_p);
}

const cm_field_t review_create_fields[] = {
    {"period", CM_FIELD_OBJECT, CM_FIELD_REQUIRED, .check = s_check_period},
    {"departments", CM_FIELD_ARRAY, 0, .max = S_DEPTS_MAX,
     .check = s_check_code},
    {"analysis", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    {"problems", CM_FIELD_ARRAY, 0, .max = S_PROBLEMS,
     .check = s_check_problem},
    {"measures", CM_FIELD_ARRAY, 0, .max = REVIEW_MEASURES_MAX,
     .check = s_check_measure},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

const cm_field_t review_update_fields[] = {
    {"period", CM_FIELD_OBJECT, 0, .to = "period", .check = s_check_period},
    {"departments", CM_FIELD_ARRAY, 0, .max = S_DEPTS_MAX, .to = "departments",
     .check = s_check_code},
    {"analysis", CM_FIELD_TEXT, 0, .to = "analysis"},
    {"problems", CM_FIELD_ARRAY, 0, .max = S_PROBLEMS, .to = "problems",
     .check = s_check_problem},
    {"measures", CM_FIELD_ARRAY, 0, .max = REVIEW_MEASURES_MAX,
     .to = "measures", .check = s_check_measure},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
