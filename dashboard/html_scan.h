/*
 * html_scan.h: finds where the tags, attributes, comments and raw text of
 * an HTML document are, as the WHATWG tokenizer does, without building
 * anything: (buf, len) in, offsets and spans into buf out, no allocation.
 * It knows HTML syntax and nothing of what the caller wants from it
 * ("beaconctl sign html" in sign_html.c).
 *
 *   markup                       kind        runs to
 *   <a href="x">  <p/>           START_TAG   its '>'
 *   </a >                        END_TAG     its '>'
 *   <script>if (a<b)</script>    START_TAG   the "</script": a start tag of
 *                                            script, style, title, textarea,
 *                                            xmp, iframe, noembed or
 *                                            noframes takes in its raw text
 *   <!-- c -->  <![CDATA[ c ]]>  OTHER       "-->" (or "--!>"), "]]>"
 *   <!DOCTYPE x>  <?x?>  </ x>   OTHER       the next '>'
 *   a < b                        TEXT        the '<' itself
 *
 * Markup the input ends inside (a tag, comment, CDATA, <!..>, <?..>, raw
 * text whose end tag is missing or cut, everything after <plaintext>) is
 * "cut": it runs to the end, and a browser shows nothing of it.
 */
#ifndef BEACON_HTML_SCAN_H
#define BEACON_HTML_SCAN_H

#include <stddef.h>
#include <sys/types.h>

#include "proto/span.h"

enum html_scan_kind {
    HTML_SCAN_TEXT,      /* a '<' that starts no markup: text */
    HTML_SCAN_OTHER,     /* comment, CDATA, <!...>, <?...>, '</' no letter */
    HTML_SCAN_START_TAG, /* "<x", x a letter */
    HTML_SCAN_END_TAG,   /* "</x", x a letter */
};

/* One piece of markup, as offsets into the scanned buffer. */
struct html_scan_markup {
    enum html_scan_kind kind;
    size_t start;     /* offset of its '<' */
    size_t end;       /* where text resumes: past the '>' or the raw text */
    int cut;          /* it runs to the end of the input (end == len) */
    struct span name; /* tags: the name as written; empty otherwise */
    size_t attrs;     /* tags: where html_scan_attr starts reading */
};

/* One attribute of a tag. */
struct html_scan_attr {
    struct span name;  /* as written; may start with '=' */
    struct span value; /* as written, without quotes; empty when none */
    struct span raw;   /* the value with its quotes: what a rewrite
                          replaces; empty when no value is written */
};

/*
 * Finds the first markup in in[from..len) and describes it in *m.
 * Returns 0, or -1 when no '<' is left. Scanning again from m->end walks
 * the document; m->end > m->start always.
 */
int html_scan_next(const char *in, size_t len, size_t from,
                   struct html_scan_markup *m);

/*
 * Reads the attribute at in[*pos] of a tag (start *pos at m->attrs):
 * values double-, single- or unquoted, '/' between attributes ignored.
 * Returns 1 with *a set and *pos past it, 0 at the tag's '>' (*pos past
 * it), -1 when the input ends inside the tag (never for a tag that
 * html_scan_next did not report cut).
 */
int html_scan_attr(const char *in, size_t len, size_t *pos,
                   struct html_scan_attr *a);

/*
 * Decodes the attribute value v into dst (NUL-terminated; cap >= 1) as
 * a browser would, trimmed of ASCII whitespace. Decoded: numeric
 * references and the named ones amp, lt, gt, quot (either case) and
 * apos; a '&' that starts no reference stays. Returns the length, or -1
 * when it does not fit in cap or holds a reference this does not decode
 * exactly as a browser does: another named one with ';', a legacy name
 * without ';' such as "&copy" (unless '=' follows), a numeric one to 0,
 * a surrogate, U+0080-U+009F or past U+10FFFF.
 */
ssize_t html_scan_decode(char *dst, size_t cap, struct span v);

#endif
