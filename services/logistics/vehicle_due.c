#include "vehicle_due.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_log.h"
#include "cm_time.h"
#include "events/logistics.h"
#include "logistics.h"
#include "vehicle.h"

#define S_LEASE_MS 30000
#define S_BATCH    32
#define S_RETRY_MS 5000 // a request not written: tried again then
#define S_DATE_MAX 16

static const char *
s_timers_key(char *buf)
{
    return logistics_key(buf, "timers", "service_due");
}

// 00:00 UTC of the vehicle's next service date, or 0 when it has none or
// is retired.
static int64_t
s_due_ms(const json_t *doc)
{
    const char *date = cm_doc_string(doc, "next_service_date");
    if (!date || strcmp(cm_doc_text(doc, "status"), "retired") == 0) {
        return 0;
    }
    char text[40];
    int64_t ms = 0;
    snprintf(text, sizeof text, "%.10sT00:00:00Z", date);
    return cm_time_parse(text, &ms) == 0 ? ms : 0;
}

void
vehicle_due_indexes(cm_commit_t *commit, const json_t *old, const json_t *doc,
                    int64_t now_ms)
{
    (void)now_ms; // scored by the date
    int64_t due = s_due_ms(doc);
    if (old && s_due_ms(old) == due) {
        return; // nothing moved: a fired timer stays fired
    }
    char key[CM_STORE_KEY_MAX];
    if (due > 0) {
        cm_commit_index_add(commit, s_timers_key(key), cm_doc_text(doc, "id"),
                            due);
    } else {
        cm_commit_index_remove(commit, s_timers_key(key),
                               cm_doc_text(doc, "id"));
    }
}

static json_t *
s_request_for(const json_t *doc, const char *key, const char *title)
{
    return json_pack("{s:{s:s, s:s, s:s, s:s, s:{s:s, s:O}}}", "request", "key",
                     key, "department", LOGISTICS_DEPARTMENT, "title", title,
                     "kind", "vehicle_service", "source", "type", "vehicle",
                     "id", json_object_get(doc, "id"));
}

static json_t *
s_request(const json_t *doc, const char *date)
{
    char key[CM_ID_MAX + S_DATE_MAX], title[160];
    snprintf(key, sizeof key, "%s/%s", cm_doc_text(doc, "id"), date);
    snprintf(title, sizeof title, "Service of vehicle %s (due %s)",
             cm_doc_text(doc, "plate"), date);
    return s_request_for(doc, key, title);
}

json_t *
vehicle_due_by_mileage(json_t *doc)
{
    int64_t mark = cm_doc_integer(doc, "next_service_km");
    if (mark <= 0 || cm_doc_integer(doc, "odometer_km") < mark
        || cm_doc_integer(doc, "service_requested_km") == mark
        || strcmp(cm_doc_text(doc, "status"), "retired") == 0) {
        return NULL;
    }
    json_object_set_new(doc, "service_requested_km", json_integer(mark));
    char key[CM_ID_MAX + 32], title[160];
    snprintf(key, sizeof key, "%s/km%" PRId64, cm_doc_text(doc, "id"), mark);
    snprintf(title, sizeof title,
             "Service of vehicle %s (due at %" PRId64 " km)",
             cm_doc_text(doc, "plate"), mark);
    return s_request_for(doc, key, title);
}

// The service request of one vehicle whose timer fell due, in one commit.
// The timer's next due time: 0 when done or nothing is to be asked, soon
// again when it could not be written.
static int64_t
s_request_one(cm_store_t *store, const char *id, int64_t now_ms)
{
    json_t *doc = NULL;
    int64_t version = 0;
    int read = cm_doc_read(store, &vehicle_type, id, &doc, &version);
    if (read != 0) {
        return read == CM_ENOTFOUND ? 0 : now_ms + S_RETRY_MS;
    }
    char date[S_DATE_MAX];
    snprintf(date, sizeof date, "%.10s", cm_doc_text(doc, "next_service_date"));
    int64_t due = s_due_ms(doc);
    if (due == 0 || due > now_ms
        || strcmp(cm_doc_text(doc, "service_requested_for"), date) == 0) {
        json_decref(doc);
        return 0; // moved, retired or already asked
    }
    json_t *old = json_deep_copy(doc);
    json_t *actor =
        json_pack("{s:s, s:s}", "id", LOGISTICS_OWNER, "role", LOGISTICS_OWNER);
    json_object_set_new(doc, "service_requested_for", json_string(date));
    cm_doc_history_add(doc, actor, "service_due", NULL, NULL, NULL,
                       json_pack("{s:s}", "date", date), now_ms);
    cm_commit_t *commit = cm_commit_new(LOGISTICS_OWNER);
    int rc = cm_doc_commit(commit, &vehicle_type, old, doc, version, now_ms);
    rc = rc ? rc
            : cm_doc_event_add(commit, &vehicle_type,
                               LOGISTICS_EVENT_VEHICLE_WORK_REQUESTED, doc,
                               version + 1, actor, NULL, s_request(doc, date));
    char key[CM_STORE_KEY_MAX];
    cm_commit_index_remove(commit, s_timers_key(key), id);
    cm_commit_result_t result;
    int64_t next = now_ms + S_RETRY_MS;
    if (rc == 0 && cm_store_commit(store, commit, &result) == 0) {
        if (result.outcome == CM_COMMIT_OK) {
            cm_log_notice("logistics.vehicle.service_requested", "vehicle", id,
                          "date", date);
            next = 0;
        }
        cm_commit_result_clear(&result);
    }
    cm_commit_destroy(&commit);
    json_decref(actor);
    json_decref(old);
    json_decref(doc);
    return next;
}

void
vehicle_due_tick(cm_store_t *store, int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX];
    char **due = NULL;
    size_t count = 0;
    if (cm_store_timer_claim(store, s_timers_key(key), now_ms, S_LEASE_MS,
                             S_BATCH, &due, &count)
        != 0) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        int64_t next = s_request_one(store, due[i], now_ms);
        // A commit that moved the timer since the claim (a new date, or
        // the request itself) keeps it as it is.
        cm_store_timer_settle(store, key, due[i], now_ms + S_LEASE_MS, next);
    }
    cm_store_strings_free(&due, count);
}
