#include <poll.h>

#include "../gateway_queue.h"
#include "suites.h"

static bool
s_readable(int fd)
{
    struct pollfd item = {fd, POLLIN, 0};
    return poll(&item, 1, 0) == 1;
}

START_TEST(test_gateway_queue_batches)
{
    gateway_queue_t *queue = gateway_queue_new();
    int items[3] = {1, 2, 3};
    ck_assert(!s_readable(gateway_queue_fd(queue)));
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(gateway_queue_push(queue, &items[i]), 0);
    }
    ck_assert(s_readable(gateway_queue_fd(queue)));
    gateway_batch_t batch = {0};
    ck_assert_uint_eq(gateway_queue_take(queue, &batch), 3);
    ck_assert_ptr_eq(batch.items[0], &items[0]);
    ck_assert_ptr_eq(batch.items[2], &items[2]);
    ck_assert(!s_readable(gateway_queue_fd(queue)));
    gateway_batch_clear(&batch);
    gateway_queue_close(queue);
    ck_assert_int_eq(gateway_queue_push(queue, &items[0]), -1);
    ck_assert_uint_eq(gateway_queue_take(queue, &batch), 0);
    gateway_batch_clear(&batch);
    gateway_queue_destroy(&queue);
    ck_assert_ptr_null(queue);
}
END_TEST

Suite *
gateway_queue_suite(void)
{
    Suite *suite = suite_create("gateway_queue");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_queue_batches);
    suite_add_tcase(suite, core);
    return suite;
}
