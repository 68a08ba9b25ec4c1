#include "case_event.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "case.h"
#include "case_store.h"
#include "cm_envelope.h"
#include "cm_outbox.h"

#define S_SUBJECT_MAX 128

static int
s_add(cm_commit_t *commit, const char *type, const char *subject,
      int64_t version, const json_t *data, const json_t *actor,
      const char *correlation_id)
{
    cm_envelope_event_t fields = {
        .type = type,
        .source = CASE_OWNER,
        .subject = subject,
        .version = version,
        .correlation_id = correlation_id,
        .actor = json_is_object(actor) ? actor : NULL,
        .data = data,
    };
    return cm_outbox_append(commit, &fields);
}

int
case_event_add(cm_commit_t *commit, const char *type, const json_t *doc,
               int64_t version, json_t *extra, const json_t *actor,
               const char *correlation_id)
{
    assert(commit && type && doc);
    char subject[S_SUBJECT_MAX];
    snprintf(subject, sizeof subject, "case/%s", case_string(doc, "id"));
    json_t *data = case_summary(doc);
    if (extra) {
        json_object_update_missing(data, extra);
        json_decref(extra);
    }
    int rc = s_add(commit, type, subject, version, data, actor, correlation_id);
    json_decref(data);
    return rc;
}

int
customer_event_add(cm_commit_t *commit, const char *type, const json_t *doc,
                   int64_t version, const json_t *actor,
                   const char *correlation_id)
{
    assert(commit && type && doc);
    char subject[S_SUBJECT_MAX];
    snprintf(subject, sizeof subject, "customer/%s", case_string(doc, "id"));
    json_t *data = json_deep_copy(doc);
    assert(data);
    json_object_set_new(data, "version", json_integer(version));
    int rc = s_add(commit, type, subject, version, data, actor, correlation_id);
    json_decref(data);
    return rc;
}
