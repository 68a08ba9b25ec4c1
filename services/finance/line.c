#include "line.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_stream.h"
#include "cm_time.h"
#include "finance.h"

#define S_FIGURES 4 // amount committed actual available

static const char *const s_fields[S_FIGURES] = {"amount", "committed", "actual",
                                                LINE_FIELD_AVAIL};

const char *
line_key(const char *ref, char *buf)
{
    return finance_key(buf, "line", ref);
}

const char *
line_movements_key(const char *ref, char *buf)
{
    char id[LINE_REF_MAX + 16];
    snprintf(id, sizeof id, "movements:%s", ref);
    return finance_key(buf, "ledger", id);
}

const char *
line_year_key(int year, char *buf)
{
    char id[16];
    snprintf(id, sizeof id, "%d", year);
    return finance_key(buf, "fiscalyear", id);
}

bool
line_ref_split(const char *ref, char *budget, char *line)
{
    const char *slash = ref ? strchr(ref, '/') : NULL;
    if (!slash || slash == ref || (size_t)(slash - ref) >= CM_ID_MAX
        || strlen(slash + 1) == 0 || strlen(slash + 1) >= CM_ID_MAX
        || strchr(slash + 1, '/')) {
        return false;
    }
    snprintf(budget, CM_ID_MAX, "%.*s", (int)(slash - ref), ref);
    snprintf(line, CM_ID_MAX, "%s", slash + 1);
    return true;
}

// The line's data from its budget document (approved or closed budgets
// only): 0, CM_ENOTFOUND or a store status.
static int
s_read_info(cm_store_t *store, const char *ref, json_t **info)
{
    char budget[CM_ID_MAX], id[CM_ID_MAX], key[CM_STORE_KEY_MAX];
    if (!line_ref_split(ref, budget, id)) {
        return CM_ENOTFOUND;
    }
    cm_doc_t stored;
    int rc = cm_store_get(store, finance_key(key, "budget", budget), &stored);
    if (rc != 0) {
        return rc;
    }
    json_t *doc = json_loads(stored.json, 0, NULL);
    cm_doc_clear(&stored);
    const char *state = cm_doc_state(doc);
    rc = CM_ENOTFOUND;
    const json_t *lines = json_object_get(doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        if (strcmp(cm_doc_text(line, "id"), id) == 0
            && (strcmp(state, "approved") == 0
                || strcmp(state, "closed") == 0)) {
            *info = json_deep_copy(line);
            json_object_set(*info, "year", json_object_get(doc, "year"));
            json_object_set_new(*info, "budget", json_string(budget));
            rc = 0;
        }
    }
    json_decref(doc);
    return rc;
}

int
line_read(cm_store_t *store, const char *ref, line_t *line)
{
    assert(store && ref && line);
    memset(line, 0, sizeof *line);
    snprintf(line->ref, sizeof line->ref, "%s", ref);
    int rc = s_read_info(store, ref, &line->info);
    if (rc != 0) {
        return rc;
    }
    char key[CM_STORE_KEY_MAX];
    int64_t values[S_FIGURES];
    const char *keys[] = {line_key(ref, key)};
    rc = cm_store_counters(store, keys, 1, s_fields, S_FIGURES, values);
    if (rc == 0) {
        char year_key[CM_STORE_KEY_MAX];
        const char *closed[] = {LINE_FIELD_CLOSED};
        const char *years[] = {
            line_year_key((int)cm_doc_integer(line->info, "year"), year_key)};
        rc = cm_store_counters(store, years, 1, closed, 1, &line->closed);
    }
    if (rc != 0) {
        line_clear(line);
        return rc;
    }
    line->amount = values[0];
    line->committed = values[1];
    line->actual = values[2];
    line->available = values[3];
    return 0;
}

void
line_clear(line_t *line)
{
    if (line) {
        json_decref(line->info);
        line->info = NULL;
    }
}

const char *
line_text(const line_t *line, const char *member)
{
    return cm_doc_string(line->info, member);
}

static void
s_counter(cm_commit_t *commit, const char *key, const char *field,
          int64_t delta, int64_t min)
{
    if (delta != 0) {
        cm_commit_counter(commit, key, field, delta, min, CM_COUNTER_NO_MAX);
    }
}

// The ledger entry of a movement.
static char *
s_entry_text(const line_movement_t *m, int64_t now_ms)
{
    char at[40];
    json_t *entry = json_pack(
        "{s:s, s:I, s:I, s:I, s:{s:s?, s:s?, s:s?}, s:s, s:s?, s:s?}", "kind",
        m->kind, "amount", (json_int_t)m->amount, "committed",
        (json_int_t)m->committed, "actual", (json_int_t)m->actual, "document",
        "type", m->doc_type, "id", m->doc_id, "step", m->step, "at",
        cm_time_format(now_ms, at), "by", m->actor, "note", m->note);
    assert(entry);
    char *text = json_dumps(entry, JSON_COMPACT);
    assert(text);
    json_decref(entry);
    return text;
}

