#include "broker_service.h"

#include <stdlib.h>

#include "cm_log.h"

void
broker_request_destroy(broker_request_t **request_p)
{
    broker_request_t *request = *request_p;
    if (request) {
        zframe_destroy(&request->client);
        zframe_destroy(&request->body);
        free(request);
        *request_p = NULL;
    }
}
bool
broker_request_is_expired(const broker_request_t *request, int64_t now_ms)
{
    return request->deadline_ms <= now_ms;
}

void
broker_request_expire(broker_request_t **request_p)
{
    broker_request_t *request = *request_p;
    request->service->expired++;
    cm_log_info("broker.request.expired", "service", request->service->name,
                "req_id", request->id);
    broker_request_destroy(request_p);
}
void
broker_service_destroy(void **item)
{
    broker_service_t *service = *item;
    if (service) {
        broker_request_t *request = zlistx_first(service->queue);
        while (request) {
            broker_request_destroy(&request);
            request = zlistx_next(service->queue);
        }
        zlistx_destroy(&service->queue);
        zlistx_destroy(&service->workers);
        free(service->name);
        free(service);
        *item = NULL;
    }
}
void
broker_worker_free(void **item)
{
    broker_worker_t *worker = *item;
    if (worker) {
        zlistx_destroy(&worker->held);
        zframe_destroy(&worker->identity);
        free(worker->key);
        free(worker);
        *item = NULL;
    }
}
// The worker with the fewest requests in flight that still has credit;
// among equals the one picked longest ago: the pick moves to the end of
// the list, so a light load still goes round every replica instead of
// always to the first that registered.
broker_worker_t *
broker_service_pick_worker(broker_service_t *service)
{
    broker_worker_t *best = NULL;
    void *best_handle = NULL;
    broker_worker_t *worker = zlistx_first(service->workers);
    while (worker) {
        size_t held = zlistx_size(worker->held);
        if (held < (size_t)worker->credit
            && (!best || held < zlistx_size(best->held))) {
            best = worker;
            best_handle = zlistx_cursor(service->workers);
        }
        worker = zlistx_next(service->workers);
    }
    if (best_handle) {
        zlistx_move_end(service->workers, best_handle);
    }
    return best;
}
