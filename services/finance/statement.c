#include "statement.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_field.h"
#include "cm_validate.h"
#include "nested.h"
#include "period.h"

#define S_FIELDS      4   // date, amount, reference, description
#define S_FIELD_BYTES 800 // one field's text (200 characters of UTF-8)
#define S_MESSAGE_MAX 160

static const cm_field_t s_line_fields[] = {
    {"date", CM_FIELD_DATE, CM_FIELD_REQUIRED},
    {"amount", CM_FIELD_MONEY, CM_FIELD_REQUIRED | CM_FIELD_NEGATIVE},
    {"reference", CM_FIELD_STRING, 0, .max = STATEMENT_TEXT_MAX},
    {"description", CM_FIELD_STRING, 0, .max = STATEMENT_TEXT_MAX},
    CM_FIELD_END,
};

// One CSV record being read.
typedef struct {
    char fields[S_FIELDS][S_FIELD_BYTES]; // their text
    size_t count;                         // fields read
    const char *error;                    // why the record is bad, or NULL
} s_record_t;

// Read one field at *p (quoted or not) into out; *p moves past it. Returns
// false on a malformed quote or an overlong field.
static bool
s_read_field(const char **p, char *out)
{
    const char *s = *p;
    size_t n = 0;
    bool quoted = *s == '"';
    s += quoted;
    for (;; s++) {
        if (quoted && *s == '"' && s[1] == '"') {
            s++;
        } else if (quoted && *s == '"') {
            s++;
            quoted = false;
            if (*s && *s != ',' && *s != '\n' && *s != '\r') {
                return false;
            }
            break;
        } else if (!*s
                   || (!quoted && (*s == ',' || *s == '\n' || *s == '\r'))) {
            break;
        }
        if (n + 1 >= S_FIELD_BYTES) {
            return false;
        }
        out[n++] = *s;
    }
    out[n] = '\0';
    *p = s;
    return !quoted;
}

// Read one record at *p; *p moves to the next line.
static void
s_read_record(const char **p, s_record_t *record)
{
    memset(record, 0, sizeof *record);
    const char *s = *p;
    for (;;) {
        char scratch[S_FIELD_BYTES];
        char *out =
            record->count < S_FIELDS ? record->fields[record->count] : scratch;
        if (!s_read_field(&s, out)) {
            record->error = "has a malformed quoted field or one too long";
            s += strcspn(s, "\n");
            break;
        }
        record->count++;
        if (*s != ',') {
            break;
        }
        s++;
    }
    if (!record->error && record->count > S_FIELDS) {
        record->error = "has more than 4 fields";
    }
    s += *s == '\r';
    s += *s == '\n';
    *p = s;
}

static bool
s_parse_amount(const char *text, json_int_t *amount)
{
    const char *digits = text + (*text == '-' || *text == '+');
    if (!*digits || strspn(digits, "0123456789") != strlen(digits)
        || strlen(digits) > 15) {
        return false;
    }
    errno = 0;
    long long value = strtoll(text, NULL, 10);
    *amount = (json_int_t)value;
    return errno == 0 && value != 0;
}

// The line of a record, or NULL with *why set.
static json_t *
s_line_of(const s_record_t *record, const char **why)
{
    int64_t day = 0;
    json_int_t amount = 0;
    if (record->error) {
        *why = record->error;
    } else if (record->count < 2) {
        *why = "needs at least date and amount";
    } else if (!period_parse_day(record->fields[0], &day)) {
        *why = "date must be YYYY-MM-DD";
    } else if (!s_parse_amount(record->fields[1], &amount)) {
        *why = "amount must be a non-zero integer (fen)";
    } else if (cm_field_length(record->fields[2]) > STATEMENT_TEXT_MAX
               || cm_field_length(record->fields[3]) > STATEMENT_TEXT_MAX) {
        *why = "reference and description must be at most 200 characters";
    } else {
        json_t *line = json_pack(
            "{s:s, s:I, s:s, s:s}", "date", record->fields[0], "amount", amount,
            "reference", record->fields[2], "description", record->fields[3]);
        if (!line) {
            *why = "is not valid UTF-8";
        }
        return line;
    }
    return NULL;
}

static json_t *
s_fail(json_t **problem_p, json_t *lines, size_t number, const char *why)
{
    char message[S_MESSAGE_MAX];
    snprintf(message, sizeof message, "line %zu %s", number, why);
    cm_validate_fail(problem_p, "csv", message);
    json_decref(lines);
    return NULL;
}

json_t *
statement_parse_csv(const char *csv, json_t **problem_p)
{
    assert(problem_p);
    if (!csv) {
        cm_validate_fail(problem_p, "csv", "is required");
        return NULL;
    }
    json_t *lines = json_array();
    assert(lines);
    s_record_t *record = malloc(sizeof *record);
    assert(record);
    const char *p = csv;
    for (size_t number = 1; *p; number++) {
        if (*p == '\n' || *p == '\r') {
            p += *p == '\r' && p[1] == '\n' ? 2 : 1;
            continue; // a blank line
        }
        s_read_record(&p, record);
        if (number == 1 && strcmp(record->fields[0], "date") == 0) {
            continue; // the header
        }
        const char *why = NULL;
        json_t *line = s_line_of(record, &why);
        if (!line || json_array_size(lines) >= STATEMENT_LINES_MAX) {
            json_decref(line);
            free(record);
            return s_fail(problem_p, lines, number,
                          line ? "passes 5000 lines in one import" : why);
        }
        json_array_append_new(lines, line);
    }
    free(record);
    if (json_array_size(lines) == 0) {
        return s_fail(problem_p, lines, 1, "is missing: no statement lines");
    }
    return lines;
}

bool
statement_check_lines(const json_t *lines, json_t **problem_p)
{
    assert(problem_p);
    if (!json_is_array(lines) || json_array_size(lines) == 0
        || json_array_size(lines) > STATEMENT_LINES_MAX) {
        return cm_validate_fail(problem_p, "lines",
                                "must be an array of 1 to 5000 lines");
    }
    bool ok = true;
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        char path[32];
        snprintf(path, sizeof path, "lines[%zu]", i);
        if (!json_is_object(line)) {
            ok = cm_validate_fail(problem_p, path, "must be an object");
            continue;
        }
        ok = nested_check(s_line_fields, line, path, problem_p) && ok;
        const json_t *amount = json_object_get(line, "amount");
        if (json_is_integer(amount) && json_integer_value(amount) == 0) {
            char field[48];
            snprintf(field, sizeof field, "%s.amount", path);
            ok = cm_validate_fail(problem_p, field, "must not be 0");
        }
    }
    return ok;
}
