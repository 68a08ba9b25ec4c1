// The audit trail's routes (audit.h).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cm_doc.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "safety.h"

#define S_READERS       "auditor station_head"
#define S_LIMIT_MAX     200
#define S_PAGE_BYTES    (48 * 1024) // items of one page
#define S_ENTRY_BYTES   (40 * 1024) // an entry above this omits its envelope
#define S_CURSOR_MAX    48
#define S_LIST_PARAMS   "from to type actor subject limit cursor"
#define S_VERIFY_PARAMS "from to"

// 403 unless the caller reads the audit trail. True to go on.
static bool
s_reader(cm_ctx_t *ctx)
{
    if (cm_validate_name_in(S_READERS, cm_ctx_actor_role(ctx))) {
        return true;
    }
    cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                       "the audit trail is read by auditors and the station "
                       "head only");
    return false;
}

// Every query parameter is one of allowed; else a 400 naming each other.
static bool
s_params(cm_ctx_t *ctx, const char *allowed, json_t **problem_p)
{
    json_t *query = cm_ctx_query_object(ctx);
    const char *name;
    json_t *value;
    bool fine = true;
    json_object_foreach(query, name, value)
    {
        if (!cm_validate_name_in(allowed, name)) {
            fine = cm_validate_fail(problem_p, name, "is not allowed");
        }
    }
    return fine;
}

// Query parameter name as an integer in [min, max] into *out (fallback
// when absent). False after naming it in *problem_p.
static bool
s_int_param(cm_ctx_t *ctx, const char *name, int64_t min, int64_t max,
            int64_t fallback, int64_t *out, json_t **problem_p)
{
    const char *text = cm_ctx_query(ctx, name);
    *out = fallback;
    if (!text) {
        return true;
    }
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    if (!*text || *end || value < min || value > max
        || strspn(text, "0123456789") != strlen(text)) {
        char message[96];
        snprintf(message, sizeof message,
                 "must be an integer from %lld to %lld", (long long)min,
                 (long long)max);
        return cm_validate_fail(problem_p, name, message);
    }
    *out = value;
    return true;
}

// Query parameter name as an RFC 3339 time into *ms (-1 when absent).
static bool
s_time_param(cm_ctx_t *ctx, const char *name, int64_t *ms, json_t **problem_p)
{
    const char *text = cm_ctx_query(ctx, name);
    *ms = -1;
    if (text && cm_time_parse(text, ms) != 0) {
        *ms = -1;
        return cm_validate_fail(problem_p, name,
                                "must be an RFC 3339 date-time");
    }
    return true;
}

// The greatest entry number whose `at` is below bound_ms (0: none). 0 or a
// negative cm_status_t.
static int
s_last_before(cm_store_t *store, int64_t bound_ms, int64_t *n)
{
    char key[CM_STORE_KEY_MAX], cursor[S_CURSOR_MAX];
    snprintf(cursor, sizeof cursor, "%lld:", (long long)bound_ms);
    cm_page_t page;
    int rc = cm_store_list(store, audit_index_key(key, "at", NULL), cursor, 1,
                           false, &page);
    if (rc == 0) {
        *n = page.count ? atoll(page.members[0]) : 0;
        cm_page_clear(&page);
    }
    return rc;
}

typedef struct {
    int64_t limit, n_lo, n_hi, from_ms, to_ms;
    const char *kind, *value; // the index walked: "all" or a filter
    const char *cursor;       // the client's, or NULL
} s_query_t;

// Parse and check GET /v1/audit's query. NULL, or the problem (400).
static json_t *
s_list_query(cm_ctx_t *ctx, s_query_t *q)
{
    json_t *problem = NULL;
    memset(q, 0, sizeof *q);
    s_params(ctx, S_LIST_PARAMS, &problem);
    s_int_param(ctx, "limit", 1, S_LIMIT_MAX, 50, &q->limit, &problem);
    s_time_param(ctx, "from", &q->from_ms, &problem);
    s_time_param(ctx, "to", &q->to_ms, &problem);
    q->cursor = cm_ctx_query(ctx, "cursor");
    if (q->cursor
        && (strlen(q->cursor) >= S_CURSOR_MAX
            || strspn(q->cursor, "0123456789") == 0
            || strcmp(q->cursor + strspn(q->cursor, "0123456789"), ":") != 0)) {
        cm_validate_fail(&problem, "cursor", "is not a cursor of this list");
    }
    static const char *const kinds[] = {"type", "subject", "actor"};
    q->kind = "all";
    for (size_t i = 0; i < 3; i++) {
        const char *value = cm_ctx_query(ctx, kinds[i]);
        if (value && (!*value || strlen(value) > CM_FIELD_STRING_MAX)) {
            cm_validate_fail(&problem, kinds[i], "must be 1-200 characters");
        } else if (value && !q->value) {
            q->kind = kinds[i];
            q->value = value;
        }
    }
    return problem;
}

