#include "gateway_wire.h"

#include <arpa/inet.h>
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cm_id.h"
#include "cm_problem.h"
#include "cm_status.h"

// Headers passed on to nng: the ones the gateway reads. Everything else is
// dropped here (the gateway never looks at it, and nng 1.5 refuses some
// legal values).
static const char *const s_forwarded[] = {"Host",
                                          "Connection",
                                          "Content-Length",
                                          "Content-Type",
                                          "Authorization",
                                          "X-Request-Id",
                                          "Idempotency-Key",
                                          "If-Match",
                                          "Accept",
                                          "Last-Event-ID",
                                          NULL};

// One header line split.
typedef struct {
    const char *name;  // field name
    size_t name_size;  // its length
    const char *value; // value without surrounding whitespace
    size_t value_size; // its length
} s_field_t;

// What the header fields said.
typedef struct {
    int hosts;                              // Host fields
    int lengths;                            // Content-Length fields
    bool chunked;                           // Transfer-Encoding present
    bool close;                             // Connection: close
    size_t length;                          // Content-Length value
    char real_ip[GATEWAY_WIRE_ADDRESS_MAX]; // X-Real-IP value, if any
} s_fields_t;

static int
s_fail(gateway_wire_error_t *error, int status, const char *code,
       const char *detail)
{
    error->status = status;
    error->code = code;
    error->detail = detail;
    return -1;
}

static bool
s_is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool
s_is_token(const char *text, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        if (!s_is_tchar((unsigned char)text[i])) {
            return false;
        }
    }
    return size > 0;
}

// The next line of [*at, end): its start and length without CR LF.
static const char *
s_next_line(const char **at, const char *end, size_t *size)
{
    const char *line = *at;
    const char *lf = memchr(line, '\n', (size_t)(end - line));
    const char *stop = lf ? lf : end;
    *at = lf ? lf + 1 : end;
    *size = (size_t)(stop - line);
    if (*size > 0 && line[*size - 1] == '\r') {
        (*size)--;
    }
    return line;
}

size_t
gateway_wire_skip_blank(const char *data, size_t size)
{
    size_t skip = 0;
    while (skip < size && (data[skip] == '\r' || data[skip] == '\n')) {
        skip++;
    }
    return skip;
}

size_t
gateway_wire_head_end(const char *data, size_t size, size_t *scanned)
{
    for (size_t i = *scanned; i < size; i++) {
        if (data[i] != '\n') {
            continue;
        }
        bool empty = (i >= 1 && data[i - 1] == '\n')
                     || (i >= 2 && data[i - 1] == '\r' && data[i - 2] == '\n');
        if (empty) {
            return i + 1;
        }
    }
    *scanned = size;
    return 0;
}

// The last byte c in data (size bytes), or NULL.
static const char *
s_last_of(const char *data, size_t size, char c)
{
    for (size_t i = size; i > 0; i--) {
        if (data[i - 1] == c) {
            return data + i - 1;
        }
    }
    return NULL;
}

int
gateway_wire_check_partial(const char *data, size_t size,
                           gateway_wire_error_t *error)
{
    const char *lf = s_last_of(data, size, '\n');
    if (!lf && size > GATEWAY_WIRE_TARGET_MAX + 32) {
        return s_fail(error, 414, "uri_too_long",
                      "the request target is longer than 8000 bytes");
    }
    if (lf && (size_t)(data + size - (lf + 1)) > GATEWAY_WIRE_LINE_MAX) {
        return s_fail(error, 431, "headers_too_large",
                      "a header line is longer than 8192 bytes");
    }
    if (size > GATEWAY_WIRE_HEAD_MAX) {
        return s_fail(error, 431, "headers_too_large",
                      "the request head is larger than 32768 bytes");
    }
    return 0;
}

// "HTTP/<digit>.<digit>": 1 for major 1, 2 for another major, 0 otherwise.
static int
s_version_kind(const char *text, size_t size)
{
    if (size != 8 || strncmp(text, "HTTP/", 5) != 0 || text[6] != '.'
        || text[5] < '0' || text[5] > '9' || text[7] < '0' || text[7] > '9') {
        return 0;
    }
    return text[5] == '1' ? 1 : 2;
}

// A %XX escape that decodes to a control byte; NUL anywhere (it would end
// a C string), any control byte in the path.
static bool
s_has_bad_escape(const char *target, size_t size)
{
    const char *query = memchr(target, '?', size);
    for (size_t i = 0; i + 2 < size; i++) {
        if (target[i] != '%') {
            continue;
        }
        char high = target[i + 1];
        char low = (char)(target[i + 2] | 0x20);
        bool in_path = !query || target + i < query;
        bool control =
            high == '0' || high == '1' || (high == '7' && low == 'f');
        if ((high == '0' && low == '0') || (in_path && control)) {
            return true;
        }
    }
    return false;
}

