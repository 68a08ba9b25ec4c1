#include "gateway_response.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cm_status.h"

void
gateway_response_init(gateway_response_t *self, int status)
{
    self->status = status;
    self->count = 0;
    self->numbers_used = 0;
}

static gateway_response_field_t *
s_find(const gateway_response_t *self, const char *name)
{
    for (size_t i = 0; i < self->count; i++) {
        if (strcasecmp(self->fields[i].name, name) == 0) {
            return (gateway_response_field_t *)&self->fields[i];
        }
    }
    return NULL;
}

void
gateway_response_set(gateway_response_t *self, const char *name,
                     const char *value)
{
    gateway_response_field_t *field = s_find(self, name);
    if (field) {
        field->value = value;
    } else if (self->count < GATEWAY_RESPONSE_FIELDS_MAX) {
        self->fields[self->count++] = (gateway_response_field_t){name, value};
    }
}

void
gateway_response_set_number(gateway_response_t *self, const char *name,
                            long long value)
{
    if (self->numbers_used < GATEWAY_RESPONSE_FIELDS_MAX) {
        char *text = self->numbers[self->numbers_used++];
        snprintf(text, sizeof self->numbers[0], "%lld", value);
        gateway_response_set(self, name, text);
    }
}

const char *
gateway_response_get(const gateway_response_t *self, const char *name)
{
    const gateway_response_field_t *field = s_find(self, name);
    return field ? field->value : NULL;
}

char *
gateway_response_render(const gateway_response_t *self, const void *body,
                        size_t size, bool omit_body, bool close,
                        size_t *out_size)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, out_size);
    assert(out);
    fprintf(out, "HTTP/1.1 %d %s\r\n", self->status,
            cm_status_title(self->status));
    for (size_t i = 0; i < self->count; i++) {
        const gateway_response_field_t *field = &self->fields[i];
        if (strcasecmp(field->name, "Content-Length") != 0
            && strcasecmp(field->name, "Connection") != 0) {
            fprintf(out, "%s: %s\r\n", field->name, field->value);
        }
    }
    fprintf(out, "Content-Length: %zu\r\n%s\r\n", size,
            close ? "Connection: close\r\n" : "");
    if (!omit_body && size > 0) {
        fwrite(body, 1, size, out);
    }
    fclose(out);
    assert(text);
    return text;
}

void
gateway_reply_destroy(gateway_reply_t **self_p)
{
    if (self_p && *self_p) {
        free((*self_p)->data);
        free(*self_p);
        *self_p = NULL;
    }
}