// The range of entry numbers the times select: n_lo..n_hi.
static int
s_range(cm_store_t *store, s_query_t *q)
{
    audit_head_t head;
    int rc = audit_head_read(store, &head);
    q->n_lo = 1;
    q->n_hi = head.n;
    if (rc == 0 && q->to_ms >= 0) {
        rc = s_last_before(store, q->to_ms + 1, &q->n_hi);
    }
    if (rc == 0 && q->from_ms >= 0) {
        rc = s_last_before(store, q->from_ms, &q->n_lo);
        q->n_lo++;
    }
    return rc;
}

// True when entry matches every filter of the query.
static bool
s_matches(cm_ctx_t *ctx, const json_t *entry)
{
    static const char *const kinds[] = {"type", "subject", "actor"};
    for (size_t i = 0; i < 3; i++) {
        const char *value = cm_ctx_query(ctx, kinds[i]);
        if (value && strcmp(cm_doc_text(entry, kinds[i]), value) != 0) {
            return false;
        }
    }
    return true;
}

// Add entry to items within the page's byte budget. False when full.
static bool
s_add_item(json_t *items, json_t *entry, size_t *bytes)
{
    char *text = json_dumps(entry, JSON_COMPACT);
    size_t size = text ? strlen(text) : 0;
    free(text);
    if (size > S_ENTRY_BYTES) {
        json_object_del(entry, "envelope");
        json_object_set_new(entry, "envelope_omitted", json_true());
        size = 1024;
    }
    if (*bytes + size > S_PAGE_BYTES && json_array_size(items) > 0) {
        return false;
    }
    *bytes += size;
    json_array_append(items, entry);
    return true;
}

// One page of the index from the query's cursor: the entries in range that
// match, newest first, and the cursor after the last one looked at.
static int
s_page(cm_ctx_t *ctx, const s_query_t *q, json_t *items, char *next)
{
    char key[CM_STORE_KEY_MAX], start[S_CURSOR_MAX];
    next[0] = '\0';
    if (!audit_index_key(key, q->kind, strcmp(q->kind, "all") ? q->value : NULL)
        || q->n_hi < q->n_lo) {
        return 0; // nothing can match
    }
    snprintf(start, sizeof start, "%lld:", (long long)q->n_hi + 1);
    const char *cursor =
        q->cursor && atoll(q->cursor) <= q->n_hi + 1 ? q->cursor : start;
    cm_page_t page;
    int rc = cm_store_list(cm_ctx_store(ctx), key, cursor, (size_t)q->limit,
                           false, &page);
    if (rc != 0) {
        return rc;
    }
    int64_t ns[S_LIMIT_MAX];
    size_t count = 0;
    for (; count < page.count && page.scores[count] >= q->n_lo; count++) {
        ns[count] = page.scores[count];
    }
    bool more = count == page.count && page.next_cursor;
    cm_page_clear(&page);
    json_t *entries[S_LIMIT_MAX];
    rc = audit_read_ids(cm_ctx_store(ctx), ns, count, entries);
    size_t bytes = 0, i = 0;
    for (; rc == 0 && i < count; i++) {
        if (entries[i] && s_matches(ctx, entries[i])
            && !s_add_item(items, entries[i], &bytes)) {
            more = true;
            break;
        }
    }
    if (more && (i > 0 || count > 0)) {
        snprintf(next, S_CURSOR_MAX,
                 "%lld:", (long long)(i < count ? ns[i] + 1 : ns[count - 1]));
    }
    for (size_t j = 0; rc == 0 && j < count; j++) {
        json_decref(entries[j]);
    }
    return rc;
}

void
audit_list(cm_ctx_t *ctx)
{
    if (!s_reader(ctx)) {
        return;
    }
    s_query_t q;
    json_t *problem = s_list_query(ctx, &q);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    int rc = s_range(cm_ctx_store(ctx), &q);
    json_t *items = json_array();
    char next[S_CURSOR_MAX] = "";
    rc = rc == 0 ? s_page(ctx, &q, items, next) : rc;
    if (rc != 0) {
        json_decref(items);
        cm_ctx_fail(ctx, cm_problem_from_status(rc, NULL));
        return;
    }
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                           next[0] ? next : NULL));
}

