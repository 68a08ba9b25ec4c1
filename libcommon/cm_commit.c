// cm_commit — the commit builder: the op list of one FCALL sm_commit
// (docs/architecture.md §3, §6). Declared in cm_store.h; cm_store_commit runs
// it.
#include "cm_store.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CM_STORE_OWNER_MAX 128

// A growable array of owned strings.
typedef struct {
    char **items;    // owned strings
    size_t count;    // used
    size_t capacity; // allocated
} s_strings_t;

struct cm_commit {
    char owner[CM_STORE_OWNER_MAX];  // hash tag
    char prefix[CM_STORE_OWNER_MAX]; // "sm:{owner}:"
    s_strings_t keys;                // KEYS of the FCALL
    s_strings_t args;                // ARGV: the op list
    size_t doc_count;                // documents so far
    size_t event_count;              // events so far
    size_t field_count_arg;          // ARGV index of the last doc's nfields
    bool fields_open;                // last op was a document
};

// ---- strings --------------------------------------------------------------

static void
s_strings_push(s_strings_t *self, const char *text)
{
    if (self->count == self->capacity) {
        self->capacity = self->capacity ? self->capacity * 2 : 16;
        self->items = realloc(self->items, self->capacity * sizeof(char *));
        assert(self->items);
    }
    self->items[self->count] = strdup(text);
    assert(self->items[self->count]);
    self->count++;
}

static void
s_strings_push_int(s_strings_t *self, int64_t value)
{
    char buf[CM_STORE_NUM_MAX];
    snprintf(buf, sizeof buf, "%" PRId64, value);
    s_strings_push(self, buf);
}

static void
s_strings_clear(s_strings_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        free(self->items[i]);
    }
    free(self->items);
    memset(self, 0, sizeof *self);
}

// ---- commit builder
// -------------------------------------------------------------

cm_commit_t *
cm_commit_new(const char *owner)
{
    assert(owner && *owner && strlen(owner) + 8 < CM_STORE_OWNER_MAX);
    assert(!strpbrk(owner, "{}"));
    cm_commit_t *self = calloc(1, sizeof *self);
    assert(self);
    snprintf(self->owner, sizeof self->owner, "%s", owner);
    snprintf(self->prefix, sizeof self->prefix, "sm:{%s}:", owner);
    return self;
}

void
cm_commit_destroy(cm_commit_t **self_p)
{
    assert(self_p);
    cm_commit_t *self = *self_p;
    if (self) {
        s_strings_clear(&self->keys);
        s_strings_clear(&self->args);
        free(self);
        *self_p = NULL;
    }
}

const char *
cm_commit_owner(const cm_commit_t *self)
{
    assert(self);
    return self->owner;
}

// The 1-based KEYS index of key, added when new. Every key of one call must
// carry the owner's hash tag so the call touches one slot (Redis Cluster).
static void
s_push_key(cm_commit_t *self, const char *key)
{
    assert(key && strncmp(key, self->prefix, strlen(self->prefix)) == 0);
    assert(strlen(key) < CM_STORE_KEY_MAX);
    size_t index = 0;
    while (index < self->keys.count
           && strcmp(self->keys.items[index], key) != 0) {
        index++;
    }
    if (index == self->keys.count) {
        s_strings_push(&self->keys, key);
    }
    s_strings_push_int(&self->args, (int64_t)index + 1);
}

static void
s_begin_op(cm_commit_t *self, const char *code, const char *key)
{
    self->fields_open = false;
    s_strings_push(&self->args, code);
    s_push_key(self, key);
}

// An op whose only argument after its key is one string (an index or set
// member, a ledger entry).
static void
s_op_with(cm_commit_t *self, const char *code, const char *key,
          const char *argument)
{
    assert(self && argument);
    s_begin_op(self, code, key);
    s_strings_push(&self->args, argument);
}

void
cm_commit_doc(cm_commit_t *self, const char *key, int64_t expected_version,
              const char *doc_json)
{
    assert(self && doc_json && expected_version >= CM_VERSION_ANY);
    assert(self->doc_count < CM_COMMIT_DOCS_MAX);
    s_begin_op(self, "D", key);
    s_strings_push_int(&self->args, expected_version);
    self->field_count_arg = self->args.count;
    s_strings_push_int(&self->args, 0);
    self->doc_count++;
    self->fields_open = true;
    cm_commit_field(self, "doc", doc_json);
}

void
cm_commit_field(cm_commit_t *self, const char *name, const char *value)
{
    assert(self && name && value);
    assert(self->fields_open); // fields follow their cm_commit_doc directly
    assert(strcmp(name, "version") != 0);
    char **count_text = &self->args.items[self->field_count_arg];
    long long count = strtoll(*count_text, NULL, 10) + 1;
    free(*count_text);
    *count_text = NULL;
    char buf[CM_STORE_NUM_MAX];
    snprintf(buf, sizeof buf, "%lld", count);
    *count_text = strdup(buf);
    assert(*count_text);
    s_strings_push(&self->args, name);
    s_strings_push(&self->args, value);
}

