#include "test_logistics_stack.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_outbox.h"
#include "cm_redis.h"

http_stack_t log_stack;

static const http_stack_person_t s_people[LOG_PEOPLE] = {
    {"Station head", "station_head", "management"},
    {"Logistics head", "dept_head", "logistics"},
    {"Clerk One", "logistics", "logistics"},
    {"Clerk Away", "logistics", "tech"},
    {"Tech head", "dept_head", "tech"},
    {"Tech One", "technician", "tech"},
    {"Driver One", "technician", "tech"},
    {"Driver Two", "logistics", "logistics"},
    {"Auditor One", "auditor", "management"},
    {"Deputy One", "deputy_head", "management"},
};

int
log_http(log_who_t who, const char *method, const char *path, const char *body,
         const char *extra, json_t **out)
{
    return http_stack_call(&log_stack, (int)who, method, path, body, extra,
                           out);
}

json_t *
log_expect(int status, log_who_t who, const char *method, const char *path,
           const char *body)
{
    return http_stack_expect(&log_stack, status, (int)who, method, path, body);
}

const char *
log_str(const json_t *object, const char *member)
{
    return http_stack_text(object, member);
}

long long
log_int(const json_t *object, const char *member)
{
    const json_t *value = json_object_get(object, member);
    return json_is_integer(value) ? (long long)json_integer_value(value) : 0;
}

const char *
log_error_for(const json_t *problem, const char *field)
{
    const json_t *errors = json_object_get(problem, "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        if (strcmp(log_str(e, "field"), field) == 0) {
            return log_str(e, "message");
        }
    }
    return NULL;
}

static void
s_people_create(void)
{
    http_stack_department(&log_stack, "logistics");
    http_stack_department(&log_stack, "tech");
    for (int who = LOG_LOG_HEAD; who < LOG_PEOPLE; who++) {
        http_stack_person(&log_stack, who, NULL, NULL, NULL);
    }
    http_stack_set_head(&log_stack, "logistics", LOG_LOG_HEAD, -1);
    http_stack_set_head(&log_stack, "tech", LOG_TECH_HEAD, LOG_DEPUTY);
}

// logistics's org view knows both heads, the deputy and the last person.
static bool
s_org_ready(void *arg)
{
    (void)arg; // nothing to pass
    char *text =
        harness_redis_cmd(&log_stack.redis, "HGET",
                          "sm:{logistics}:org:department:logistics", "doc");
    bool ready = text && strstr(text, log_stack.ids[LOG_LOG_HEAD]);
    free(text);
    char *tech = harness_redis_cmd(&log_stack.redis, "HGET",
                                   "sm:{logistics}:org:department:tech", "doc");
    ready = ready && tech && strstr(tech, log_stack.ids[LOG_DEPUTY]);
    free(tech);
    char key[96];
    snprintf(key, sizeof key, "sm:{logistics}:org:staff:%s",
             log_stack.ids[LOG_DEPUTY]);
    char *staff = harness_redis_cmd(&log_stack.redis, "HGET", key, "doc");
    ready = ready && staff;
    free(staff);
    return ready;
}

static bool
s_routed(void *arg)
{
    (void)arg; // nothing to pass
    return log_http(LOG_HEAD, "GET", "/v1/vehicles", NULL, NULL, NULL) == 200;
}

static bool
s_hazards_routed(void *arg)
{
    (void)arg; // nothing to pass
    return log_http(LOG_HEAD, "GET", "/v1/hazards", NULL, NULL, NULL) == 200;
}

static void
s_setup(const char *const *services)
{
    static const char *const env[] = {"SM_GATEWAY__RATE_PER_S=100000",
                                      "SM_GATEWAY__BURST=100000", NULL};
    const http_stack_def_t def = {.boot_token = LOG_BOOT_TOKEN,
                                  .services = services,
                                  .env = env,
                                  .people = s_people,
                                  .people_count = LOG_PEOPLE};
    http_stack_start(&log_stack, &def);
    http_stack_require(&log_stack,
                       http_stack_wait(s_routed, NULL, HARNESS_WAIT_MS),
                       "logistics not routed");
    s_people_create();
    http_stack_require(&log_stack,
                       http_stack_wait(s_org_ready, NULL, HARNESS_WAIT_MS),
                       "logistics never saw the org chart");
}

void
log_stack_setup(void)
{
    static const char *const services[] = {"logistics", NULL};
    s_setup(services);
}

void
log_stack_setup_safety(void)
{
    static const char *const services[] = {"logistics", "safety-audit", NULL};
    s_setup(services);
    http_stack_require(&log_stack,
                       http_stack_wait(s_hazards_routed, NULL, HARNESS_WAIT_MS),
                       "safety-audit not routed");
}

void
log_stack_teardown(void)
{
    http_stack_stop(&log_stack);
}

// Counting the outbox entries of one type whose envelope names a subject.
typedef struct {
    const char *type;    // event type
    const char *subject; // "\"trip/TR-3\"" as it appears in the envelope
    int n;
} s_count_t;

static int
s_count(const cm_event_t *event, void *arg)
{
    s_count_t *count = arg;
    count->n += strcmp(event->type, count->type) == 0
                && strstr(event->envelope, count->subject) != NULL;
    return 0;
}

int
log_outbox_count(const char *type, const char *subject)
{
    cm_redis_t *redis =
        cm_redis_new("127.0.0.1", log_stack.redis.port, "", 2000);
    ck_assert_ptr_nonnull(redis);
    s_count_t count = {type, subject, 0};
    ck_assert_int_ge(cm_outbox_range(redis, "sm:{logistics}:outbox", "0-0",
                                     100000, s_count, &count),
                     0);
    cm_redis_destroy(&redis);
    return count.n;
}