void
audit_get(cm_ctx_t *ctx)
{
    if (!s_reader(ctx)) {
        return;
    }
    const char *text = cm_ctx_param(ctx, "n");
    int64_t n = text ? atoll(text) : 0;
    json_t *entry = NULL;
    int rc = n > 0 && strspn(text, "0123456789") == strlen(text)
                 ? audit_read(cm_ctx_store(ctx), n, 1, &entry)
                 : CM_ENOTFOUND;
    if (rc == 0 && !entry) {
        rc = CM_ENOTFOUND;
    }
    if (rc != 0) {
        char detail[96];
        snprintf(detail, sizeof detail, "There is no audit entry %.32s.",
                 text ? text : "");
        cm_ctx_fail_status(ctx, rc, detail);
        return;
    }
    size_t bytes = 0;
    json_t *items = json_array();
    s_add_item(items, entry, &bytes); // bounds the reply as a page's
    cm_ctx_reply(ctx, 200, json_incref(json_array_get(items, 0)));
    json_decref(items);
    json_decref(entry);
}

void
audit_key(cm_ctx_t *ctx)
{
    const safety_t *self = safety_of(ctx);
    cm_ctx_reply(
        ctx, 200,
        json_pack("{s:s, s:s, s:s, s:s}", "algorithm", "Ed25519", "encoding",
                  "hex", "public_key", self->signer.public_hex, "message",
                  "stationmaster.audit.checkpoint:<n>:<hash>:<at_ms>"));
}

// ---- verify

typedef struct {
    int64_t from, to, checked;
    int64_t checkpoint_n;                 // to compare (0: none)
    char checkpoint_hash[AUDIT_HASH_HEX]; // recomputed there
    json_t *broken;                       // the first broken link, or NULL
} s_verify_t;

static void
s_broken(s_verify_t *v, int64_t n, const char *reason, const char *stored,
         const char *computed)
{
    v->broken =
        json_pack("{s:I, s:s, s:s?, s:s?}", "n", (json_int_t)n, "reason",
                  reason, "stored", stored, "computed", computed);
}

// Check one entry n against prev (hex; becomes hash_n). False at a break.
static bool
s_check_entry(s_verify_t *v, int64_t n, const json_t *entry, char *prev)
{
    char hash[AUDIT_HASH_HEX];
    if (!entry) {
        s_broken(v, n, "missing", NULL, NULL);
        return false;
    }
    const char *stored = cm_doc_text(entry, "hash");
    if (cm_doc_integer(entry, "n") != n) {
        s_broken(v, n, "misplaced", NULL, NULL);
    } else if (strcmp(cm_doc_text(entry, "prev"), prev) != 0) {
        s_broken(v, n, "prev_mismatch", cm_doc_text(entry, "prev"), prev);
    } else if (audit_hash(prev, entry, hash) != 0
               || strcmp(hash, stored) != 0) {
        s_broken(v, n, "hash_mismatch", stored, hash);
    }
    if (v->broken) {
        return false;
    }
    snprintf(prev, AUDIT_HASH_HEX, "%s", hash);
    if (n == v->checkpoint_n) {
        snprintf(v->checkpoint_hash, sizeof v->checkpoint_hash, "%s", hash);
    }
    v->checked++;
    return true;
}

// The hash before `from`: zeros for 1, else entry from-1's stored hash.
static int
s_start_hash(cm_store_t *store, s_verify_t *v, char *prev)
{
    memset(prev, '0', AUDIT_HASH_HEX - 1);
    prev[AUDIT_HASH_HEX - 1] = '\0';
    if (v->from == 1) {
        return 0;
    }
    json_t *entry = NULL;
    int rc = audit_read(store, v->from - 1, 1, &entry);
    if (rc == 0 && !entry) {
        s_broken(v, v->from - 1, "missing", NULL, NULL);
    } else if (rc == 0) {
        snprintf(prev, AUDIT_HASH_HEX, "%s", cm_doc_text(entry, "hash"));
    }
    json_decref(entry);
    return rc;
}

