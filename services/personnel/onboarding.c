#include "onboarding.h"

#include <jansson.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_log.h"
#include "cm_status.h"
#include "cm_time.h"
#include "events/personnel.h"
#include "events/safety.h"
#include "staff.h"

int
onboarding_on_event(cm_store_t *store, const cm_event_t *event,
                    cm_commit_t *commit, void *arg)
{
    (void)arg; // no configuration needed
    size_t n = strlen(SAFETY_EVENT_ONBOARDING_PREFIX);
    if (!event->type
        || strncmp(event->type, SAFETY_EVENT_ONBOARDING_PREFIX, n) != 0) {
        return 0;
    }
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    const json_t *data = json_object_get(envelope, "data");
    const char *id = cm_doc_string(data, "staff");
    json_t *old = NULL;
    int64_t version = 0;
    int rc =
        id ? cm_doc_read(store, &staff_type, id, &old, &version) : CM_ENOTFOUND;
    if (rc != 0) {
        if (rc == CM_ENOTFOUND) {
            cm_log_warn("onboarding.unknown_staff", "type", event->type,
                        "staff", id ? id : "");
        }
        json_decref(envelope);
        return rc == CM_ENOTFOUND ? 0 : rc;
    }
    const char *status = json_is_true(json_object_get(data, "complete"))
                             ? "trained"
                             : "untrained";
    const char *before = cm_doc_string(old, "training_status");
    rc = 0;
    if (!before || strcmp(before, status) != 0) {
        int64_t now = cm_time_now_ms();
        json_t *doc = json_deep_copy(old);
        json_object_set_new(doc, "training_status", json_string(status));
        json_t *actor =
            json_pack("{s:s, s:s}", "id", "safety-audit", "role", "system");
        cm_doc_history_add(doc, actor, "onboarding", cm_doc_state(old),
                           cm_doc_state(old), event->type,
                           json_pack("{s:s}", "training_status", status), now);
        if (cm_doc_commit(commit, &staff_type, old, doc, version, now) != 0
            || cm_doc_event_add(
                   commit, &staff_type, PERSONNEL_EVENT_STAFF_UPDATED, doc,
                   version + 1, actor, NULL,
                   json_pack("{s:s}", "changed", "training_status"))
                   != 0) {
            cm_log_error("onboarding.too_large", "staff", id);
        } else {
            cm_log_info("onboarding.applied", "staff", id, "training_status",
                        status);
        }
        json_decref(actor);
        json_decref(doc);
    }
    json_decref(old);
    json_decref(envelope);
    return rc;
}
