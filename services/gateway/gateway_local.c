#include "gateway_local.h"

#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "gateway_checks.h"
#include "gateway_request.h"
#include "gateway_response.h"
#include "gateway_wire.h"

// No request could be made (out of memory): a 500 of the front's own.
static void
s_fail(const gateway_conn_local_t *local, gateway_queue_t *replies)
{
    gateway_wire_error_t error = {500, "internal", "out of memory"};
    gateway_reply_t *reply = calloc(1, sizeof *reply);
    if (!reply) {
        return;
    }
    reply->conn_id = local->conn_id;
    reply->seq = local->seq;
    reply->close = true;
    reply->data = gateway_wire_problem(&error, &reply->size);
    if (gateway_queue_push(replies, reply) != 0) {
        gateway_reply_destroy(&reply);
    }
}

void
gateway_local_serve(void *arg, const gateway_conn_local_t *local,
                    gateway_queue_t *replies)
{
    gateway_t *gateway = arg;
    gateway_request_origin_t origin = {replies, local->conn_id, local->seq,
                                       local->is_head, local->close};
    gateway_request_t *request =
        gateway_request_new_front(gateway, local->head, local->head_size,
                                  local->body, local->body_size, &origin);
    if (!request) {
        cm_log_warn("front.request_failed", "reason", "out of memory");
        s_fail(local, replies);
        return;
    }
    gateway_checks_begin(request, GATEWAY_KIND_ROUTED);
    gateway_checks_dispatch(request);
}
