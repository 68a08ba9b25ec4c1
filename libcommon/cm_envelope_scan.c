#include "cm_envelope_scan.h"

#include <assert.h>
#include <string.h>

// The scanner's state: a cursor and the keys of the objects still open,
// for duplicate detection (jansson's JSON_REJECT_DUPLICATES).
typedef struct {
    const char *at;                                    // next byte
    const char *end;                                   // one past the last byte
    int depth;                                         // containers open
    size_t keys;                                       // used entries of key
    cm_envelope_span_t key[CM_ENVELOPE_SCAN_KEYS_MAX]; // keys, innermost last
} s_scan_t;

static int s_value(s_scan_t *scan);

static void
s_skip_space(s_scan_t *scan)
{
    while (scan->at < scan->end
           && (*scan->at == ' ' || *scan->at == '\t' || *scan->at == '\n'
               || *scan->at == '\r')) {
        scan->at++;
    }
}

static int
s_hex(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

// Four hex digits after "\u"; -1 when malformed.
static long
s_hex4(s_scan_t *scan)
{
    if (scan->end - scan->at < 4) {
        return -1;
    }
    long value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = s_hex(scan->at[i]);
        if (digit < 0) {
            return -1;
        }
        value = value * 16 + digit;
    }
    scan->at += 4;
    return value;
}

// After "\u": a code point jansson accepts (no NUL, surrogates paired).
static int
s_unicode_escape(s_scan_t *scan)
{
    long value = s_hex4(scan);
    if (value <= 0 || (value >= 0xDC00 && value <= 0xDFFF)) {
        return -1;
    }
    if (value < 0xD800 || value > 0xDBFF) {
        return 0;
    }
    if (scan->end - scan->at < 2 || scan->at[0] != '\\' || scan->at[1] != 'u') {
        return -1;
    }
    scan->at += 2;
    long low = s_hex4(scan);
    return low >= 0xDC00 && low <= 0xDFFF ? 0 : -1;
}

// After a backslash.
static int
s_escape(s_scan_t *scan)
{
    if (scan->at >= scan->end) {
        return -1;
    }
    char c = *scan->at++;
    if (c == 'u') {
        return s_unicode_escape(scan);
    }
    return strchr("\"\\/bfnrt", c) && c != '\0' ? 0 : -1;
}

// One multi-byte UTF-8 sequence starting at the cursor, as jansson checks
// it: no overlong forms, no surrogates, nothing above U+10FFFF.
static int
s_utf8(s_scan_t *scan)
{
    unsigned char first = (unsigned char)*scan->at;
    int size = first >= 0xC2 && first <= 0xDF   ? 2
               : first >= 0xE0 && first <= 0xEF ? 3
               : first >= 0xF0 && first <= 0xF4 ? 4
                                                : 0;
    if (size == 0 || scan->end - scan->at < size) {
        return -1;
    }
    long value = first & (0x3F >> (size - 1));
    for (int i = 1; i < size; i++) {
        unsigned char next = (unsigned char)scan->at[i];
        if ((next & 0xC0) != 0x80) {
            return -1;
        }
        value = (value << 6) | (next & 0x3F);
    }
    if ((size == 3 && value < 0x800) || (size == 4 && value < 0x10000)
        || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        return -1;
    }
    scan->at += size;
    return 0;
}

// A string at the cursor ('"'); *escaped tells whether it had escapes.
static int
s_string(s_scan_t *scan, bool *escaped)
{
    *escaped = false;
    scan->at++; // the opening quote
    while (scan->at < scan->end) {
        unsigned char c = (unsigned char)*scan->at;
        int rc = 0;
        if (c == '"') {
            scan->at++;
            return 0;
        }
        if (c < 0x20) {
            return -1;
        }
        if (c == '\\') {
            *escaped = true;
            scan->at++;
            rc = s_escape(scan);
        } else if (c >= 0x80) {
            rc = s_utf8(scan);
        } else {
            scan->at++;
        }
        if (rc != 0) {
            return -1;
        }
    }
    return -1;
}

