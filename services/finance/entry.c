#include "entry.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_field.h"
#include "cm_validate.h"

#define S_PATH_MAX 48

static const cm_field_t s_line_fields[] = {
    {"account", CM_FIELD_CODE, CM_FIELD_REQUIRED, .max = 16},
    {"debit", CM_FIELD_MONEY, 0},
    {"credit", CM_FIELD_MONEY, 0},
    {"memo", CM_FIELD_STRING, 0},
    CM_FIELD_END,
};

int64_t
entry_line_debit(const json_t *line)
{
    const json_t *value = json_object_get(line, "debit");
    return json_is_integer(value) ? json_integer_value(value) : 0;
}

int64_t
entry_line_credit(const json_t *line)
{
    const json_t *value = json_object_get(line, "credit");
    return json_is_integer(value) ? json_integer_value(value) : 0;
}

// One line: its fields, then exactly one of debit and credit.
static bool
s_check_line(const json_t *line, size_t i, json_t **problem_p)
{
    char path[S_PATH_MAX];
    snprintf(path, sizeof path, "lines[%zu]", i);
    if (!json_is_object(line)) {
        return cm_validate_fail(problem_p, path, "must be an object");
    }
    bool ok = true;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)line, key, value)
    {
        const cm_field_t *field = cm_field_find(s_line_fields, key);
        char member[S_PATH_MAX + 32];
        snprintf(member, sizeof member, "%s.%s", path, key);
        if (!field) {
            ok = cm_validate_fail(problem_p, member, "is not allowed");
        } else if (!cm_field_check_value(field, value, member, problem_p)) {
            ok = false;
        }
    }
    if (!json_object_get(line, "account")) {
        char member[S_PATH_MAX + 32];
        snprintf(member, sizeof member, "%s.account", path);
        ok = cm_validate_fail(problem_p, member, "is required");
    }
    bool debit = json_object_get(line, "debit") != NULL;
    bool credit = json_object_get(line, "credit") != NULL;
    if (ok && debit == credit) {
        ok = cm_validate_fail(problem_p, path,
                              "must have exactly one of debit and credit");
    }
    return ok;
}

bool
entry_check_lines(const json_t *lines, json_t **problem_p, int64_t *total)
{
    assert(problem_p && total);
    if (!lines || json_is_null(lines)) {
        return cm_validate_fail(problem_p, "lines", "is required");
    }
    if (!json_is_array(lines) || json_array_size(lines) < 2
        || json_array_size(lines) > ENTRY_LINES_MAX) {
        return cm_validate_fail(problem_p, "lines",
                                "must be an array of 2 to 50 lines");
    }
    bool ok = true;
    int64_t debits = 0, credits = 0;
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        if (!s_check_line(line, i, problem_p)) {
            ok = false;
            continue;
        }
        debits += entry_line_debit(line);
        credits += entry_line_credit(line);
    }
    if (ok && debits != credits) {
        char message[128];
        snprintf(message, sizeof message,
                 "must balance: debits %lld, credits %lld", (long long)debits,
                 (long long)credits);
        ok = cm_validate_fail(problem_p, "lines", message);
    }
    *total = ok ? debits : 0;
    return ok;
}

json_t *
entry_reverse_lines(const json_t *lines)
{
    json_t *out = json_array();
    assert(out);
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *line = json_deep_copy(json_array_get(lines, i));
        assert(line);
        json_t *debit = json_incref(json_object_get(line, "debit"));
        json_t *credit = json_incref(json_object_get(line, "credit"));
        json_object_del(line, "debit");
        json_object_del(line, "credit");
        if (debit) {
            json_object_set_new(line, "credit", debit);
        }
        if (credit) {
            json_object_set_new(line, "debit", credit);
        }
        json_array_append_new(out, line);
    }
    return out;
}

int64_t
entry_balance_delta(const char *account_type, int64_t debit, int64_t credit)
{
    bool debit_normal = account_type
                        && (strcmp(account_type, "asset") == 0
                            || strcmp(account_type, "expense") == 0);
    return debit_normal ? debit - credit : credit - debit;
}
