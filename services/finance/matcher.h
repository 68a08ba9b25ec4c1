// matcher — pairs bank statement lines with journal entries of the bank
// account, pure. A pair has the same amount (money into the account
// positive), dates at most `window_days` apart, and each side is used once.
// Among the candidates of a statement line, one whose reference equals the
// line's wins, then the nearest date, then the earliest entry.
//
// Cost: O((n + m) log m) — the book side is sorted by (amount, day) once,
// each statement line binary-searches its amount and day window and skips
// entries already taken through a "next free" table (path-halving), looking
// at no more than MATCHER_CANDIDATES_MAX free candidates.
#ifndef FINANCE_MATCHER_H
#define FINANCE_MATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MATCHER_CANDIDATES_MAX 64 // free candidates weighed per line
#define MATCHER_WINDOW_MAX     31 // days

// One side's item. Strings are borrowed.
typedef struct {
    int64_t day;           // days since 1970-01-01
    int64_t amount;        // fen, signed
    const char *reference; // may be NULL or ""
} matcher_item_t;

// Match statement[0..ns) with book[0..nb). statement_match[i] is the book
// index paired with statement line i, or -1; book_matched[j] tells whether
// book item j was used. Returns the number of pairs, or -1 when memory
// could not be had (never for small inputs: it asserts).
long matcher_run(const matcher_item_t *statement, size_t ns,
                 const matcher_item_t *book, size_t nb, int window_days,
                 long *statement_match, bool *book_matched);

#endif
