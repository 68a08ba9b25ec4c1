// cm_events — what cm_consumer.c and cm_live.c share (cm_events.h).
#include "cm_events.h"

#include <assert.h>

#include "cm_curve.h"

zsock_t *
cm_events_sub_new(const char *endpoint)
{
    zsock_t *sub = zsock_new(ZMQ_SUB);
    assert(sub);
    // Options first: most apply only to later connects (docs/libraries.md).
    zsock_set_rcvhwm(sub, CM_EVENTS_RCVHWM);
    zsock_set_subscribe(sub, CM_EVENTS_HELLO);
    if (cm_curve_client(sub, "hub") != 0
        || zsock_connect(sub, "%s", endpoint) != 0) {
        zsock_destroy(&sub);
    }
    return sub;
}