// An integer of at most CM_ENVELOPE_SCAN_DIGITS_MAX digits; reals, longer
// integers and malformed numbers are left to jansson.
static int
s_number(s_scan_t *scan)
{
    if (scan->at < scan->end && *scan->at == '-') {
        scan->at++;
    }
    const char *digits = scan->at;
    while (scan->at < scan->end && *scan->at >= '0' && *scan->at <= '9') {
        scan->at++;
    }
    size_t count = (size_t)(scan->at - digits);
    if (count == 0 || count > CM_ENVELOPE_SCAN_DIGITS_MAX
        || (digits[0] == '0' && count > 1)) {
        return -1;
    }
    bool real = scan->at < scan->end
                && (*scan->at == '.' || *scan->at == 'e' || *scan->at == 'E');
    return real ? -1 : 0;
}

static int
s_literal(s_scan_t *scan, const char *word)
{
    size_t size = strlen(word);
    if ((size_t)(scan->end - scan->at) < size
        || memcmp(scan->at, word, size) != 0) {
        return -1;
    }
    scan->at += size;
    return 0;
}

// Records a key of the innermost object (keys from `first` on); -1 when
// it repeats one, has an escape, or there is no room to remember it.
static int
s_key(s_scan_t *scan, size_t first, const char *start, bool escaped)
{
    cm_envelope_span_t key = {start + 1, (size_t)(scan->at - start) - 2};
    if (escaped || scan->keys == CM_ENVELOPE_SCAN_KEYS_MAX) {
        return -1;
    }
    for (size_t i = first; i < scan->keys; i++) {
        if (scan->key[i].size == key.size
            && memcmp(scan->key[i].data, key.data, key.size) == 0) {
            return -1;
        }
    }
    scan->key[scan->keys++] = key;
    return 0;
}

// Sets the span of the member named like key, if one is wanted.
static void
s_capture(const cm_envelope_span_t *key, const char *value, size_t size,
          const char *const *names, cm_envelope_span_t *spans, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (strlen(names[i]) == key->size
            && memcmp(names[i], key->data, key->size) == 0) {
            spans[i].data = value;
            spans[i].size = size;
        }
    }
}

// The scan descends into nested values; the depth is bounded by
// CM_ENVELOPE_SCAN_DEPTH_MAX (s_container), hence the suppression.
// NOLINTBEGIN(misc-no-recursion)

// One "key": value pair of the innermost object.
static int
s_member(s_scan_t *scan, size_t first, const char *const *names,
         cm_envelope_span_t *spans, size_t count)
{
    const char *start = scan->at;
    bool escaped;
    if (scan->at >= scan->end || *scan->at != '"'
        || s_string(scan, &escaped) != 0
        || s_key(scan, first, start, escaped) != 0) {
        return -1;
    }
    s_skip_space(scan);
    if (scan->at >= scan->end || *scan->at != ':') {
        return -1;
    }
    scan->at++;
    s_skip_space(scan);
    const char *value = scan->at;
    if (s_value(scan) != 0) {
        return -1;
    }
    s_capture(&scan->key[scan->keys - 1], value, (size_t)(scan->at - value),
              names, spans, count);
    s_skip_space(scan);
    return 0;
}

// An object at the cursor; members named in names get their spans. Its
// keys are remembered while it is open and forgotten when it closes.
static int
s_object(s_scan_t *scan, const char *const *names, cm_envelope_span_t *spans,
         size_t count)
{
    size_t first = scan->keys;
    scan->at++; // '{'
    s_skip_space(scan);
    if (scan->at < scan->end && *scan->at == '}') {
        scan->at++;
        return 0;
    }
    while (true) {
        if (s_member(scan, first, names, spans, count) != 0
            || scan->at >= scan->end) {
            return -1;
        }
        char c = *scan->at++;
        if (c == '}') {
            scan->keys = first;
            return 0;
        }
        if (c != ',') {
            return -1;
        }
        s_skip_space(scan);
    }
}

static int
s_array(s_scan_t *scan)
{
    scan->at++; // '['
    s_skip_space(scan);
    if (scan->at < scan->end && *scan->at == ']') {
        scan->at++;
        return 0;
    }
    while (true) {
        if (s_value(scan) != 0) {
            return -1;
        }
        s_skip_space(scan);
        if (scan->at >= scan->end) {
            return -1;
        }
        char c = *scan->at++;
        if (c == ']') {
            return 0;
        }
        if (c != ',') {
            return -1;
        }
        s_skip_space(scan);
    }
}

