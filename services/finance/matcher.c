#include "matcher.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

// A book item's sort key: (amount, day, index).
typedef struct {
    int64_t amount; // fen
    int64_t day;    // days since 1970-01-01
    size_t index;   // in the book array
} s_key_t;

// The book side sorted by key, with its "next free" table.
typedef struct {
    s_key_t *keys;     // sorted
    size_t *next_free; // position → a position >= it that may be free (n:
                       // none)
    size_t n;          // book items
} s_sorted_t;

static int
s_compare(const void *a, const void *b)
{
    const s_key_t *x = a;
    const s_key_t *y = b;
    if (x->amount != y->amount) {
        return x->amount < y->amount ? -1 : 1;
    }
    if (x->day != y->day) {
        return x->day < y->day ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index;
}

// First position whose (amount, day) is >= (amount, day).
static size_t
s_lower_bound(const s_sorted_t *s, int64_t amount, int64_t day)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const s_key_t *m = &s->keys[mid];
        if (m->amount < amount || (m->amount == amount && m->day < day)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// The first free position >= pos (s->n when none), halving paths.
static size_t
s_find_free(s_sorted_t *s, size_t pos)
{
    while (pos < s->n && s->next_free[pos] != pos) {
        size_t next = s->next_free[pos];
        if (next < s->n) {
            s->next_free[pos] = s->next_free[next];
        }
        pos = next;
    }
    return pos;
}

static bool
s_same_reference(const char *a, const char *b)
{
    return a && b && *a && strcmp(a, b) == 0;
}

static int64_t
s_distance(int64_t a, int64_t b)
{
    return a > b ? a - b : b - a;
}

// The best free position for line (s->n when none).
static size_t
s_best(s_sorted_t *s, const matcher_item_t *book, const matcher_item_t *line,
       int window)
{
    size_t best = s->n;
    int64_t best_distance = INT64_MAX;
    size_t pos =
        s_find_free(s, s_lower_bound(s, line->amount, line->day - window));
    for (int seen = 0; pos < s->n && seen < MATCHER_CANDIDATES_MAX; seen++) {
        const s_key_t *k = &s->keys[pos];
        const matcher_item_t *m = &book[k->index];
        if (m->amount != line->amount || m->day > line->day + window) {
            break;
        }
        if (s_same_reference(line->reference, m->reference)) {
            return pos;
        }
        int64_t distance = s_distance(m->day, line->day);
        if (distance < best_distance) {
            best = pos;
            best_distance = distance;
        }
        pos = s_find_free(s, pos + 1);
    }
    return best;
}

long
matcher_run(const matcher_item_t *statement, size_t ns,
            const matcher_item_t *book, size_t nb, int window_days,
            long *statement_match, bool *book_matched)
{
    assert((statement || ns == 0) && (book || nb == 0));
    assert(statement_match && (book_matched || nb == 0));
    s_sorted_t s = {.n = nb};
    s.keys = malloc((nb + 1) * sizeof *s.keys);
    s.next_free = malloc((nb + 1) * sizeof *s.next_free);
    if (!s.keys || !s.next_free) {
        free(s.keys);
        free(s.next_free);
        return -1;
    }
    for (size_t j = 0; j < nb; j++) {
        s.keys[j] = (s_key_t){book[j].amount, book[j].day, j};
        s.next_free[j] = j;
        book_matched[j] = false;
    }
    qsort(s.keys, nb, sizeof *s.keys, s_compare);
    long pairs = 0;
    for (size_t i = 0; i < ns; i++) {
        size_t pos = s_best(&s, book, &statement[i], window_days);
        statement_match[i] = -1;
        if (pos < nb) {
            statement_match[i] = (long)s.keys[pos].index;
            book_matched[s.keys[pos].index] = true;
            s.next_free[pos] = pos + 1;
            pairs++;
        }
    }
    free(s.keys);
    free(s.next_free);
    return pairs;
}
