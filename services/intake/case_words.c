#include "case_words.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "case.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_log.h"
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
case_words_prefix(const char *token, char *key)
{
    char suffix[CASE_WORD_BYTES + 16];
    int n = snprintf(suffix, sizeof suffix, "case_word:%s:", token);
    if (n < 0 || (size_t)n >= sizeof suffix) {
        return NULL;
    }
    return cm_store_key(key, CM_STORE_KEY_MAX, CASE_OWNER, "idx", suffix);
}

const char *
case_words_key(const char *token, int64_t number, char *key)
{
    char prefix[CM_STORE_KEY_MAX];
    if (number < 1 || !case_words_prefix(token, prefix)) {
        return NULL;
    }
    int n = snprintf(key, CM_STORE_KEY_MAX, "%s%lld", prefix,
                     (long long)(number / CASE_WORDS_BUCKET));
    return n > 0 && n < CM_STORE_KEY_MAX ? key : NULL;
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
    int64_t number = 0;
    if (!cm_id_parse(cm_doc_string(doc, "id"), CASE_ID_PREFIX, &number)) {
        return; // every case id is CS-<n>; nothing else is indexed
    }
    char member[24];
    snprintf(member, sizeof member, "%lld", (long long)number);
    json_t *before = case_words_of(old);
    json_t *after = case_words_of(doc);
    char key[CM_STORE_KEY_MAX];
    const char *token = NULL;
    json_t *value = NULL;
    json_object_foreach(before, token, value)
    {
        if (!json_object_get(after, token)
            && case_words_key(token, number, key)) {
            cm_commit_member_remove(commit, key, member);
        }
    }
    json_object_foreach(after, token, value)
    {
        if (!json_object_get(before, token)
            && case_words_key(token, number, key)) {
            cm_commit_member_add(commit, key, member);
        }
    }
    json_decref(before);
    json_decref(after);
}

// ---- the search

typedef struct {
    cm_ctx_t *ctx;                                  // borrowed
    const cm_list_query_t *query;                   // borrowed
    char keys[CASE_SEARCH_WORDS][CM_STORE_KEY_MAX]; // the words' prefixes
    size_t key_count;
    json_t *items;               // the page
    size_t bytes;                // of the page's items
    char last[CM_STORE_KEY_MAX]; // cursor after the last entry walked
    bool more;                   // entries follow `last`
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
        if (!problem && !case_words_prefix(token, s->keys[s->key_count++])) {
            problem = s_bad("q", "word too long");
        }
    }
    json_decref(set);
    return problem;
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

// The search, inside Redis in one round trip (read-only). KEYS: the case
// counter. ARGV: limit (matches wanted), budget (set members to look at at
// most), bucket size, cursor ("" for the first page: start at the newest
// case; else start below that case number), max buckets, then the words'
// key prefixes (a bucket's key is the prefix and the bucket's number; the
// bucket keys are all of {intake}, as the counter is). Bucket by bucket,
// newest first: SINTER of the words' sets of that bucket (in C: Redis
// walks the smallest and looks each member up in the others, binary
// searches in compact integer sets), the numbers at or below the top
// sorted newest first into the page, until it holds `limit`, or budget
// members or max buckets were looked at (a short page with a cursor).
// Returns {numbers (strings, newest first), more (0/1), cursor ("" when
// none)}.
static const char s_search_lua[] =
    "local limit, budget = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
    "local size, buckets = tonumber(ARGV[3]), tonumber(ARGV[5])\n"
    "local top\n"
    "if ARGV[4] ~= '' then top = tonumber(ARGV[4]) - 1\n"
    "else top = tonumber(redis.call('GET', KEYS[1]) or '0') end\n"
    "local out, seen, visited = {}, 0, 0\n"
    "local b = math.floor(top / size)\n"
    "while b >= 0 do\n"
    "  if #out >= limit then return {out, 1, out[#out]} end\n"
    "  if seen >= budget or visited >= buckets then\n"
    "    return {out, 1, string.format('%d', (b + 1) * size)}\n"
    "  end\n"
    "  local keys = {}\n"
    "  for i = 6, #ARGV do keys[#keys + 1] = ARGV[i] .. b end\n"
    "  local r = redis.call('SINTER', unpack(keys))\n"
    "  seen, visited = seen + #r, visited + 1\n"
    "  local nums = {}\n"
    "  for i = 1, #r do\n"
    "    local n = tonumber(r[i])\n"
    "    if n and n <= top then nums[#nums + 1] = n end\n"
    "  end\n"
    "  table.sort(nums, function(x, y) return x > y end)\n"
    "  for i = 1, #nums do\n"
    "    if #out >= limit then return {out, 1, out[#out]} end\n"
    "    out[#out + 1] = string.format('%d', nums[i])\n"
    "  end\n"
    "  b = b - 1\n"
    "end\n"
    "return {out, 0, ''}\n";