void
line_commit_movement(cm_commit_t *commit, const line_t *line,
                     const line_movement_t *m, int64_t now_ms)
{
    assert(commit && line && m && m->kind);
    char key[CM_STORE_KEY_MAX];
    char ledger[CM_STORE_KEY_MAX];
    char year[CM_STORE_KEY_MAX];
    char *text = s_entry_text(m, now_ms);
    cm_commit_ledger(commit, line_movements_key(line->ref, ledger), text);
    free(text);
    line_key(line->ref, key);
    int64_t available = m->amount - m->committed - m->actual;
    const char *control = line_text(line, "control");
    bool bounded = (control && strcmp(control, "stop") == 0)
                   || (strcmp(m->kind, "adjust") == 0 && m->amount < 0);
    s_counter(commit, key, "amount", m->amount, 0);
    s_counter(commit, key, "committed", m->committed, 0);
    s_counter(commit, key, "actual", m->actual, 0);
    s_counter(commit, key, LINE_FIELD_AVAIL, available,
              bounded && available < 0 ? 0 : CM_COUNTER_NO_MIN);
    // The fiscal year must be open: a zero delta bounded above by 0.
    cm_commit_counter(
        commit, line_year_key((int)cm_doc_integer(line->info, "year"), year),
        LINE_FIELD_CLOSED, 0, CM_COUNTER_NO_MIN, 0);
}

void
line_commit_open(cm_commit_t *commit, const char *ref, const json_t *info,
                 int64_t amount, const char *budget, const char *actor,
                 int64_t now_ms)
{
    line_t line = {.info = (json_t *)info};
    snprintf(line.ref, sizeof line.ref, "%s", ref);
    line_movement_t m = {.kind = "adjust",
                         .amount = amount,
                         .doc_type = "budget",
                         .doc_id = budget,
                         .step = "approve",
                         .actor = actor,
                         .note = "budget approved"};
    line_commit_movement(commit, &line, &m, now_ms);
}

json_t *
line_figures(const line_t *line)
{
    int64_t used = line->committed + line->actual;
    double percent =
        line->amount > 0 ? 100.0 * (double)used / (double)line->amount : 0.0;
    json_t *figures = json_pack("{s:s, s:I, s:I, s:I, s:I, s:f}", "line",
                                line->ref, "amount", (json_int_t)line->amount,
                                "committed", (json_int_t)line->committed,
                                "actual", (json_int_t)line->actual, "available",
                                (json_int_t)line->available, "percent_used",
                                (double)(int64_t)(percent * 100) / 100);
    assert(figures);
    return figures;
}

// Sum every movement of the line into sums[amount, committed, actual].
static int
s_sum_movements(cm_store_t *store, const char *ref, int64_t *sums,
                int64_t *count)
{
    char key[CM_STORE_KEY_MAX];
    line_movements_key(ref, key);
    char after[CM_STREAM_ID_MAX] = "";
    for (;;) {
        cm_stream_page_t page;
        int rc = cm_stream_read(store, key, after[0] ? after : NULL, NULL, NULL,
                                LINE_PAGE, false, &page);
        if (rc != 0) {
            return rc;
        }
        for (size_t i = 0; i < page.count; i++) {
            const json_t *m = json_array_get(page.entries, i);
            sums[0] += cm_doc_integer(m, "amount");
            sums[1] += cm_doc_integer(m, "committed");
            sums[2] += cm_doc_integer(m, "actual");
        }
        *count += (int64_t)page.count;
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

int
line_verify(cm_store_t *store, const line_t *line, json_t **report)
{
    int64_t sums[3] = {0, 0, 0};
    int64_t count = 0;
    int rc = s_sum_movements(store, line->ref, sums, &count);
    if (rc != 0) {
        return rc;
    }
    line_t again = {.amount = sums[0],
                    .committed = sums[1],
                    .actual = sums[2],
                    .available = sums[0] - sums[1] - sums[2]};
    snprintf(again.ref, sizeof again.ref, "%s", line->ref);
    bool same =
        again.amount == line->amount && again.committed == line->committed
        && again.actual == line->actual && again.available == line->available;
    *report =
        json_pack("{s:s, s:o, s:o, s:I, s:b}", "line", line->ref, "stored",
                  line_figures(line), "recomputed", line_figures(&again),
                  "movements", (json_int_t)count, "consistent", same);
    assert(*report);
    return 0;
}
