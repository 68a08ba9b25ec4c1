#include "cm_csv.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// A growing text buffer.
typedef struct {
    char *data;
    size_t size;
    size_t used;
    bool failed;
} s_text_t;

static void
s_put(s_text_t *t, const char *text, size_t n)
{
    if (t->failed) {
        return;
    }
    if (t->used + n + 1 > t->size) {
        size_t size = t->size ? t->size : 256;
        while (t->used + n + 1 > size) {
            size *= 2;
        }
        char *data = realloc(t->data, size);
        if (!data) {
            t->failed = true;
            return;
        }
        t->data = data;
        t->size = size;
    }
    memcpy(t->data + t->used, text, n);
    t->used += n;
    t->data[t->used] = '\0';
}

// One field, quoted when it must be.
static void
s_field(s_text_t *t, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        s_put(t, text, strlen(text));
        return;
    }
    s_put(t, "\"", 1);
    for (const char *p = text; *p; p++) {
        s_put(t, p, 1);
        if (*p == '"') {
            s_put(t, "\"", 1);
        }
    }
    s_put(t, "\"", 1);
}

static void
s_value(s_text_t *t, const json_t *value)
{
    if (!value || json_is_null(value)) {
        return;
    }
    if (json_is_string(value)) {
        s_field(t, json_string_value(value));
        return;
    }
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) {
        t->failed = true;
        return;
    }
    s_field(t, text);
    free(text);
}

char *
cm_csv_rows(const char *const *columns, const json_t *rows)
{
    assert(columns && columns[0]);
    s_text_t t = {0};
    for (size_t c = 0; columns[c]; c++) {
        if (c) {
            s_put(&t, ",", 1);
        }
        s_field(&t, columns[c]);
    }
    s_put(&t, "\r\n", 2);
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row)
    {
        for (size_t c = 0; columns[c]; c++) {
            if (c) {
                s_put(&t, ",", 1);
            }
            s_value(&t, json_object_get(row, columns[c]));
        }
        s_put(&t, "\r\n", 2);
    }
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    return t.data;
}
