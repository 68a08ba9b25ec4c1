#include "case_words.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "case.h"
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

// The search, inside Redis in one round trip (read-only; every key is a
// word index of {intake}). KEYS: the words' sets. ARGV: limit (matches
// wanted), scan (entries to walk at most), the cursor's score ("+inf" for
// the first page) and member ("" for none: start at the score), intersect
// (the largest rarest set intersected whole). Matches go newest first
// (ties by member, descending, as ZRANGE REV orders them). It walks the
// rarest set from the cursor 500 entries at a time without scores (a
// cursor's ties are skipped by offset, so entries need no scores), keeping
// the members present in every other set (one ZMSCORE per other set and
// 500 entries), until the page is full or scan entries were walked (a
// short page then, with a cursor). When the first 500 entries show the
// words meet too seldom for a walk of scan entries to fill the page, and
// the rarest set holds more than scan entries (a walk would not finish in
// this call) but at most `intersect`, it intersects instead: ZINTER of all
// the sets (scores: the rarest's; the set's whole size in C, only the few
// matches into Lua), the cursor found by bisection (a ZSCORE a step), then
// `limit` matches from there: a full page or the end.
// Returns {matches as member, score pairs, more (0/1), last score, last
// member}.
static const char s_walk_lua[] =
    "local limit, scan = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
    "local max, after, inter = ARGV[3], ARGV[4], tonumber(ARGV[5])\n"
    "local rarest, size = 1, redis.call('ZCARD', KEYS[1])\n"
    "for k = 2, #KEYS do\n"
    "  local n = redis.call('ZCARD', KEYS[k])\n"
    "  if n < size then rarest, size = k, n end\n"
    "end\n"
    "local out, walked, offset, more, last = {}, 0, 0, 0, nil\n"
    "if size == 0 then return {{}, 0, '', ''} end\n"
    "local keys = {KEYS[rarest]}\n"
    "for k = 1, #KEYS do\n"
    "  if k ~= rarest then keys[#keys + 1] = KEYS[k] end\n"
    "end\n"
    "local may = #keys > 1 and size > scan and size <= inter\n"
    "local seldom = false\n"
    "if after ~= '' then\n"
    "  local ties = redis.call('ZRANGE', keys[1], max, max, 'BYSCORE',\n"
    "    'REV')\n"
    "  for i = 1, #ties do\n"
    "    if ties[i] >= after then offset = offset + 1 end\n"
    "  end\n"
    "end\n"
    "while true do\n"
    "  local rows = redis.call('ZRANGE', keys[1], max, '-inf', "
    "'BYSCORE',\n"
    "    'REV', 'LIMIT', offset, 500)\n"
    "  if #rows == 0 then more = 0 break end\n"
    "  offset = offset + #rows\n"
    "  local hits = {}\n"
    "  for k = 2, #keys do\n"
    "    local r = redis.call('ZMSCORE', keys[k], unpack(rows))\n"
    "    for i = 1, #rows do\n"
    "      if not r[i] then hits[i] = false end\n"
    "    end\n"
    "  end\n"
    "  local stop = false\n"
    "  for i = 1, #rows do\n"
    "    if #out >= limit or walked >= scan then\n"
    "      more, stop = 1, true\n"
    "      break\n"
    "    end\n"
    "    walked = walked + 1\n"
    "    last = rows[i]\n"
    "    if hits[i] ~= false then out[#out + 1] = rows[i] end\n"
    "  end\n"
    "  if stop then break end\n"
    "  if #rows < 500 then more = 0 break end\n"
    "  if may and #out * scan < limit * walked then seldom = true break end\n"
    "  may = false\n"
    "end\n"
    "if seldom then\n"
    "  out, more, last = {}, 0, nil\n"
    "  local args = {'ZINTER', #keys}\n"
    "  for k = 1, #keys do args[#args + 1] = keys[k] end\n"
    "  args[#args + 1] = 'WEIGHTS'\n"
    "  for k = 1, #keys do args[#args + 1] = k == 1 and 1 or 0 end\n"
    "  local all = redis.call(unpack(args))\n"
    "  local top = #all\n"
    "  if max ~= '+inf' then\n"
    "    local m, lo, hi = tonumber(max), 0, #all\n"
    "    while lo < hi do\n"
    "      local mid = math.floor((lo + hi + 1) / 2)\n"
    "      local s = tonumber(redis.call('ZSCORE', keys[1], all[mid]))\n"
    "      if s < m or (s == m and (after == '' or all[mid] < after)) then\n"
    "        lo = mid\n"
    "      else\n"
    "        hi = mid - 1\n"
    "      end\n"
    "    end\n"
    "    top = lo\n"
    "  end\n"
    "  for i = top, math.max(top - limit + 1, 1), -1 do\n"
    "    out[#out + 1] = all[i]\n"
    "    last = all[i]\n"
    "  end\n"
    "  if top > limit then more = 1 end\n"
    "end\n"
    "if not last then return {{}, 0, '', ''} end\n"
    "local asked = {unpack(out)}\n"
    "asked[#asked + 1] = last\n"
    "local sc = redis.call('ZMSCORE', keys[1], unpack(asked))\n"
    "local pairs_out = {}\n"
    "for i = 1, #out do\n"
    "  pairs_out[#pairs_out + 1] = out[i]\n"
    "  pairs_out[#pairs_out + 1] = sc[i]\n"
    "end\n"
    "return {pairs_out, more, sc[#asked], last}\n";

