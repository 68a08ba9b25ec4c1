#include "gateway_cloudevent.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_time.h"
#include "cm_validate.h"

json_t *
gateway_cloudevent_check(const json_t *event)
{
    json_t *problem = NULL;
    if (!cm_validate_object(event, &problem)) {
        return problem;
    }
    cm_validate_keys(event, GATEWAY_CLOUDEVENT_FIELDS, &problem);
    cm_validate_string(event, "id", CM_VALIDATE_REQUIRED, &problem);
    cm_validate_string(event, "source", CM_VALIDATE_REQUIRED, &problem);
    cm_validate_string(event, "type", CM_VALIDATE_REQUIRED, &problem);
    cm_validate_enum(event, "specversion", "1.0", CM_VALIDATE_REQUIRED,
                     &problem);
    cm_validate_string(event, "subject", CM_VALIDATE_OPTIONAL, &problem);
    cm_validate_string(event, "datacontenttype", CM_VALIDATE_OPTIONAL,
                       &problem);
    if (cm_validate_string(event, "time", CM_VALIDATE_REQUIRED, &problem)) {
        int64_t ms = 0;
        const char *time = json_string_value(json_object_get(event, "time"));
        if (time && cm_time_parse(time, &ms) != 0) {
            cm_validate_fail(&problem, "time", "must be an RFC 3339 time");
        }
    }
    json_t *data = json_object_get(event, "data");
    if (!json_is_object(data)) {
        cm_validate_fail(&problem, "data",
                         data ? "must be an object" : "is required");
    }
    return problem;
}

const char *
gateway_cloudevent_seen_key(const json_t *event, char *key, size_t size)
{
    const char *source = json_string_value(json_object_get(event, "source"));
    const char *id = json_string_value(json_object_get(event, "id"));
    char joined[2048];
    int length = snprintf(joined, sizeof joined, "%s\n%s", source ? source : "",
                          id ? id : "");
    if (length < 0 || (size_t)length >= sizeof joined) {
        length = (int)sizeof joined - 1;
    }
    char hex[GATEWAY_SHA256_HEX];
    gateway_sha256_hex(joined, (size_t)length, hex);
    snprintf(key, size, "sm:{%s}:seen:%s", GATEWAY_INGEST_OWNER, hex);
    return key;
}

json_t *
gateway_cloudevent_envelope(const json_t *event, const json_t *actor,
                            const char *correlation_id)
{
    const char *id = json_string_value(json_object_get(event, "id"));
    const char *subject = json_string_value(json_object_get(event, "subject"));
    char fallback[512];
    if (!subject) {
        snprintf(fallback, sizeof fallback, "event/%s", id ? id : "");
        subject = fallback;
    }
    cm_envelope_event_t fields = {
        .type = json_string_value(json_object_get(event, "type")),
        .source = json_string_value(json_object_get(event, "source")),
        .subject = subject,
        .version = 1,
        .correlation_id = correlation_id,
        .actor = actor,
        .data = json_object_get(event, "data"),
    };
    json_t *envelope = cm_envelope_event_new(&fields);
    if (envelope) {
        json_object_set(envelope, "time", json_object_get(event, "time"));
    }
    return envelope;
}
