// nested — checking objects inside a body (a budget's lines, a claim's
// invoices, statement lines) against a cm_field table, with every error
// named by its full path ("lines[2].amount"). Pure.
#ifndef FINANCE_NESTED_H
#define FINANCE_NESTED_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_field.h"

// Check value (must be an object) against fields; errors are appended to
// *problem_p as "<path>.<member>". True when fine.
bool nested_check(const cm_field_t *fields, const json_t *value,
                  const char *path, json_t **problem_p);

#endif