// Check the request line; fills request->method and *version.
static int
s_request_line(const char *line, size_t size, gateway_wire_request_t *request,
               const char **version, gateway_wire_error_t *error)
{
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20 || c >= 0x7f) {
            return s_fail(error, 400, "bad_request",
                          "the request line holds a control or non-ASCII "
                          "byte");
        }
    }
    const char *last_space = s_last_of(line, size, ' ');
    const char *first_space = memchr(line, ' ', size);
    size_t version_size =
        last_space ? size - (size_t)(last_space + 1 - line) : 0;
    int kind = last_space ? s_version_kind(last_space + 1, version_size) : 0;
    if (kind == 2) {
        return s_fail(error, 505, "http_version_not_supported",
                      "only HTTP/1.0 and HTTP/1.1 are served");
    }
    const char *target = first_space ? first_space + 1 : NULL;
    size_t target_size = target ? (size_t)(last_space - target) : 0;
    if (kind == 0 || !target || first_space == last_space
        || memchr(target, ' ', target_size)) {
        return s_fail(error, 400, "bad_request",
                      "the request line must be: method SP target SP "
                      "HTTP/1.1");
    }
    size_t method_size = (size_t)(first_space - line);
    if (method_size > GATEWAY_WIRE_METHOD_MAX
        || !s_is_token(line, method_size)) {
        return s_fail(error, 400, "bad_request", "the method is not valid");
    }
    if (target_size > GATEWAY_WIRE_TARGET_MAX) {
        return s_fail(error, 414, "uri_too_long",
                      "the request target is longer than 8000 bytes");
    }
    if (target_size == 0 || target[0] != '/'
        || s_has_bad_escape(target, target_size)) {
        return s_fail(error, 400, "bad_request",
                      "the request target must be a path (and query) without "
                      "encoded control bytes");
    }
    memcpy(request->method, line, method_size);
    request->method[method_size] = '\0';
    *version = last_space + 1;
    return 0;
}

// Split one header line; -1 with *error when it is malformed.
static int
s_split_field(const char *line, size_t size, s_field_t *field,
              gateway_wire_error_t *error)
{
    if (size > GATEWAY_WIRE_LINE_MAX) {
        return s_fail(error, 431, "headers_too_large",
                      "a header line is longer than 8192 bytes");
    }
    const char *colon = memchr(line, ':', size);
    if (!colon || !s_is_token(line, (size_t)(colon - line))) {
        return s_fail(error, 400, "bad_request",
                      "a header line is not name: value (or is folded)");
    }
    const char *value = colon + 1;
    const char *end = line + size;
    while (value < end && (*value == ' ' || *value == '\t')) {
        value++;
    }
    while (end > value && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    for (const char *p = value; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return s_fail(error, 400, "bad_request",
                          "a header value holds a control character");
        }
    }
    *field =
        (s_field_t){line, (size_t)(colon - line), value, (size_t)(end - value)};
    return 0;
}

static bool
s_named(const s_field_t *field, const char *name)
{
    return field->name_size == strlen(name)
           && strncasecmp(field->name, name, field->name_size) == 0;
}

static bool
s_is_forwarded(const s_field_t *field)
{
    for (size_t i = 0; s_forwarded[i]; i++) {
        if (s_named(field, s_forwarded[i])) {
            return true;
        }
    }
    return false;
}

// "close" as a token of a Connection value.
static bool
s_says_close(const char *value, size_t size)
{
    for (size_t i = 0; i + 5 <= size; i++) {
        bool starts = i == 0 || value[i - 1] == ',' || value[i - 1] == ' '
                      || value[i - 1] == '\t';
        bool ends = i + 5 == size || value[i + 5] == ',' || value[i + 5] == ' '
                    || value[i + 5] == '\t';
        if (starts && ends && strncasecmp(value + i, "close", 5) == 0) {
            return true;
        }
    }
    return false;
}

// Note what the framing depends on.
static int
s_note_field(const s_field_t *field, s_fields_t *fields,
             gateway_wire_error_t *error)
{
    if (s_named(field, "Host")) {
        fields->hosts++;
    } else if (s_named(field, "Transfer-Encoding")) {
        fields->chunked = true;
    } else if (s_named(field, "Connection")) {
        fields->close =
            fields->close || s_says_close(field->value, field->value_size);
    } else if (s_named(field, "X-Real-IP")
               && field->value_size < sizeof fields->real_ip) {
        memcpy(fields->real_ip, field->value, field->value_size);
        fields->real_ip[field->value_size] = '\0';
    } else if (s_named(field, "Content-Length")) {
        size_t digits = 0;
        while (digits < field->value_size && field->value[digits] >= '0'
               && field->value[digits] <= '9') {
            digits++;
        }
        if (digits == 0 || digits != field->value_size || digits > 18
            || ++fields->lengths > 1) {
            return s_fail(error, 400, "bad_request",
                          "Content-Length must be one number");
        }
        fields->length = (size_t)strtoull(field->value, NULL, 10);
    }
    return 0;
}

