#include "cm_mdp.h"

#include <stdint.h>
#include <string.h>

static const char *s_command_names[] = {NULL,    "READY",     "REQUEST",
                                        "REPLY", "HEARTBEAT", "DISCONNECT"};

const char *
cm_mdp_command_name(int command)
{
    if (command < CM_MDP_READY || command > CM_MDP_DISCONNECT) {
        return NULL;
    }
    return s_command_names[command];
}

int
cm_mdp_command_parse(const void *data, size_t size)
{
    if (!data || size != 1) {
        return -1;
    }
    int command = *(const uint8_t *)data;
    return cm_mdp_command_name(command) ? command : -1;
}

bool
cm_mdp_service_is_valid(const void *name, size_t size)
{
    if (!name || size == 0 || size >= CM_MDP_SERVICE_MAX) {
        return false;
    }
    const char *text = name;
    for (size_t i = 0; i < size; i++) {
        char c = text[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'
                  || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

int64_t
cm_mdp_overdue_ms(int64_t *last_ms, int64_t now_ms, int64_t interval_ms)
{
    int64_t overdue = now_ms - *last_ms - interval_ms;
    *last_ms = now_ms;
    return overdue > 0 ? overdue : 0;
}
