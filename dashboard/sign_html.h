/*
 * sign_html.h: "beaconctl sign html" (SPEC 1): rewrites an HTML e-mail
 * template so that every http(s) link goes through the signed click
 * redirect (SPEC 2.4) and the open pixel (SPEC 2.3) is added. Everything
 * else is copied byte for byte. EMAIL.md ("Rewriting a template") has
 * the full rules; in short:
 *
 * - Only the href of <a> start tags is rewritten, and only when its value,
 *   after decoding character references and trimming ASCII whitespace,
 *   passes clicklink_valid_to() and does not already start with
 *   base "/c/". The whole value, quotes included, becomes
 *   "<signed URL>" with & and " escaped. Other attributes are kept as
 *   written, data-link included.
 * - Nothing inside comments (MSO conditionals are comments), CDATA,
 *   <?...>, <!...>, or the raw text of script, style, title, textarea,
 *   xmp, iframe, noembed, noframes and plaintext is touched.
 * - An href holding a reference this decoder cannot decode exactly as a
 *   browser would (a named reference other than amp, lt, gt, quot, apos,
 *   a legacy name without ';' such as "&copy", a numeric reference to
 *   0, a surrogate, U+0080-U+009F or past U+10FFFF) is left as it is: the
 *   link keeps working, it is only not counted.
 * - Link id: the anchor's data-link value, which must be a valid id
 *   (clicklink_valid_id) when the anchor is signed, or the call fails (a
 *   bad data-link on an anchor left alone does not matter); otherwise
 *   1, 2, 3, ... in document order over the signed anchors without
 *   data-link, skipping every number some <a data-link> uses.
 * - The pixel <img> (SIGN_HTML_PIXEL_*) goes right before the last
 *   </body>; without one, at the end, or when the input ends inside a
 *   comment, tag or raw text (where a browser would hide it) right before
 *   that starts. Not at all when an <img> whose src is this pixel URL is
 *   already there, so a second run changes nothing.
 */
#ifndef BEACON_SIGN_HTML_H
#define BEACON_SIGN_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Longest template "beaconctl sign html" reads. */
#define SIGN_HTML_MAX (8u * 1024 * 1024)

/* Room for the messages of the functions below. */
#define SIGN_HTML_ERR_LEN 256

/* The pixel markup is PREFIX, the escaped pixel URL, then SUFFIX. */
#define SIGN_HTML_PIXEL_PREFIX "<img src=\""
#define SIGN_HTML_PIXEL_SUFFIX                                                 \
    "\" width=\"1\" height=\"1\" alt=\"\" "                                    \
    "style=\"display:block;border:0;width:1px;height:1px\">"

/* What every signed link and the pixel share; all fields already valid. */
struct sign_html {
    const char *base; /* public_url, no trailing '/' */
    const char *site;
    const char *campaign;
    const char *recipient; /* a token, required: the pixel carries it */
    const char *key_id;
    const unsigned char *key;
    size_t keylen;
};

/*
 * Writes the rewritten in[0..len) to out. The template is checked in full
 * before the first byte is written, so a bad data-link leaves out
 * untouched. Returns 0, or -1 with err set (a bad data-link, no memory, a
 * write error on out).
 */
int sign_html_rewrite(FILE *out, const char *in, size_t len,
                      const struct sign_html *h, char *err, size_t errlen);

/*
 * Reads all of f into a new buffer *buf (the caller frees it) of *len
 * bytes. Returns 0, or -1 with err set when f holds more than max bytes
 * or cannot be read (*buf is NULL then).
 */
int sign_html_read(FILE *f, size_t max, char **buf, size_t *len, char *err,
                   size_t errlen);

#endif
