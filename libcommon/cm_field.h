// cm_field — what a request body may hold, as data: one table of fields per
// action or create, each with its type, limits and where it goes in the
// document. cm_field_check validates a body against a table (unknown
// members, missing required ones, wrong types, too long, out of range), and
// cm_field_copy writes the accepted values into a document. Every error
// names its field (400 "validation_failed", cm_validate.h).
//
//   static const cm_field_t s_answer_fields[] = {
//       {"answer", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .to = "answer"},
//       {"score", CM_FIELD_INTEGER, 0, .min = 1, .max = 5},
//       {"kind", CM_FIELD_ENUM, 0, .values = "phone email chat"},
//       CM_FIELD_NOTE,
//       CM_FIELD_END,
//   };
//
// Free text has a documented maximum: CM_FIELD_TEXT defaults to
// CM_FIELD_TEXT_MAX characters, CM_FIELD_STRING (one line: names, subjects,
// codes) to CM_FIELD_STRING_MAX; `.max` sets another. Lengths count Unicode
// code points. Money is integer minor units (fen): a JSON real such as 10.5
// or 10.0 is refused.
#ifndef LIBCOMMON_CM_FIELD_H
#define LIBCOMMON_CM_FIELD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define CM_FIELD_TEXT_MAX   4000 // free text (notes, answers, reasons)
#define CM_FIELD_STRING_MAX 200  // one line (names, subjects, titles)
#define CM_FIELD_CODE_MAX   63   // codes and ids: a-z A-Z 0-9 _ - .
#define CM_FIELD_MONEY_MAX  100000000000000LL // 1e12 yuan in fen
#define CM_FIELD_ARRAY_MAX  200 // items of an array field by default

typedef enum {
    CM_FIELD_STRING,  // one line, no control characters
    CM_FIELD_TEXT,    // free text (newlines and tabs allowed)
    CM_FIELD_CODE,    // [A-Za-z0-9_.-]+, for ids and codes
    CM_FIELD_ENUM,    // one of .values
    CM_FIELD_INTEGER, // integer in [.min, .max] (max 0: no upper bound)
    CM_FIELD_MONEY,   // integer fen, > 0 unless CM_FIELD_ZERO_OK
    CM_FIELD_BOOLEAN, // true or false
    CM_FIELD_TIME,    // RFC 3339 date-time
    CM_FIELD_DATE,    // YYYY-MM-DD, a real calendar date
    CM_FIELD_OBJECT,  // a JSON object, checked by .check when set
    CM_FIELD_ARRAY,   // a JSON array of at most .max items, .check per item
    CM_FIELD_ANY,     // any JSON value, checked by .check when set
} cm_field_type_t;

typedef enum {
    CM_FIELD_REQUIRED = 1 << 0, // absent, null or blank is "is required"
    CM_FIELD_FUTURE = 1 << 1,   // TIME: must be later than now
    CM_FIELD_ZERO_OK = 1 << 2,  // MONEY: 0 is allowed
    CM_FIELD_NEGATIVE = 1 << 3, // MONEY: any sign (adjustments)
    CM_FIELD_NONEMPTY = 1 << 4, // ARRAY: at least one item
} cm_field_flag_t;

// A custom check of one value (an object, an array item): append errors to
// *problem_p naming `field` (or "field.member", "field[3].member"); return
// true when the value is fine.
typedef bool(cm_field_check_fn)(const json_t *value, const char *field,
                                json_t **problem_p);

// One accepted body member. Static data.
typedef struct {
    const char *name;     // body member
    cm_field_type_t type; // see above
    unsigned flags;       // cm_field_flag_t
    const char *values;   // ENUM: space-separated names
    int64_t min;          // INTEGER minimum; STRING/TEXT minimum length
    int64_t max;          // INTEGER maximum; length or item bound (0: default)
    const char *to;       // document member cm_field_copy writes, or NULL
    cm_field_check_fn *check; // OBJECT, ARRAY items, ANY: more checks
} cm_field_t;

// The optional free-text note every action accepts.
#define CM_FIELD_NOTE                                                          \
    {                                                                          \
        "note", CM_FIELD_TEXT, 0, NULL, 0, 0, NULL, NULL                       \
    }
// Ends a table.
#define CM_FIELD_END                                                           \
    {                                                                          \
        NULL, CM_FIELD_ANY, 0, NULL, 0, 0, NULL, NULL                          \
    }

// Check body (an object; NULL counts as {}) against fields: every member
// must be in the table, every field valid. Errors are appended to
// *problem_p (created on the first). Returns true when nothing was wrong.
bool cm_field_check(const cm_field_t *fields, const json_t *body,
                    json_t **problem_p);

// Check one value against one field (value NULL or JSON null: absent).
// True when fine. `path` names the field in errors (NULL: field->name).
bool cm_field_check_value(const cm_field_t *field, const json_t *value,
                          const char *path, json_t **problem_p);

// Copy every present body member whose field has `to` into doc (a JSON
// null clears it).
void cm_field_copy(const cm_field_t *fields, const json_t *body, json_t *doc);

// The field named `name` in a table, or NULL.
const cm_field_t *cm_field_find(const cm_field_t *fields, const char *name);

// Number of Unicode code points of valid UTF-8 text.
size_t cm_field_length(const char *text);

// The largest length a STRING/TEXT/CODE field accepts.
int64_t cm_field_max_length(const cm_field_t *field);

#endif
