// authz_table — reading the matrix tables and the spec's operations.
#include "authz.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_LINE_MAX 4096

// The next whitespace-separated word of *p into word; false at the end.
static bool
s_word(const char **p, char *word, size_t size)
{
    const char *s = *p;
    while (*s && isspace((unsigned char)*s)) {
        s++;
    }
    if (!*s) {
        return false;
    }
    size_t n = 0;
    while (s[n] && !isspace((unsigned char)s[n])) {
        n++;
    }
    snprintf(word, size, "%.*s", (int)n, s);
    *p = s + n;
    return true;
}

// The rest of the line, trimmed; "-" means none.
static void
s_rest(const char *p, char *out, size_t size)
{
    while (*p && isspace((unsigned char)*p)) {
        p++;
    }
    size_t n = strlen(p);
    while (n > 0 && isspace((unsigned char)p[n - 1])) {
        n--;
    }
    snprintf(out, size, "%.*s", (int)n, strcmp(p, "-") == 0 ? "" : p);
    if (n == 1 && p[0] == '-') {
        out[0] = '\0';
    }
}

static int
s_expect(const char *word, authz_expect_t *expect)
{
    if (strcmp(word, "ok") == 0) {
        *expect = AUTHZ_OK;
    } else if (strcmp(word, "403") == 0) {
        *expect = AUTHZ_403;
    } else if (strcmp(word, "404") == 0) {
        *expect = AUTHZ_404;
    } else if (strcmp(word, "hole") == 0) {
        *expect = AUTHZ_HOLE;
    } else if (strcmp(word, "409") == 0) {
        *expect = AUTHZ_409;
    } else {
        return -1;
    }
    return 0;
}

// "fixture NAME WHO METHOD PATH [>VAR] BODY" (or "once ...", or
// "fixture NAME - set VAR VALUE").
static int
s_step(authz_table_t *table, const char *kind, const char *p, int line)
{
    if (table->step_count >= AUTHZ_STEPS) {
        return -1;
    }
    authz_step_t *step = &table->steps[table->step_count++];
    memset(step, 0, sizeof *step);
    step->once = strcmp(kind, "once") == 0;
    step->line = line;
    if (!s_word(&p, step->fixture, sizeof step->fixture)
        || !s_word(&p, step->who, sizeof step->who)
        || !s_word(&p, step->method, sizeof step->method)
        || !s_word(&p, step->path, sizeof step->path)) {
        return -1;
    }
    const char *after = p;
    char word[sizeof step->capture + 1]; // ">" and the name
    if (s_word(&after, word, sizeof word) && word[0] == '>') {
        snprintf(step->capture, sizeof step->capture, "%s", word + 1);
        p = after;
    }
    s_rest(p, step->body, sizeof step->body);
    return 0;
}

static int
s_row(authz_table_t *table, const char *first, const char *p, int line)
{
    if (table->row_count >= AUTHZ_ROWS_MAX) {
        return -1;
    }
    authz_row_t *row = &table->rows[table->row_count++];
    memset(row, 0, sizeof *row);
    row->line = line;
    snprintf(row->operation, sizeof row->operation, "%s", first);
    if (!s_word(&p, row->fixture, sizeof row->fixture)
        || !s_word(&p, row->in, sizeof row->in)) {
        return -1;
    }
    for (int i = 0; i < AUTHZ_PERSONAS; i++) {
        char word[16];
        if (!s_word(&p, word, sizeof word)
            || s_expect(word, &row->expect[i]) != 0) {
            return -1;
        }
    }
    s_rest(p, row->body, sizeof row->body);
    return 0;
}

int
authz_table_load(authz_table_t *table, const char *path, char *error,
                 size_t size)
{
    memset(table, 0, sizeof *table);
    snprintf(table->file, sizeof table->file, "%s", path);
    FILE *file = fopen(path, "r");
    if (!file) {
        snprintf(error, size, "%s: cannot open", path);
        return -1;
    }
    char text[S_LINE_MAX];
    int line = 0, rc = 0;
    while (rc == 0 && fgets(text, sizeof text, file)) {
        line++;
        const char *p = text;
        char first[AUTHZ_NAME_MAX];
        if (!s_word(&p, first, sizeof first) || first[0] == '#') {
            continue;
        }
        bool step = strcmp(first, "fixture") == 0 || strcmp(first, "once") == 0;
        rc =
            step ? s_step(table, first, p, line) : s_row(table, first, p, line);
        if (rc != 0) {
            snprintf(error, size, "%s:%d: malformed (or too many) lines", path,
                     line);
        }
    }
    fclose(file);
    return rc;
}

// ---- the spec: a line scanner for the layout of docs/openapi.yaml (paths
// at two spaces, methods at four, operationId and tags at six).

