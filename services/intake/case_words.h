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
// Storage, in the case's own commit (cm_doc_type_t.indexes):
//   sm:{intake}:idx:case_word:<token>   sorted set, member = case id,
//                                       score = the case's creation ms
// A PATCH of subject or description moves exactly the tokens that changed.
// Cases stored before the index existed enter it at their next text change
// (no backfill).
// The score never changes afterwards, so a search lists the newest
// recorded cases first and other writes leave the word index alone.
//
// A search is one read-only Lua script (EVAL; every key a word index of
// {intake}): it takes the sizes of the tokens' sets, walks the smallest
// newest first, 500 entries a read, and keeps the ids present in every
// other set (one ZMSCORE per other set and read), until it has `limit` of
// them or walked CASE_SEARCH_SCAN entries. When the first read shows the
// words meet too seldom for that walk to fill the page and the smallest set
// holds more than CASE_SEARCH_SCAN entries (the walk would stop short) but
// at most CASE_SEARCH_INTERSECT, it intersects the sets instead (ZINTER,
// the cursor found by bisection): a full page or the end, in one call.
// Then one pipelined read of the matches' stored list items, to which the
// list filters and need-to-know apply. A page may therefore hold fewer than
// `limit` items while next_cursor ("<creation ms>:<id>", valid whichever
// way and set the next call takes) says where to go on, as a list with
// combined filters does. Never a scan of the cases.
#ifndef INTAKE_CASE_WORDS_H
#define INTAKE_CASE_WORDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"

#define CASE_WORD_BYTES       32    // longest ASCII word kept (longer: cut)
#define CASE_WORDS_MAX        512   // distinct tokens one case indexes
#define CASE_SEARCH_WORDS     8     // tokens one query may hold
#define CASE_SEARCH_SCAN      1000  // index entries one search call may walk
#define CASE_SEARCH_INTERSECT 20000 // largest rarest set intersected whole

// Add the tokens of text (may be NULL) as keys of set (a JSON object), until
// it holds max keys.
void case_words_add(json_t *set, const char *text, size_t max);

// The token set of a case: subject and description. Caller owns it.
json_t *case_words_of(const json_t *doc);

// The index key of token into key (CM_STORE_KEY_MAX). NULL when too long.
const char *case_words_key(const char *token, char *key);

// Move the word index entries of a case from old (NULL: new case) to doc.
void case_words_commit(cm_commit_t *commit, const json_t *old,
                       const json_t *doc);

// GET /v1/cases with q: the search (the other list parameters apply).
void case_words_search(cm_ctx_t *ctx);

#endif