// The cursor "<score>:<member>" into score and member: 0, or -1.
static int
s_parse_cursor(const char *cursor, char *score, char *member, size_t size)
{
    const char *colon = cursor ? strchr(cursor, ':') : NULL;
    if (!colon || colon == cursor || (size_t)(colon - cursor) >= 24
        || strlen(colon + 1) >= size || !colon[1]) {
        return -1;
    }
    for (const char *p = cursor; p < colon; p++) {
        if (*p < '0' || *p > '9') {
            return -1;
        }
    }
    snprintf(score, 24, "%.*s", (int)(colon - cursor), cursor);
    snprintf(member, size, "%s", colon + 1);
    return 0;
}

// Read the items of the matches (member, score pairs of reply) and take
// those that pass the filters and need-to-know into the page. 0 or a status.
static int
s_take_matches(s_search_t *s, const redisReply *matches, bool walk_more,
               const char *walk_last)
{
    size_t n = matches->elements / 2;
    char **keys = calloc(n + 1, sizeof(char *));
    cm_doc_t *docs = calloc(n + 1, sizeof *docs);
    assert(keys && docs);
    for (size_t i = 0; i < n; i++) {
        char key[CM_STORE_KEY_MAX];
        const char *id = matches->element[2 * i]->str;
        keys[i] = strdup(
            id && cm_doc_key(&case_type, id, key, sizeof key) ? key : "");
        assert(keys[i]);
    }
    int rc = n ? cm_store_get_many(cm_ctx_store(s->ctx),
                                   (const char *const *)keys, n, "item", docs)
               : 0;
    s->more = walk_more;
    snprintf(s->last, sizeof s->last, "%s", walk_last);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!s_take(s, docs[i].json, docs[i].version)) {
            // The page is full before this match: resume after the last
            // one taken (or where the page started).
            const redisReply *prev_m = i ? matches->element[2 * i - 2] : NULL;
            const redisReply *prev_s = i ? matches->element[2 * i - 1] : NULL;
            if (prev_m) {
                snprintf(s->last, sizeof s->last, "%s:%s", prev_s->str,
                         prev_m->str);
            } else {
                snprintf(s->last, sizeof s->last, "%s",
                         s->query->cursor ? s->query->cursor : "");
            }
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

// The search: one script walk, one read of the matches' items.
static int
s_walk(s_search_t *s)
{
    char score[24] = "+inf";
    char member[CM_STORE_KEY_MAX] = "";
    if (s->query->cursor
        && s_parse_cursor(s->query->cursor, score, member, sizeof member)
               != 0) {
        return CM_EINVAL;
    }
    char limit[24];
    char scan[24];
    char numkeys[24];
    char intersect[24];
    snprintf(limit, sizeof limit, "%zu", s->query->limit);
    snprintf(scan, sizeof scan, "%d", CASE_SEARCH_SCAN);
    snprintf(intersect, sizeof intersect, "%d", CASE_SEARCH_INTERSECT);
    snprintf(numkeys, sizeof numkeys, "%zu", s->key_count);
    const char *argv[3 + CASE_SEARCH_WORDS + 5];
    int argc = 0;
    argv[argc++] = "EVAL";
    argv[argc++] = s_walk_lua;
    argv[argc++] = numkeys;
    for (size_t i = 0; i < s->key_count; i++) {
        argv[argc++] = s->keys[i];
    }
    argv[argc++] = limit;
    argv[argc++] = scan;
    argv[argc++] = score;
    argv[argc++] = member;
    argv[argc++] = intersect;
    redisReply *reply = cm_redis_command(cm_store_redis(cm_ctx_store(s->ctx)),
                                         argc, argv, NULL);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = 0;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 4
        || reply->element[0]->type != REDIS_REPLY_ARRAY
        || reply->element[0]->elements % 2 != 0) {
        cm_log_error("case.search_failed", "error",
                     reply->type == REDIS_REPLY_ERROR ? reply->str : "reply");
        rc = CM_EINTERNAL;
    } else {
        const redisReply *last_s = reply->element[2];
        const redisReply *last_m = reply->element[3];
        char last[CM_STORE_KEY_MAX] = "";
        if (last_s->type == REDIS_REPLY_STRING && last_s->len > 0) {
            snprintf(last, sizeof last, "%s:%s", last_s->str,
                     last_m->type == REDIS_REPLY_STRING ? last_m->str : "");
        }
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
