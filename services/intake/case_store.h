// case_store — where cases live in Redis (design.md §5):
//   sm:{intake}:case:CS-n                     hash: doc, version, state,
//                                             item (case_list_entry)
//   sm:{intake}:idx:cases                     every case
//   sm:{intake}:idx:case_kind:<kind>          one index per list filter,
//   sm:{intake}:idx:case_state:<state>        score = updated_at (ms),
//   sm:{intake}:idx:case_department:<dept>    member = case id
//   sm:{intake}:idx:case_assignee:<staff id>
//   sm:{intake}:idx:case_customer:<CU-n>
//   sm:{intake}:idx:case_overdue:true
//   sm:{intake}:counter:case                  id counter
// The old document tells which index entries to drop when a value changes;
// every write moves the case to the top of each index it stays in.
#ifndef INTAKE_CASE_STORE_H
#define INTAKE_CASE_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_store.h"

#define CASE_OWNER               "intake"
#define CASE_STORE_VERSION_BYTES 32 // ,"version":<int64> and NUL, at most

// A list filter and the index that serves it.
typedef struct {
    const char *name;   // query parameter: "kind"
    const char *member; // document member: "kind"
    const char *index;  // index field: "case_kind"
} case_filter_t;

// The list filters, ending with a NULL name. Borrowed: static data.
const case_filter_t *case_store_filters(void);

// The index key for (index field, value), or for every case when field is
// NULL, into buf. Returns buf, or NULL when it does not fit.
const char *case_store_index_key(char *buf, size_t size, const char *field,
                                 const char *value);

// The document key of case id into buf. Returns buf or NULL.
const char *case_store_key(char *buf, size_t size, const char *id);

// Read case id. 0 (caller owns *doc), CM_ENOTFOUND, CM_EUNAVAILABLE or
// CM_EINTERNAL.
int case_store_load(cm_store_t *store, const char *id, json_t **doc,
                    int64_t *version);

// Read the list items of n cases (ids borrowed) in one round trip, as
// compact JSON text: items[i] is the stored `item` with `,"version":N`
// spliced in before its closing brace (the text json_dumps(JSON_COMPACT)
// gives for case_list_item), NULL when case ids[i] is gone. The stored text
// is not parsed: it is ours (case_store_commit), only its braces are
// checked. A case stored before items were written is read whole once more
// (one more round trip for all such cases) and its item built from it.
// 0 (caller owns every items[i], free()) or a status (items all NULL).
int case_store_load_items(cm_store_t *store, const char *const *ids, size_t n,
                          char **items);

// A new case number (INCR) written as "CS-n" into id (CM_ID_MAX bytes).
// 0 or a status.
int case_store_next_id(cm_store_t *store, char *id);

// Add the write of doc to commit: the document with expected_version (old
// NULL and CM_VERSION_NEW for a new case), its state and item fields, and
// the index moves. Borrowed arguments.
void case_store_commit(cm_commit_t *commit, const json_t *old,
                       const json_t *doc, int64_t expected_version,
                       int64_t now_ms);

// The value of a filter's member in doc as index text ("true" for
// overdue), or NULL when the case is not in such an index. Borrowed.
const char *case_store_index_value(const json_t *doc,
                                   const case_filter_t *filter);

#endif