// The cursor: a case number (digits, no leading zero). 0, or -1.
static int
s_parse_cursor(const char *cursor, char *number, size_t size)
{
    size_t n = cursor ? strlen(cursor) : 0;
    if (n == 0 || n > 18 || n >= size || cursor[0] == '0') {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (cursor[i] < '0' || cursor[i] > '9') {
            return -1;
        }
    }
    memcpy(number, cursor, n + 1);
    return 0;
}

// Read the items of the matching case numbers and take those that pass the
// filters and need-to-know into the page. 0 or a status.
static int
s_take_matches(s_search_t *s, const redisReply *matches, bool walk_more,
               const char *walk_last)
{
    size_t n = matches->elements;
    char **keys = calloc(n + 1, sizeof(char *));
    cm_doc_t *docs = calloc(n + 1, sizeof *docs);
    assert(keys && docs);
    for (size_t i = 0; i < n; i++) {
        char key[CM_STORE_KEY_MAX];
        char id[CM_ID_MAX];
        const char *number = matches->element[i]->str;
        int64_t value = number ? strtoll(number, NULL, 10) : 0;
        keys[i] = strdup(
            value > 0
                    && cm_doc_key(&case_type,
                                  cm_id_format(CASE_ID_PREFIX, value, id), key,
                                  sizeof key)
                ? key
                : "");
        assert(keys[i]);
    }
    int rc = n ? cm_store_get_many(cm_ctx_store(s->ctx),
                                   (const char *const *)keys, n, "item", docs)
               : 0;
    s->more = walk_more;
    snprintf(s->last, sizeof s->last, "%s", walk_last);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!s_take(s, docs[i].json, docs[i].version)) {
            // The page is full before this match: resume below the last
            // one taken (or where the page started).
            snprintf(s->last, sizeof s->last, "%s",
                     i                  ? matches->element[i - 1]->str
                     : s->query->cursor ? s->query->cursor
                                        : "");
            s->more = true;
            break;
        }
    }
    if (rc == 0 && n) {
        cm_docs_clear(docs, n);
    }
    free(docs);
    cm_store_strings_free(&keys, n);
    return rc;
}

// The search: one script, one read of the matches' items.
static int
s_walk(s_search_t *s)
{
    char cursor[24] = "";
    if (s->query->cursor
        && s_parse_cursor(s->query->cursor, cursor, sizeof cursor) != 0) {
        return CM_EINVAL;
    }
    char counter[CM_STORE_KEY_MAX];
    char suffix[32];
    snprintf(suffix, sizeof suffix, "counter:%s", case_type.kind);
    if (!cm_store_key(counter, sizeof counter, CASE_OWNER, suffix, NULL)) {
        return CM_EINTERNAL;
    }
    char limit[24];
    char budget[24];
    char size[24];
    char buckets[24];
    snprintf(limit, sizeof limit, "%zu", s->query->limit);
    snprintf(budget, sizeof budget, "%d", CASE_SEARCH_BUDGET);
    snprintf(size, sizeof size, "%d", CASE_WORDS_BUCKET);
    snprintf(buckets, sizeof buckets, "%d", CASE_SEARCH_BUCKETS);
    const char *argv[4 + 5 + CASE_SEARCH_WORDS];
    int argc = 0;
    argv[argc++] = "EVAL";
    argv[argc++] = s_search_lua;
    argv[argc++] = "1";
    argv[argc++] = counter;
    argv[argc++] = limit;
    argv[argc++] = budget;
    argv[argc++] = size;
    argv[argc++] = cursor;
    argv[argc++] = buckets;
    for (size_t i = 0; i < s->key_count; i++) {
        argv[argc++] = s->keys[i];
    }
    redisReply *reply = cm_redis_command(cm_store_redis(cm_ctx_store(s->ctx)),
                                         argc, argv, NULL);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = 0;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3
        || reply->element[0]->type != REDIS_REPLY_ARRAY
        || reply->element[2]->type != REDIS_REPLY_STRING) {
        cm_log_error("case.search_failed", "error",
                     reply->type == REDIS_REPLY_ERROR ? reply->str : "reply");
        rc = CM_EINTERNAL;
    } else {
        const char *last = reply->element[2]->str;
        rc = s_take_matches(s, reply->element[0],
                            reply->element[1]->integer != 0 && *last, last);
    }
    freeReplyObject(reply);
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
    int rc = s_walk(&s);
    if (rc == CM_EINVAL) {
        cm_ctx_fail(ctx, s_bad("cursor", "is not a cursor of this search"));
    } else if (rc) {
        cm_ctx_fail_status(ctx, rc, "the word index is unreadable");
    } else {
        s_reply(&s);
    }
    json_decref(s.items);
}