// Append a forwarded field, tabs as spaces; -1 for a value that is not
// ASCII (every header the gateway reads is ASCII by its definition).
static int
s_forward_field(FILE *out, const s_field_t *field, gateway_wire_error_t *error)
{
    for (size_t i = 0; i < field->value_size; i++) {
        if ((unsigned char)field->value[i] >= 0x80) {
            return s_fail(error, 400, "bad_request",
                          "Authorization, Content-Type, X-Request-Id, "
                          "Idempotency-Key, If-Match and Last-Event-ID must "
                          "be ASCII");
        }
    }
    fprintf(out, "%.*s: ", (int)field->name_size, field->name);
    for (size_t i = 0; i < field->value_size; i++) {
        fputc(field->value[i] == '\t' ? ' ' : field->value[i], out);
    }
    fputs("\r\n", out);
    return 0;
}

// Every header line of [at, end) checked, noted and forwarded to out.
static int
s_fields(const char *at, const char *end, FILE *out, s_fields_t *fields,
         gateway_wire_error_t *error)
{
    int count = 0;
    while (at < end) {
        size_t size = 0;
        const char *line = s_next_line(&at, end, &size);
        if (size == 0) {
            break; // the empty line
        }
        s_field_t field;
        if (++count > GATEWAY_WIRE_HEADERS_MAX) {
            return s_fail(error, 431, "headers_too_large",
                          "a request may have at most 100 header fields");
        }
        if (s_split_field(line, size, &field, error) != 0
            || s_note_field(&field, fields, error) != 0
            || (s_is_forwarded(&field)
                && s_forward_field(out, &field, error) != 0)) {
            return -1;
        }
    }
    return 0;
}

// The framing rules once every field is known.
static int
s_framing(const s_fields_t *fields, bool http11, gateway_wire_error_t *error)
{
    if (fields->hosts > 1 || (http11 && fields->hosts == 0)) {
        return s_fail(error, 400, "bad_request",
                      "an HTTP/1.1 request needs exactly one Host header");
    }
    if (fields->chunked && fields->lengths > 0) {
        return s_fail(error, 400, "bad_request",
                      "Content-Length and Transfer-Encoding together");
    }
    if (fields->chunked) {
        return s_fail(error, 411, "length_required",
                      "chunked request bodies are not supported; send "
                      "Content-Length");
    }
    if (fields->length > GATEWAY_WIRE_BODY_MAX_BYTES) {
        return s_fail(error, 413, "payload_too_large",
                      "request bodies are limited to 65536 bytes");
    }
    return 0;
}

// The client address: a trusted proxy's X-Real-IP when it is an address,
// else the peer.
static void
s_client(const gateway_wire_peer_t *peer, const s_fields_t *fields,
         char *client, size_t size)
{
    unsigned char binary[16];
    bool real = peer->trusted && fields->real_ip[0]
                && (inet_pton(AF_INET, fields->real_ip, binary) == 1
                    || inet_pton(AF_INET6, fields->real_ip, binary) == 1);
    snprintf(client, size, "%s", real ? fields->real_ip : peer->address);
}

int
gateway_wire_parse_request(const char *data, size_t head_size,
                           const gateway_wire_peer_t *peer,
                           gateway_wire_request_t *request,
                           gateway_wire_error_t *error)
{
    memset(request, 0, sizeof *request);
    const char *at = data;
    const char *end = data + head_size;
    size_t size = 0;
    const char *line = s_next_line(&at, end, &size);
    const char *version = NULL;
    if (s_request_line(line, size, request, &version, error) != 0) {
        return -1;
    }
    FILE *out = open_memstream(&request->forward, &request->forward_size);
    assert(out);
    fprintf(out, "%.*s\r\n", (int)size, line);
    s_fields_t fields = {0};
    bool http11 = strncmp(version, "HTTP/1.0", 8) != 0;
    int rc = s_fields(at, end, out, &fields, error);
    rc = rc == 0 ? s_framing(&fields, http11, error) : rc;
    s_client(peer, &fields, request->client, sizeof request->client);
    fprintf(out, "%s: %s\r\n\r\n", GATEWAY_WIRE_PEER_HEADER, request->client);
    fclose(out);
    if (rc != 0) {
        gateway_wire_request_clear(request);
        return -1;
    }
    request->content_length = fields.length;
    request->target_at = strlen(request->method) + 1;
    request->target_size = (size_t)(version - line) - 1 - request->target_at;
    request->is_head = strcmp(request->method, "HEAD") == 0;
    request->close = fields.close || !http11;
    return 0;
}

