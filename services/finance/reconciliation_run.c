// Matching a reconciliation's statement with the book (reconciliation.h):
// both sides are read a page at a time into compact items, matched in
// memory (matcher.h), and only the differences are written back.
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "cm_doc.h"
#include "cm_stream.h"
#include "finance.h"
#include "matcher.h"
#include "period.h"
#include "reconciliation.h"

#define S_PAGE 1000

// One side read into memory.
typedef struct {
    matcher_item_t *items;  // day, amount, reference (owned strings)
    char (*ids)[CM_ID_MAX]; // "S-3" or "JE-40"
    size_t count;
    size_t size;
} s_side_t;

static void
s_side_push(s_side_t *side, int64_t day, int64_t amount, const char *ref,
            const char *id)
{
    if (side->count == side->size) {
        side->size = side->size ? side->size * 2 : 1024;
        side->items = realloc(side->items, side->size * sizeof *side->items);
        side->ids = realloc(side->ids, side->size * sizeof *side->ids);
        assert(side->items && side->ids);
    }
    side->items[side->count] = (matcher_item_t){
        .day = day, .amount = amount, .reference = ref ? strdup(ref) : NULL};
    snprintf(side->ids[side->count], CM_ID_MAX, "%s", id);
    side->count++;
}

static void
s_side_clear(s_side_t *side)
{
    for (size_t i = 0; i < side->count; i++) {
        free((char *)side->items[i].reference);
    }
    free(side->items);
    free(side->ids);
    memset(side, 0, sizeof *side);
}

// One entry of either stream into the side.
typedef void(s_take_fn)(s_side_t *side, const json_t *entry);

static void
s_take_statement(s_side_t *side, const json_t *line)
{
    int64_t day = 0;
    char id[CM_ID_MAX];
    period_parse_day(cm_doc_text(line, "date"), &day);
    snprintf(id, sizeof id, "S-%lld", (long long)cm_doc_integer(line, "n"));
    s_side_push(side, day, cm_doc_integer(line, "amount"),
                cm_doc_string(line, "reference"), id);
}

static void
s_take_posting(s_side_t *side, const json_t *posting)
{
    int64_t day = 0;
    period_parse_day(cm_doc_text(posting, "date"), &day);
    const char *ref = cm_doc_string(posting, "reference");
    s_side_push(side, day,
                cm_doc_integer(posting, "debit")
                    - cm_doc_integer(posting, "credit"),
                ref && *ref ? ref : cm_doc_text(posting, "entry"),
                cm_doc_text(posting, "entry"));
}

// Read a whole stream (between min_id and max_id) into side.
static int
s_read_side(cm_store_t *store, const char *key, const char *min_id,
            const char *max_id, s_take_fn *take, s_side_t *side)
{
    char after[CM_STREAM_ID_MAX] = "";
    for (;;) {
        cm_stream_page_t page;
        int rc = cm_stream_read(store, key, after[0] ? after : NULL, min_id,
                                max_id, S_PAGE, false, &page);
        if (rc != 0) {
            return rc;
        }
        for (size_t i = 0; i < page.count; i++) {
            take(side, json_array_get(page.entries, i));
        }
        bool more = page.next_cursor != NULL;
        if (more) {
            snprintf(after, sizeof after, "%s", page.next_cursor);
        }
        cm_stream_page_clear(&page);
        if (!more) {
            return 0;
        }
    }
}

static json_t *
s_difference(const s_side_t *side, size_t i, const char *which)
{
    char day[11];
    return json_pack("{s:s, s:s, s:s, s:I, s:s?}", "item", side->ids[i], "side",
                     which, "date", period_format_day(side->items[i].day, day),
                     "amount", (json_int_t)side->items[i].amount, "reference",
                     side->items[i].reference);
}

// Write the outcome into doc. Book items outside the period were read only
// to match lines near its edges; they are not differences.
static void
s_outcome(json_t *doc, const s_side_t *st, const s_side_t *book,
          const long *match, const bool *used, long pairs)
{
    int64_t start = 0, end = 0, diff = 0, unmatched[2] = {0, 0};
    period_parse_day(cm_doc_text(doc, "period_start"), &start);
    period_parse_day(cm_doc_text(doc, "period_end"), &end);
    json_t *list = json_array();
    for (size_t i = 0; i < st->count; i++) {
        if (match[i] < 0) {
            unmatched[0]++;
            diff += st->items[i].amount;
            if (json_array_size(list) < RECONCILIATION_INLINE_MAX) {
                json_array_append_new(list, s_difference(st, i, "statement"));
            }
        }
    }
    for (size_t j = 0; j < book->count; j++) {
        int64_t day = book->items[j].day;
        if (!used[j] && day >= start && day <= end) {
            unmatched[1]++;
            diff -= book->items[j].amount;
            if (json_array_size(list) < RECONCILIATION_INLINE_MAX) {
                json_array_append_new(list, s_difference(book, j, "book"));
            }
        }
    }
    json_object_set_new(doc, "matched", json_integer(pairs));
    json_object_set_new(doc, "unmatched_statement", json_integer(unmatched[0]));
    json_object_set_new(doc, "unmatched_book", json_integer(unmatched[1]));
    json_object_set_new(doc, "difference", json_integer(diff));
    json_object_set_new(doc, "differences", list);
    json_object_set_new(
        doc, "differences_complete",
        json_boolean(unmatched[0] + unmatched[1] <= RECONCILIATION_INLINE_MAX));
    json_object_set_new(doc, "book_entries",
                        json_integer((json_int_t)book->count));
}

int
reconciliation_run(cm_store_t *store, json_t *doc, int window_days)
{
    char key[CM_STORE_KEY_MAX], min_id[32], max_id[32];
    int64_t start = 0, end = 0;
    period_parse_day(cm_doc_text(doc, "period_start"), &start);
    period_parse_day(cm_doc_text(doc, "period_end"), &end);
    snprintf(min_id, sizeof min_id, "%lld",
             (long long)((start - window_days) * PERIOD_DAY_MS));
    snprintf(max_id, sizeof max_id, "%lld",
             (long long)((end + window_days + 1) * PERIOD_DAY_MS - 1));
    s_side_t st = {0}, book = {0};
    int rc = s_read_side(
        store, reconciliation_statement_key(cm_doc_text(doc, "id"), key), NULL,
        NULL, s_take_statement, &st);
    if (rc == 0) {
        rc = s_read_side(store,
                         account_postings_key(cm_doc_text(doc, "account"), key),
                         min_id, max_id, s_take_posting, &book);
    }
    if (rc == 0) {
        long *match = malloc((st.count + 1) * sizeof *match);
        bool *used = malloc((book.count + 1) * sizeof *used);
        assert(match && used);
        long pairs = matcher_run(st.items, st.count, book.items, book.count,
                                 window_days, match, used);
        assert(pairs >= 0);
        s_outcome(doc, &st, &book, match, used, pairs);
        free(match);
        free(used);
    }
    s_side_clear(&st);
    s_side_clear(&book);
    return rc;
}
