// entry — the rules of one journal entry, pure: lines of {account, debit}
// or {account, credit} (integer fen > 0, exactly one of the two), at least
// two lines, debits equal credits; the reversing lines of an entry; what a
// line does to an account's balance given the account's type.
#ifndef FINANCE_ENTRY_H
#define FINANCE_ENTRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define ENTRY_LINES_MAX     50 // lines of one entry
#define ENTRY_ACCOUNT_TYPES "asset liability income expense equity"

// Check the `lines` member of an entry body (may be NULL: "is required").
// Every problem is appended to *problem_p naming its field ("lines[1].debit",
// "lines" for an unbalanced entry). On success *total is the sum of debits.
// True when fine.
bool entry_check_lines(const json_t *lines, json_t **problem_p, int64_t *total);

// The lines of the entry that reverses `lines`: every debit becomes a
// credit and the other way round. Caller owns the result.
json_t *entry_reverse_lines(const json_t *lines);

// The change of an account's balance by one line: debit-normal types
// (asset, expense) grow with debits, the others with credits.
int64_t entry_balance_delta(const char *account_type, int64_t debit,
                            int64_t credit);

// The debit and credit of a line (0 when absent).
int64_t entry_line_debit(const json_t *line);
int64_t entry_line_credit(const json_t *line);

#endif