void
gateway_wire_request_clear(gateway_wire_request_t *request)
{
    free(request->forward);
    request->forward = NULL;
    request->forward_size = 0;
}

int
gateway_wire_parse_response(const char *data, size_t head_size,
                            gateway_wire_response_t *response)
{
    memset(response, 0, sizeof *response);
    const char *at = data;
    const char *end = data + head_size;
    size_t size = 0;
    const char *line = s_next_line(&at, end, &size);
    if (size < 12 || strncmp(line, "HTTP/1.", 7) != 0) {
        return -1;
    }
    response->status = atoi(line + 9);
    while (at < end) {
        line = s_next_line(&at, end, &size);
        if (size > 15 && strncasecmp(line, "Content-Length:", 15) == 0) {
            response->has_length = true;
            response->content_length = (size_t)strtoull(line + 15, NULL, 10);
        }
    }
    return 0;
}

char *
gateway_wire_relabel(const char *data, size_t head_size, size_t *size)
{
    static const char field[] = "\nContent-Type: text/html";
    const char *found = NULL;
    for (size_t i = 0; i + sizeof field - 1 <= head_size && !found; i++) {
        if (strncasecmp(data + i, field, sizeof field - 1) == 0) {
            found = data + i;
        }
    }
    if (!found) {
        return NULL;
    }
    const char *line_end =
        memchr(found + 1, '\n', head_size - (size_t)(found + 1 - data));
    const char *rest =
        line_end ? line_end - (line_end[-1] == '\r') : data + head_size;
    char *text = NULL;
    FILE *out = open_memstream(&text, size);
    assert(out);
    fprintf(out, "%.*s\nContent-Type: application/problem+json%.*s",
            (int)(found - data), data, (int)(data + head_size - rest), rest);
    fclose(out);
    return text;
}

char *
gateway_wire_problem(const gateway_wire_error_t *error, size_t *size)
{
    json_t *problem = cm_problem_new(error->status, error->code, error->detail);
    json_t *rendered = cm_problem_render(problem, NULL);
    char *body = json_dumps(rendered, JSON_COMPACT);
    json_decref(problem);
    json_decref(rendered);
    assert(body);
    char id[CM_UUID_MAX];
    cm_uuid(id);
    char *text = NULL;
    FILE *out = open_memstream(&text, size);
    assert(out);
    bool retry = error->status == 429 || error->status == 503;
    fprintf(out,
            "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\n"
            "Content-Length: %zu\r\nConnection: close\r\n%s"
            "X-Request-Id: %s\r\n\r\n%s",
            error->status, cm_status_title(error->status), strlen(body),
            retry ? "Retry-After: 1\r\n" : "", id, body);
    fclose(out);
    free(body);
    return text;
}

// Parse "address[/bits]" into family bytes and a prefix length.
static int
s_parse_prefix(const char *entry, unsigned char *bytes, size_t *size, int *bits)
{
    char text[GATEWAY_WIRE_ADDRESS_MAX];
    snprintf(text, sizeof text, "%s", entry);
    char *slash = strchr(text, '/');
    if (slash) {
        *slash = '\0';
    }
    if (inet_pton(AF_INET, text, bytes) == 1) {
        *size = 4;
    } else if (inet_pton(AF_INET6, text, bytes) == 1) {
        *size = 16;
    } else {
        return -1;
    }
    *bits = slash ? atoi(slash + 1) : (int)*size * 8;
    return *bits >= 0 && *bits <= (int)*size * 8 ? 0 : -1;
}

static bool
s_prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
    int whole = bits / 8;
    int rest = bits % 8;
    if (memcmp(a, b, (size_t)whole) != 0) {
        return false;
    }
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return rest == 0 || (a[whole] & mask) == (b[whole] & mask);
}

bool
gateway_wire_address_in(const char *address, const char *list)
{
    unsigned char peer[16], net[16];
    size_t peer_size = 0, net_size = 0;
    int bits = 0;
    if (!address || !list
        || s_parse_prefix(address, peer, &peer_size, &bits) != 0) {
        return false;
    }
    char entry[GATEWAY_WIRE_ADDRESS_MAX];
    const char *at = list;
    while (*(at += strspn(at, " \t,"))) {
        size_t length = strcspn(at, " \t,");
        snprintf(entry, sizeof entry, "%.*s", (int)length, at);
        at += length;
        if (s_parse_prefix(entry, net, &net_size, &bits) == 0
            && net_size == peer_size && s_prefix_match(peer, net, bits)) {
            return true;
        }
    }
    return false;
}