typedef struct {
    char path[256];
    char actions[32][48]; // the {action} enum of the current path
    size_t action_count;
    int enum_indent; // collecting enum items at this indent, or -1
    bool action_param;
    char tag[32];
    bool want_tag;
    char method[8];
    char pending[AUTHZ_NAME_MAX]; // operationId seen, added at its end
} s_scan_t;

static int
s_indent(const char *line)
{
    int n = 0;
    while (line[n] == ' ') {
        n++;
    }
    return n;
}

// Add the pending operation (its parameters, which may follow its
// operationId, have been read by now).
static void
s_add_op(authz_spec_t *spec, s_scan_t *scan)
{
    const char *id = scan->pending;
    if (!*id) {
        return;
    }
    bool actions = strstr(scan->path, "{action}") != NULL;
    size_t count = actions ? scan->action_count : 1;
    spec->full = spec->full || spec->count + count > AUTHZ_OPS_MAX;
    for (size_t i = 0; i < count && spec->count < AUTHZ_OPS_MAX; i++) {
        authz_op_t *op = &spec->ops[spec->count++];
        snprintf(op->key, sizeof op->key, "%.47s%s%.47s", id,
                 actions ? ":" : "", actions ? scan->actions[i] : "");
        snprintf(op->method, sizeof op->method, "%s", scan->method);
        snprintf(op->path, sizeof op->path, "%s", scan->path);
        snprintf(op->tag, sizeof op->tag, "%s", scan->tag);
    }
    scan->pending[0] = '\0';
}

// The enum of the `action` parameter: `- name` items under `enum:`.
static void
s_scan_enum(s_scan_t *scan, const char *line, int indent, const char *word)
{
    if (scan->enum_indent >= 0) {
        if (indent == scan->enum_indent && strncmp(word, "- ", 2) == 0
            && scan->action_count < 32) {
            snprintf(scan->actions[scan->action_count++], 48, "%s", word + 2);
            return;
        }
        scan->enum_indent = -1;
        scan->action_param = false;
    }
    if (strcmp(word, "- name: action") == 0) {
        scan->action_param = true;
    } else if (scan->action_param && strcmp(word, "enum:") == 0) {
        scan->enum_indent = indent;
        scan->action_count = 0;
    }
    (void)line; // the word is the line without its indent
}

static void
s_scan_line(authz_spec_t *spec, s_scan_t *scan, char *line)
{
    line[strcspn(line, "\r\n")] = '\0';
    int indent = s_indent(line);
    const char *word = line + indent;
    s_scan_enum(scan, line, indent, word);
    size_t n = strlen(word);
    bool path = indent == 2 && word[0] == '/' && word[n - 1] == ':';
    bool method = indent == 4 && n > 1 && word[n - 1] == ':'
                  && strstr(" get: post: put: patch: delete: ", word);
    if (path || method) {
        s_add_op(spec, scan);
    }
    if (path) {
        snprintf(scan->path, sizeof scan->path, "%.*s", (int)n - 1, word);
        scan->action_count = 0;
    } else if (method) {
        snprintf(scan->method, sizeof scan->method, "%.*s", (int)n - 1, word);
        for (char *c = scan->method; *c; c++) {
            *c = (char)toupper((unsigned char)*c);
        }
        scan->tag[0] = '\0';
    } else if (indent == 6 && strcmp(word, "tags:") == 0) {
        scan->want_tag = true;
    } else if (scan->want_tag && indent == 6 && strncmp(word, "- ", 2) == 0) {
        snprintf(scan->tag, sizeof scan->tag, "%s", word + 2);
        scan->want_tag = false;
    } else if (indent == 6 && strncmp(word, "operationId: ", 13) == 0) {
        snprintf(scan->pending, sizeof scan->pending, "%s", word + 13);
    }
}

int
authz_spec_load(authz_spec_t *spec, const char *path)
{
    memset(spec, 0, sizeof *spec);
    FILE *file = fopen(path, "r");
    if (!file) {
        return -1;
    }
    s_scan_t scan;
    memset(&scan, 0, sizeof scan);
    scan.enum_indent = -1;
    char line[S_LINE_MAX];
    bool in_paths = false;
    while (fgets(line, sizeof line, file)) {
        if (line[0] != ' ' && line[0] != '\n' && line[0] != '#') {
            s_add_op(spec, &scan); // a top-level key ends the paths
            in_paths = strncmp(line, "paths:", 6) == 0;
        } else if (in_paths) {
            s_scan_line(spec, &scan, line);
        }
    }
    s_add_op(spec, &scan);
    fclose(file);
    return spec->count > 0 && !spec->full ? 0 : -1;
}

const authz_op_t *
authz_spec_find(const authz_spec_t *spec, const char *key)
{
    size_t n = strcspn(key, "?");
    for (size_t i = 0; i < spec->count; i++) {
        if (strlen(spec->ops[i].key) == n
            && strncmp(spec->ops[i].key, key, n) == 0) {
            return &spec->ops[i];
        }
    }
    return NULL;
}
