// bench/http worker — stands in for personnel (token resolution) and a
// routed service while the real ones are not ready: answers every request
// of its service at once. Usage: http <broker endpoint> <service> [credit]
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_log.h"
#include "cm_mdp_worker.h"

static char *
s_reply(const char *service, const char *text)
{
    json_t *request = json_loads(text, 0, NULL);
    if (!request) {
        return NULL;
    }
    json_t *body = strcmp(service, "personnel") == 0
                       ? json_pack("{s:s, s:s, s:s}", "id", "ST-1", "role",
                                   "station_head", "department", "management")
                       : json_pack("{s:s, s:s}", "id", "CS-1", "state", "open");
    json_t *reply = cm_envelope_reply_new(request, 200, NULL, body);
    char *out = json_dumps(reply, JSON_COMPACT);
    json_decref(reply);
    json_decref(body);
    json_decref(request);
    return out;
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s ENDPOINT SERVICE [CREDIT]\n", argv[0]);
        return 2;
    }
    zsys_init();
    zsys_set_logstream(stderr);
    cm_log_init("bench-worker", argv[2]);
    int credit = argc > 3 ? atoi(argv[3]) : 64;
    cm_mdp_worker_t *worker = cm_mdp_worker_new(argv[1], argv[2], credit, 0);
    while (worker && !zsys_interrupted) {
        zframe_t *reply_to = NULL;
        char *text = cm_mdp_worker_recv(worker, 100, &reply_to);
        if (!text) {
            continue;
        }
        char *reply = s_reply(argv[2], text);
        if (reply) {
            cm_mdp_worker_send(worker, reply, &reply_to);
        }
        zframe_destroy(&reply_to);
        free(reply);
        free(text);
    }
    cm_mdp_worker_destroy(&worker);
    return 0;
}
