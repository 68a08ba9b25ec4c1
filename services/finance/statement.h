// statement — a bank statement's lines, pure: parsing the CSV layout and
// checking lines given as JSON. A line is {"date": "YYYY-MM-DD", "amount":
// fen (positive: money into the account, negative: out; never 0),
// "reference": text, "description": text}.
//
// CSV layout (RFC 4180 quoting; LF or CRLF; blank lines skipped):
//   date,amount,reference,description
//   2026-03-02,150000,INV-88,"Refund, supplier"
// The header line is optional (a first line whose first field is "date").
// amount is integer fen with an optional sign; reference and description
// may be empty, and a line may stop after amount.
#ifndef FINANCE_STATEMENT_H
#define FINANCE_STATEMENT_H

#include <jansson.h>
#include <stdbool.h>

#define STATEMENT_LINES_MAX 5000 // lines of one import (a request's body)
#define STATEMENT_TEXT_MAX  200  // reference and description, characters

// Parse CSV text into lines. Returns the array (caller owns it), or NULL
// after appending to *problem_p an error naming the field "csv" and the
// line number ("line 3: amount must be an integer (fen)").
json_t *statement_parse_csv(const char *csv, json_t **problem_p);

// Check lines given as JSON (the `lines` member): each an object of the
// layout above. Errors name "lines[i].member". True when fine.
bool statement_check_lines(const json_t *lines, json_t **problem_p);

#endif
