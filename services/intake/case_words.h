// case_words — full-text search of cases: GET /v1/cases?q=word+word.
//
// Tokens (the same rule for a case's text and for a query):
//   - ASCII letters and digits in runs: one word, lower-cased, cut to
//     CASE_WORD_BYTES bytes ("Pump-42" → "pump", "42");
//   - every CJK character (ideographs, kana, Hangul syllables) alone, since
//     Chinese has no spaces ("水压低" → "水", "压", "低");
//   - everything else (punctuation, spaces, other scripts) separates.
// A case indexes the distinct tokens of its subject and description, at
// most CASE_WORDS_MAX (the first ones in the text).
//
// Storage, in the case's own commit (cm_doc_type_t.indexes): the case
// numbers (CS-<n> → n) holding a token, in buckets of CASE_WORDS_BUCKET
// consecutive numbers:
//   sm:{intake}:idx:case_word:<token>:<n / CASE_WORDS_BUCKET>   set of n
// Numbers are small integers, so Redis keeps each bucket as a sorted array
// (an intset) while it holds at most set-max-intset-entries members (our
// Redis configuration raises that to the bucket size): 4 bytes a member
// instead of a sorted set's ~100, and an intersection is binary searches
// in contiguous memory.
// A PATCH of subject or description moves exactly the tokens that changed.
// Cases stored before this index existed (and the sorted sets of the first
// version, `case_word:<token>`) are not searched; they enter at their next
// text change (no backfill).
//
// A search is one read-only Lua script (EVAL): from the newest case number
// (the counter) or below the cursor, bucket by bucket, SINTER of the
// words' sets of that bucket, its numbers sorted newest first into the
// page, until the page holds `limit` or CASE_SEARCH_BUDGET matches or
// CASE_SEARCH_BUCKETS buckets were looked at. Then one pipelined read of
// the matches' stored list items, to which the list filters and
// need-to-know apply. A page may therefore hold fewer than `limit` items
// while next_cursor (a case number: the search goes on below it) says
// where to go on, as a list with combined filters does. Never a scan of
// the cases.
#ifndef INTAKE_CASE_WORDS_H
#define INTAKE_CASE_WORDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"

#define CASE_WORD_BYTES     32    // longest ASCII word kept (longer: cut)
#define CASE_WORDS_MAX      512   // distinct tokens one case indexes
#define CASE_SEARCH_WORDS   8     // tokens one query may hold
#define CASE_WORDS_BUCKET   8192  // case numbers in one bucket of a word
#define CASE_SEARCH_BUDGET  50000 // matches one search call may look at
#define CASE_SEARCH_BUCKETS 4096  // buckets one search call may look at

// Add the tokens of text (may be NULL) as keys of set (a JSON object), until
// it holds max keys.
void case_words_add(json_t *set, const char *text, size_t max);

// The token set of a case: subject and description. Caller owns it.
json_t *case_words_of(const json_t *doc);

// The key prefix of token's buckets into key (CM_STORE_KEY_MAX): a bucket's
// key is the prefix and the bucket's number. NULL when too long.
const char *case_words_prefix(const char *token, char *key);

// The key of the bucket of token that holds case number `number` (≥ 1)
// into key (CM_STORE_KEY_MAX). NULL when too long.
const char *case_words_key(const char *token, int64_t number, char *key);

// Move the word index entries of a case from old (NULL: new case) to doc.
void case_words_commit(cm_commit_t *commit, const json_t *old,
                       const json_t *doc);

// GET /v1/cases with q: the search (the other list parameters apply).
void case_words_search(cm_ctx_t *ctx);

#endif
