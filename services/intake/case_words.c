#include "case_words.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "case.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_redis.h"
#include "cm_status.h"

#define S_Q_MAX 400 // bytes of a query text

// ---- tokens

static bool
s_is_cjk(uint32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF)       // hiragana, katakana
           || (cp >= 0x3400 && cp <= 0x4DBF)    // CJK extension A
           || (cp >= 0x4E00 && cp <= 0x9FFF)    // CJK unified ideographs
           || (cp >= 0xAC00 && cp <= 0xD7AF)    // Hangul syllables
           || (cp >= 0xF900 && cp <= 0xFAFF)    // CJK compatibility
           || (cp >= 0x20000 && cp <= 0x2FA1F); // extensions B-F, supplement
}

// The code point at p (valid UTF-8, as jansson gives) and its length.
static uint32_t
s_decode(const unsigned char *p, size_t *len)
{
    if (p[0] < 0x80) {
        *len = 1;
        return p[0];
    }
    size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
    uint32_t cp = p[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *len = i; // not UTF-8: skip what was read
            return 0xFFFD;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    *len = n;
    return cp;
}

static bool
s_is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9');
}

void
case_words_add(json_t *set, const char *text, size_t max)
{
    assert(set);
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    while (*p && json_object_size(set) < max) {
        if (s_is_word_byte(*p)) {
            char word[CASE_WORD_BYTES + 1];
            size_t n = 0;
            for (; s_is_word_byte(*p); p++) {
                if (n < CASE_WORD_BYTES) {
                    word[n++] =
                        (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p);
                }
            }
            word[n] = '\0';
            json_object_set_new(set, word, json_true());
            continue;
        }
        size_t len = 1;
        uint32_t cp = s_decode(p, &len);
        if (s_is_cjk(cp)) {
            char glyph[8];
            memcpy(glyph, p, len);
            glyph[len] = '\0';
            json_object_set_new(set, glyph, json_true());
        }
        p += len;
    }
}

json_t *
case_words_of(const json_t *doc)
{
    json_t *set = json_object();
    assert(set);
    if (doc) {
        case_words_add(set, cm_doc_string(doc, "subject"), CASE_WORDS_MAX);
        case_words_add(set, cm_doc_string(doc, "description"), CASE_WORDS_MAX);
    }
    return set;
}

const char *
case_words_key(const char *token, char *key)
{
    char suffix[CASE_WORD_BYTES + 16];
    int n = snprintf(suffix, sizeof suffix, "case_word:%s", token);
    if (n < 0 || (size_t)n >= sizeof suffix) {
        return NULL;
    }
    return cm_store_key(key, CM_STORE_KEY_MAX, CASE_OWNER, "idx", suffix);
}