static int
s_container(s_scan_t *scan, bool object)
{
    if (scan->depth == CM_ENVELOPE_SCAN_DEPTH_MAX) {
        return -1;
    }
    scan->depth++;
    int rc = object ? s_object(scan, NULL, NULL, 0) : s_array(scan);
    scan->depth--;
    return rc;
}

static int
s_value(s_scan_t *scan)
{
    if (scan->at >= scan->end) {
        return -1;
    }
    bool escaped;
    switch (*scan->at) {
    case '{':
        return s_container(scan, true);
    case '[':
        return s_container(scan, false);
    case '"':
        return s_string(scan, &escaped);
    case 't':
        return s_literal(scan, "true");
    case 'f':
        return s_literal(scan, "false");
    case 'n':
        return s_literal(scan, "null");
    default:
        return s_number(scan);
    }
}

// NOLINTEND(misc-no-recursion)

int
cm_envelope_scan(const char *data, size_t size, const char *const *names,
                 cm_envelope_span_t *spans, size_t count)
{
    assert((data || size == 0) && (names || count == 0));
    for (size_t i = 0; i < count; i++) {
        spans[i].data = NULL;
        spans[i].size = 0;
    }
    if (!data) {
        return -1;
    }
    s_scan_t scan = {.at = data, .end = data + size};
    s_skip_space(&scan);
    if (scan.at >= scan.end || *scan.at != '{') {
        return -1;
    }
    scan.depth = 1;
    if (s_object(&scan, names, spans, count) != 0) {
        return -1;
    }
    s_skip_space(&scan);
    return scan.at == scan.end ? 0 : -1;
}

bool
cm_envelope_span_is_set(const cm_envelope_span_t *span)
{
    assert(span);
    return span->data != NULL;
}

bool
cm_envelope_span_is_null(const cm_envelope_span_t *span)
{
    assert(span);
    return span->data && span->size == 4 && memcmp(span->data, "null", 4) == 0;
}

bool
cm_envelope_span_is_object(const cm_envelope_span_t *span)
{
    assert(span);
    return span->data && span->size >= 2 && span->data[0] == '{';
}

int
cm_envelope_span_string(const cm_envelope_span_t *span, char *out,
                        size_t out_size)
{
    assert(span && out && out_size > 0);
    out[0] = '\0';
    if (!span->data || span->size < 2 || span->data[0] != '"') {
        return -1;
    }
    size_t size = span->size - 2;
    if (size >= out_size || memchr(span->data + 1, '\\', size)) {
        return -1;
    }
    memcpy(out, span->data + 1, size);
    out[size] = '\0';
    return 0;
}

int
cm_envelope_span_int(const cm_envelope_span_t *span, int64_t *value)
{
    assert(span && value);
    if (!span->data || span->size == 0) {
        return -1;
    }
    const char *at = span->data;
    const char *end = span->data + span->size;
    bool negative = *at == '-';
    at += negative ? 1 : 0;
    if (at == end || end - at > CM_ENVELOPE_SCAN_DIGITS_MAX) {
        return -1;
    }
    int64_t result = 0;
    for (; at < end; at++) {
        if (*at < '0' || *at > '9') {
            return -1;
        }
        result = result * 10 + (*at - '0');
    }
    *value = negative ? -result : result;
    return 0;
}

int
cm_envelope_scan_strings(const char *text, const char *const *names,
                         size_t count, char *out, size_t each,
                         const char **values)
{
    assert(text && names && out && values && each > 0);
    assert(count <= CM_ENVELOPE_SCAN_STRINGS_MAX);
    cm_envelope_span_t spans[CM_ENVELOPE_SCAN_STRINGS_MAX];
    if (cm_envelope_scan(text, strlen(text), names, spans, count) != 0) {
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        char *value = out + i * each;
        values[i] = NULL;
        if (!cm_envelope_span_is_set(&spans[i])
            || cm_envelope_span_is_null(&spans[i])) {
            continue;
        }
        if (cm_envelope_span_string(&spans[i], value, each) != 0) {
            return -1; // not a plain string: jansson decides
        }
        values[i] = *value ? value : NULL;
    }
    return 0;
}