// Recompute from..to a batch at a time, stopping at the first break.
static int
s_walk(cm_store_t *store, s_verify_t *v)
{
    char prev[AUDIT_HASH_HEX];
    int rc = s_start_hash(store, v, prev);
    json_t *entries[AUDIT_READ_MAX];
    for (int64_t n = v->from; rc == 0 && !v->broken && n <= v->to;) {
        int64_t left = v->to - n + 1;
        size_t count = left < AUDIT_READ_MAX ? (size_t)left : AUDIT_READ_MAX;
        rc = audit_read(store, n, count, entries);
        for (size_t i = 0; rc == 0 && i < count; i++) {
            if (!v->broken) {
                s_check_entry(v, n + (int64_t)i, entries[i], prev);
            }
            json_decref(entries[i]);
        }
        n += (int64_t)count;
    }
    return rc;
}

// Compare the walk with the last signed checkpoint (cp may be NULL).
// Returns the checkpoint's member of the reply (null when none).
static json_t *
s_against_checkpoint(const safety_t *self, s_verify_t *v, const json_t *cp,
                     const audit_head_t *head)
{
    if (!cp) {
        return json_null();
    }
    bool signed_ok = checkpoint_is_signed(cp, self->signer.public_key);
    int64_t n = cm_doc_integer(cp, "n");
    const char *hash = cm_doc_text(cp, "hash");
    bool compared = signed_ok && !v->broken && v->checkpoint_n == n;
    if (compared && strcmp(v->checkpoint_hash, hash) != 0) {
        s_broken(v, n, "checkpoint_mismatch", hash, v->checkpoint_hash);
    } else if (signed_ok && !v->broken && n > head->n && v->to == head->n) {
        s_broken(v, head->n + 1, "truncated", NULL, NULL);
        compared = true;
    }
    return json_pack("{s:I, s:s, s:s, s:b, s:b}", "n", (json_int_t)n, "hash",
                     hash, "at", cm_doc_text(cp, "at"), "signature_valid",
                     signed_ok, "compared", compared);
}

// from/to of the query against the head. NULL or the problem.
static json_t *
s_verify_range(cm_ctx_t *ctx, const audit_head_t *head, s_verify_t *v)
{
    json_t *problem = NULL;
    s_params(ctx, S_VERIFY_PARAMS, &problem);
    json_t *body = cm_ctx_body(ctx);
    if (json_is_object(body) && json_object_size(body) > 0) {
        cm_validate_fail(&problem, json_object_iter_key(json_object_iter(body)),
                         "is not allowed (verify takes no body)");
    }
    int64_t last = head->n > 0 ? head->n : 1;
    s_int_param(ctx, "from", 1, last, 1, &v->from, &problem);
    s_int_param(ctx, "to", 1, last, head->n, &v->to, &problem);
    if (!problem && v->to < v->from && head->n > 0) {
        cm_validate_fail(&problem, "to", "must not be before from");
    }
    if (!problem && v->to - v->from + 1 > safety_of(ctx)->verify_max) {
        char detail[128];
        snprintf(detail, sizeof detail,
                 "verify at most %lld entries at once; split the range",
                 (long long)safety_of(ctx)->verify_max);
        problem = cm_problem_new(422, "range_too_large", detail);
    }
    return problem;
}

void
audit_verify(cm_ctx_t *ctx)
{
    if (!s_reader(ctx)) {
        return;
    }
    const safety_t *self = safety_of(ctx);
    cm_store_t *store = cm_ctx_store(ctx);
    audit_head_t head;
    s_verify_t v = {0};
    int rc = audit_head_read(store, &head);
    json_t *problem =
        rc ? cm_problem_from_status(rc, NULL) : s_verify_range(ctx, &head, &v);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *cp = NULL;
    if (checkpoint_last(&self->signer, &cp) == 0 && cp
        && checkpoint_is_signed(cp, self->signer.public_key)) {
        int64_t n = cm_doc_integer(cp, "n");
        v.checkpoint_n = n >= v.from && n <= v.to ? n : 0;
    }
    rc = s_walk(store, &v);
    if (rc != 0) {
        json_decref(cp);
        json_decref(v.broken);
        cm_ctx_fail(ctx, cm_problem_from_status(rc, NULL));
        return;
    }
    json_t *checkpoint = s_against_checkpoint(self, &v, cp, &head);
    bool ok =
        !v.broken
        && (!cp
            || json_is_true(json_object_get(checkpoint, "signature_valid")));
    json_decref(cp);
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:I, s:I, s:I, s:b, s:o, s:{s:I, s:s}, s:o}",
                           "from", (json_int_t)v.from, "to", (json_int_t)v.to,
                           "checked", (json_int_t)v.checked, "ok", ok,
                           "first_broken", v.broken ? v.broken : json_null(),
                           "head", "n", (json_int_t)head.n, "hash", head.hash,
                           "checkpoint", checkpoint));
}