static bool
s_same_text(const json_t *old, const json_t *doc, const char *member)
{
    const char *a = cm_doc_string(old, member);
    const char *b = cm_doc_string(doc, member);
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

void
case_words_commit(cm_commit_t *commit, const json_t *old, const json_t *doc)
{
    assert(commit && doc);
    if (old && s_same_text(old, doc, "subject")
        && s_same_text(old, doc, "description")) {
        return; // the usual write: the text did not change
    }
    const char *id = cm_doc_string(doc, "id");
    int64_t created = cm_doc_time(doc, "created_at", 0);
    json_t *before = case_words_of(old);
    json_t *after = case_words_of(doc);
    char key[CM_STORE_KEY_MAX];
    const char *token = NULL;
    json_t *value = NULL;
    json_object_foreach(before, token, value)
    {
        if (!json_object_get(after, token) && case_words_key(token, key)) {
            cm_commit_index_remove(commit, key, id);
        }
    }
    json_object_foreach(after, token, value)
    {
        if (!json_object_get(before, token) && case_words_key(token, key)) {
            cm_commit_index_add(commit, key, id, created);
        }
    }
    json_decref(before);
    json_decref(after);
}

// ---- the search

typedef struct {
    cm_ctx_t *ctx;                // borrowed
    const cm_list_query_t *query; // borrowed
    char keys[CASE_SEARCH_WORDS][CM_STORE_KEY_MAX];
    size_t key_count;            // keys[0] is the rarest: the walked one
    json_t *items;               // the page
    size_t bytes;                // of the page's items
    char last[CM_STORE_KEY_MAX]; // cursor after the last entry walked
    bool more;                   // entries follow `last`
    size_t scanned;              // entries walked
} s_search_t;

static json_t *
s_bad(const char *field, const char *message)
{
    json_t *problem = cm_problem_new(400, "validation_failed", NULL);
    cm_problem_add_error(problem, field, message);
    return problem;
}

// The query's tokens into the search's keys: NULL, or a 400 problem.
static json_t *
s_parse_words(s_search_t *s, const char *q)
{
    if (strlen(q) > S_Q_MAX) {
        return s_bad("q", "must be at most 400 bytes");
    }
    json_t *set = json_object();
    case_words_add(set, q, CASE_SEARCH_WORDS + 1);
    json_t *problem = NULL;
    if (json_object_size(set) == 0) {
        problem = s_bad("q", "must hold a word (letters or digits) or a CJK "
                             "character");
    } else if (json_object_size(set) > CASE_SEARCH_WORDS) {
        problem = s_bad("q", "must hold at most 8 words");
    }
    const char *token = NULL;
    json_t *value = NULL;
    json_object_foreach(set, token, value)
    {
        if (!problem && !case_words_key(token, s->keys[s->key_count++])) {
            problem = s_bad("q", "word too long");
        }
    }
    json_decref(set);
    return problem;
}

// Put the rarest token's key first; 0 and *empty when a token is in no
// case, or a status.
static int
s_order_by_size(s_search_t *s, bool *empty)
{
    cm_redis_t *redis = cm_store_redis(cm_ctx_store(s->ctx));
    int64_t sizes[CASE_SEARCH_WORDS] = {0};
    for (size_t i = 0; i < s->key_count; i++) {
        const char *argv[] = {"ZCARD", s->keys[i]};
        if (cm_redis_append(redis, 2, argv, NULL) != 0) {
            return CM_EUNAVAILABLE;
        }
    }
    int rc = 0;
    for (size_t i = 0; i < s->key_count; i++) {
        redisReply *reply = cm_redis_read(redis);
        if (!reply || cm_redis_reply_int(reply, &sizes[i]) != 0) {
            rc = reply ? CM_EINTERNAL : CM_EUNAVAILABLE;
        }
        if (reply) {
            freeReplyObject(reply);
        }
        if (!reply) {
            return rc; // the connection is gone: nothing more to read
        }
    }
    size_t rarest = 0;
    for (size_t i = 1; i < s->key_count; i++) {
        rarest = sizes[i] < sizes[rarest] ? i : rarest;
    }
    *empty = sizes[rarest] == 0;
    if (rarest != 0) {
        char held[CM_STORE_KEY_MAX];
        memcpy(held, s->keys[0], sizeof held);
        memcpy(s->keys[0], s->keys[rarest], sizeof held);
        memcpy(s->keys[rarest], held, sizeof held);
    }
    return rc;
}

// Clear keep[i] for the members of page missing from any other token's
// index (one ZMSCORE per other token, pipelined). 0 or a status.
static int
s_intersect(s_search_t *s, const cm_page_t *page, bool *keep)
{
    cm_redis_t *redis = cm_store_redis(cm_ctx_store(s->ctx));
    const char **argv = calloc(page->count + 2, sizeof(char *));
    assert(argv);
    argv[0] = "ZMSCORE";
    for (size_t i = 0; i < page->count; i++) {
        argv[i + 2] = page->members[i];
    }
    int rc = 0;
    size_t sent = 0;
    for (size_t k = 1; rc == 0 && k < s->key_count; k++) {
        argv[1] = s->keys[k];
        rc = cm_redis_append(redis, (int)page->count + 2, argv, NULL);
        sent += rc == 0;
    }
    free(argv);
    for (size_t k = 0; k < sent; k++) {
        redisReply *reply = cm_redis_read(redis);
        if (!reply) {
            return CM_EUNAVAILABLE;
        }
        if (reply->type != REDIS_REPLY_ARRAY
            || reply->elements != page->count) {
            rc = CM_EINTERNAL;
        }
        for (size_t i = 0; rc == 0 && i < page->count; i++) {
            keep[i] = keep[i] && reply->element[i]->type != REDIS_REPLY_NIL;
        }
        freeReplyObject(reply);
    }
    return rc;
}

// Take the stored item of a matching case into the page when it passes
// the filters and need-to-know. False when the page is full before it.
static bool
s_take(s_search_t *s, const char *stored, int64_t version)
{
    json_t *item = stored ? json_loads(stored, 0, NULL) : NULL;
    bool check = case_type.may_read && !s->query->may_read_all;
    if (!item || !cm_list_matches(&case_type, s->query, item)
        || (check && !case_type.may_read(s->ctx, item))) {
        json_decref(item);
        return true;
    }
    size_t size = strlen(stored) + 24;
    if (s->bytes + size > CM_LIST_BYTES_MAX && json_array_size(s->items) > 0) {
        json_decref(item);
        return false;
    }
    s->bytes += size;
    json_object_set_new(item, "version", json_integer(version));
    json_array_append_new(s->items, item);
    return true;
}

// One batch of the walked index: intersect, read the items, take them.
static int
s_batch(s_search_t *s, const cm_page_t *page)
{
    bool *keep = malloc((page->count + 1) * sizeof(bool));
    char **doc_keys = calloc(page->count + 1, sizeof(char *));
    size_t *at = calloc(page->count + 1, sizeof(size_t));
    assert(keep && doc_keys && at);
    for (size_t i = 0; i < page->count; i++) {
        keep[i] = true;
    }
    int rc = s_intersect(s, page, keep);
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < page->count; i++) {
        if (keep[i]) {
            char key[CM_STORE_KEY_MAX];
            doc_keys[n] = strdup(
                cm_doc_key(&case_type, page->members[i], key, sizeof key) ? key
                                                                          : "");
            assert(doc_keys[n]);
            at[n++] = i;
        }
    }
    cm_doc_t *docs = calloc(n + 1, sizeof *docs);
    assert(docs);
    if (rc == 0 && n > 0) {
        rc = cm_store_get_many(cm_ctx_store(s->ctx),
                               (const char *const *)doc_keys, n, "item", docs);
    }
    // Walk the batch in order; matches in it are at[0..n).
    size_t next_match = 0;
    for (size_t i = 0; rc == 0 && i < page->count; i++) {
        if (json_array_size(s->items) >= s->query->limit
            || s->scanned >= CASE_SEARCH_SCAN) {
            s->more = true;
            break;
        }
        if (next_match < n && at[next_match] == i) {
            const cm_doc_t *d = &docs[next_match++];
            if (!s_take(s, d->json, d->version)) {
                s->more = true; // resume at this one
                break;
            }
        }
        s->scanned++;
        if (!cm_page_cursor(s->last, sizeof s->last, page, i)) {
            rc = CM_EINTERNAL;
        }
        s->more = i + 1 < page->count || page->next_cursor;
    }
    if (rc == 0 && n > 0) {
        cm_docs_clear(docs, n);
    }
    free(docs);
    cm_store_strings_free(&doc_keys, n);
    free(keep);
    free(at);
    return rc;
}