void
cm_commit_index_add(cm_commit_t *self, const char *key, const char *member,
                    int64_t score)
{
    assert(self && member);
    s_begin_op(self, "ZA", key);
    s_strings_push_int(&self->args, score);
    s_strings_push(&self->args, member);
}

void
cm_commit_index_remove(cm_commit_t *self, const char *key, const char *member)
{
    s_op_with(self, "ZR", key, member);
}

void
cm_commit_member_add(cm_commit_t *self, const char *key, const char *member)
{
    s_op_with(self, "SA", key, member);
}

void
cm_commit_member_remove(cm_commit_t *self, const char *key, const char *member)
{
    s_op_with(self, "SR", key, member);
}

void
cm_commit_timer(cm_commit_t *self, const char *key, const char *member,
                int64_t due_ms)
{
    if (due_ms > 0) {
        cm_commit_index_add(self, key, member, due_ms);
    } else {
        cm_commit_index_remove(self, key, member);
    }
}

void
cm_commit_counter(cm_commit_t *self, const char *key, const char *field,
                  int64_t delta, int64_t min, int64_t max)
{
    assert(self && field && *field);
    s_begin_op(self, "B", key);
    s_strings_push(&self->args, field);
    s_strings_push_int(&self->args, delta);
    if (min == CM_COUNTER_NO_MIN) {
        s_strings_push(&self->args, "");
    } else {
        s_strings_push_int(&self->args, min);
    }
    if (max == CM_COUNTER_NO_MAX) {
        s_strings_push(&self->args, "");
    } else {
        s_strings_push_int(&self->args, max);
    }
}

void
cm_commit_ledger(cm_commit_t *self, const char *key, const char *entry_json)
{
    s_op_with(self, "L", key, entry_json);
}

void
cm_commit_ledger_stamped(cm_commit_t *self, const char *key,
                         const char *entry_json, const char *counter_key,
                         const char *counter_field, const char *member)
{
    assert(self && entry_json && counter_field && *counter_field && member);
    assert(*member && strcmp(member, "entry") != 0);
    s_begin_op(self, "LS", key);
    s_strings_push(&self->args, entry_json);
    s_push_key(self, counter_key);
    s_strings_push(&self->args, counter_field);
    s_strings_push(&self->args, member);
}

void
cm_commit_event(cm_commit_t *self, const char *type, const char *envelope_json)
{
    assert(self && type && *type && envelope_json);
    assert(self->event_count < CM_COMMIT_EVENTS_MAX);
    char outbox[CM_STORE_KEY_MAX];
    char meta[CM_STORE_KEY_MAX];
    const char *built =
        cm_store_key(outbox, sizeof outbox, self->owner, "outbox", NULL);
    assert(built);
    built = cm_store_key(meta, sizeof meta, self->owner, "outbox", "meta");
    assert(built);
    s_begin_op(self, "E", outbox);
    s_push_key(self, meta);
    s_strings_push(&self->args, type);
    s_strings_push(&self->args, envelope_json);
    self->event_count++;
}

void
cm_commit_idempotency(cm_commit_t *self, const char *key,
                      const char *fingerprint, const char *response,
                      int64_t ttl_ms)
{
    assert(self && fingerprint && response && ttl_ms > 0);
    s_begin_op(self, "I", key);
    s_strings_push(&self->args, fingerprint);
    s_strings_push(&self->args, response);
    s_strings_push_int(&self->args, ttl_ms);
}

void
cm_commit_dedupe(cm_commit_t *self, const char *key, int64_t ttl_ms)
{
    assert(self && ttl_ms > 0);
    s_begin_op(self, "M", key);
    s_strings_push_int(&self->args, ttl_ms);
}

size_t
cm_commit_size(const cm_commit_t *self)
{
    assert(self);
    return self->args.count;
}

bool
cm_commit_is_empty(const cm_commit_t *self)
{
    assert(self);
    return self->args.count == 0;
}

// argv for FCALL sm_commit <numkeys> KEYS... ARGV...; the caller frees the
// array only (the strings are borrowed from the commit).
const char **
cm_commit_argv(const cm_commit_t *commit, char *numkeys, size_t size, int *argc)
{
    size_t n = 3 + commit->keys.count + commit->args.count;
    const char **argv = calloc(n, sizeof(char *));
    assert(argv);
    snprintf(numkeys, size, "%zu", commit->keys.count);
    argv[0] = "FCALL";
    argv[1] = "sm_commit";
    argv[2] = numkeys;
    size_t at = 3;
    for (size_t i = 0; i < commit->keys.count; i++) {
        argv[at++] = commit->keys.items[i];
    }
    for (size_t i = 0; i < commit->args.count; i++) {
        argv[at++] = commit->args.items[i];
    }
    *argc = (int)n;
    return argv;
}