static int
s_walk(s_search_t *s)
{
    char *cursor = s->query->cursor ? strdup(s->query->cursor) : NULL;
    int rc = 0;
    s->more = true;
    while (rc == 0 && s->more && json_array_size(s->items) < s->query->limit
           && s->scanned < CASE_SEARCH_SCAN) {
        size_t room = CASE_SEARCH_SCAN - s->scanned;
        cm_page_t page;
        rc = cm_store_list(cm_ctx_store(s->ctx), s->keys[0], cursor,
                           room < CASE_SEARCH_BATCH ? room : CASE_SEARCH_BATCH,
                           false, &page);
        if (rc == 0) {
            s->more = false;
            rc = s_batch(s, &page);
            free(cursor);
            cursor = page.next_cursor ? strdup(page.next_cursor) : NULL;
            cm_page_clear(&page);
        }
    }
    free(cursor);
    return rc;
}

static void
s_reply(s_search_t *s)
{
    json_t *next = s->more && *s->last ? json_string(s->last) : json_null();
    cm_ctx_reply(s->ctx, 200,
                 json_pack("{s:O, s:o}", "items", s->items, "next_cursor",
                           next ? next : json_null()));
}

void
case_words_search(cm_ctx_t *ctx)
{
    cm_list_query_t query;
    json_t *problem =
        cm_list_parse(&case_type, cm_ctx_query_object(ctx), "q", &query);
    if (!problem && query.with_total) {
        problem = s_bad("with_total", "is not available with q");
    }
    if (!problem) {
        problem = access_case_scope(ctx, &case_type, &query);
    }
    s_search_t s = {.ctx = ctx, .query = &query, .items = json_array()};
    if (!problem) {
        problem = s_parse_words(&s, cm_ctx_query(ctx, "q"));
    }
    if (problem) {
        json_decref(s.items);
        cm_ctx_fail(ctx, problem);
        return;
    }
    bool empty = false;
    int rc = s_order_by_size(&s, &empty);
    if (rc == 0 && !empty) {
        rc = s_walk(&s);
    } else if (rc == 0) {
        s.more = false;
    }
    if (rc == CM_EINVAL) {
        cm_ctx_fail(ctx, s_bad("cursor", "is not a cursor of this search"));
    } else if (rc) {
        cm_ctx_fail_status(ctx, rc, "the word index is unreadable");
    } else {
        s_reply(&s);
    }
    json_decref(s.items);
}
