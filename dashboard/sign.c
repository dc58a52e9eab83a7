/*
 * sign.c: "beaconctl sign" (SPEC 1): builds open-pixel URLs and signed
 * click links for e-mail templates. Every field is checked with the same
 * validators the collector uses, so a URL printed here is one the
 * collector accepts.
 */
#include "dashboard/sign.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_parse.h"
#include "dashboard/sign_html.h"
#include "proto/clicklink.h"
#include "proto/hit.h"

#define SIGN_MSG_MAX (6 * 64 + CLICKLINK_TO_MAX + 256)

/* What "sign" was given; NULL: flag absent. */
struct sign_args {
    const char *what; /* pixel, link or html */
    const char *site;
    const char *campaign;
    const char *link;
    const char *to;
    const char *recipient;
    const char *email;
    const char *key;
};

struct sign_flag {
    const char *name;
    size_t offset; /* of the const char * in struct sign_args */
};

static const struct sign_flag sign_flags[] = {
    {"--site", offsetof(struct sign_args, site)},
    {"--campaign", offsetof(struct sign_args, campaign)},
    {"--link", offsetof(struct sign_args, link)},
    {"--to", offsetof(struct sign_args, to)},
    {"--recipient", offsetof(struct sign_args, recipient)},
    {"--email", offsetof(struct sign_args, email)},
    {"--key", offsetof(struct sign_args, key)},
};

#define N_SIGN_FLAGS (sizeof(sign_flags) / sizeof(sign_flags[0]))

static int is_unreserved(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
           ch == '~';
}

ssize_t sign_percent_encode(char *dst, size_t cap, const char *src, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)src[i];
        size_t need = is_unreserved(ch) ? 1 : 3;
        if (o + need >= cap) {
            return -1;
        }
        if (need == 1) {
            dst[o++] = (char)ch;
        } else {
            dst[o++] = '%';
            dst[o++] = hex[ch >> 4];
            dst[o++] = hex[ch & 0x0f];
        }
    }
    if (o >= cap) {
        return -1;
    }
    dst[o] = '\0';
    return (ssize_t)o;
}

int sign_pixel_url(char *dst, size_t cap, const char *base, const char *site,
                   const char *campaign, const char *recipient)
{
    int n = snprintf(dst, cap, "%s/o/%s/%s/%s.gif", base, site, campaign,
                     recipient);

    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static struct span span_str(const char *s)
{
    return span_make(s, s != NULL ? strlen(s) : 0);
}

int sign_link_url(char *dst, size_t cap, const struct sign_link *l,
                  const unsigned char *key, size_t keylen)
{
    char msg[SIGN_MSG_MAX];
    char to[3 * CLICKLINK_TO_MAX + 1];
    char sig[CLICKLINK_SIG_LEN + 1];
    int mlen;
    int n;
    int has_r = l->recipient != NULL && l->recipient[0] != '\0';

    mlen = clicklink_message(msg, sizeof(msg), span_str(l->site),
                             span_str(l->campaign), span_str(l->link),
                             span_str(l->to), span_str(l->recipient));
    if (mlen < 0 ||
        sign_percent_encode(to, sizeof(to), l->to, strlen(l->to)) < 0) {
        return -1;
    }
    clicklink_sign(sig, key, keylen, msg, (size_t)mlen);
    n = snprintf(dst, cap, "%s/c/%s/%s/%s?to=%s%s%s&k=%s&sig=%s", l->base,
                 l->site, l->campaign, l->link, to, has_r ? "&r=" : "",
                 has_r ? l->recipient : "", l->key_id, sig);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void sign_usage(FILE *f)
{
    fprintf(f, "Usage: beaconctl [-c FILE] sign pixel --site S --campaign C\n"
               "           (--recipient TOKEN | --email ADDRESS)\n"
               "       beaconctl [-c FILE] sign link --site S --campaign C "
               "--link L --to URL\n"
               "           [--recipient TOKEN | --email ADDRESS] [--key ID]\n"
               "       beaconctl [-c FILE] sign html --site S --campaign C\n"
               "           (--recipient TOKEN | --email ADDRESS) [--key ID] "
               "< IN > OUT\n"
               "\n"
               "Prints the open-pixel URL or the signed click link under "
               "public_url.\n"
               "sign html copies an HTML template (at most 8 MiB) from stdin "
               "to stdout\n"
               "with every http(s) <a href> signed (link id: data-link, else "
               "1, 2, ...)\n"
               "and the open pixel added before </body>; it needs "
               "link_keys.\n"
               "--email derives the recipient token from the address with "
               "recipient_key;\n"
               "--key picks a key of link_keys (default: the first).\n");
}

static const char **find_flag(struct sign_args *a, const char *name, size_t len)
{
    for (size_t i = 0; i < N_SIGN_FLAGS; i++) {
        if (strlen(sign_flags[i].name) == len &&
            memcmp(sign_flags[i].name, name, len) == 0) {
            return (const char **)(void *)((char *)a + sign_flags[i].offset);
        }
    }
    return NULL;
}

/* Parses "--flag VALUE" and "--flag=VALUE" after "sign WHAT". */
static int parse_args(struct sign_args *a, int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
        const char **slot = find_flag(a, arg, len);
        if (slot == NULL) {
            fprintf(stderr, "beaconctl: sign %s: unknown argument '%.*s'\n",
                    a->what, (int)len, arg);
            return -1;
        }
        if (*slot != NULL) {
            fprintf(stderr, "beaconctl: sign %s: %.*s given twice\n", a->what,
                    (int)len, arg);
            return -1;
        }
        if (eq != NULL) {
            *slot = eq + 1;
        } else if (i + 1 < argc) {
            *slot = argv[++i];
        } else {
            fprintf(stderr, "beaconctl: sign %s: %s needs a value\n", a->what,
                    arg);
            return -1;
        }
    }
    return 0;
}

/* Usage checks: flags this subcommand needs, refuses or cannot combine. */
static int check_usage(const struct sign_args *a, int is_link)
{
    const char *missing = NULL;
    const char *stray = NULL;

    if (a->site == NULL) {
        missing = "--site";
    } else if (a->campaign == NULL) {
        missing = "--campaign";
    } else if (is_link && a->link == NULL) {
        missing = "--link";
    } else if (is_link && a->to == NULL) {
        missing = "--to";
    } else if (!is_link && a->recipient == NULL && a->email == NULL) {
        missing = "--recipient or --email";
    }
    if (missing != NULL) {
        fprintf(stderr, "beaconctl: sign %s: %s is required\n", a->what,
                missing);
        return -1;
    }
    if (!is_link) {
        stray = a->link != NULL ? "--link" : a->to != NULL ? "--to" : NULL;
    }
    if (stray == NULL && a->key != NULL && strcmp(a->what, "pixel") == 0) {
        stray = "--key";
    }
    if (stray != NULL) {
        fprintf(stderr, "beaconctl: sign %s: %s does not apply to sign %s\n",
                a->what, stray, a->what);
        return -1;
    }
    if (a->recipient != NULL && a->email != NULL) {
        fprintf(stderr,
                "beaconctl: sign %s: give --recipient or --email, "
                "not both\n",
                a->what);
        return -1;
    }
    return 0;
}

static int bad(const struct sign_args *a, const char *flag, const char *what)
{
    fprintf(stderr, "beaconctl: sign %s: %s: %s\n", a->what, flag, what);
    return -1;
}

/* Value checks, with the collector's validators. */
static int check_values(const struct sign_args *a, int is_link)
{
    if (!hit_valid_site(a->site, strlen(a->site))) {
        return bad(a, "--site", "expected 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    if (!clicklink_valid_id(a->campaign, strlen(a->campaign))) {
        return bad(a, "--campaign", "expected 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    if (is_link && !clicklink_valid_id(a->link, strlen(a->link))) {
        return bad(a, "--link", "expected 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    if (is_link && !clicklink_valid_to(a->to, strlen(a->to))) {
        return bad(a, "--to",
                   "expected an absolute http(s) URL without spaces or "
                   "control characters");
    }
    if (a->recipient != NULL &&
        !clicklink_valid_recipient(a->recipient, strlen(a->recipient))) {
        return bad(a, "--recipient", "expected 8 to 128 of A-Z a-z 0-9 _ -");
    }
    if (a->email != NULL &&
        (a->email[0] == '\0' || strchr(a->email, '@') == NULL)) {
        return bad(a, "--email", "expected an e-mail address");
    }
    return 0;
}

/* Sets token to --recipient or the token derived from --email. */
static int recipient_token(const struct config *c, const struct sign_args *a,
                           char token[CLICKLINK_TOKEN_LEN + 1],
                           const char **out)
{
    unsigned char key[32];

    *out = a->recipient;
    if (a->email == NULL) {
        return 0;
    }
    if (config_recipient_key(c, key) < 0) {
        fprintf(stderr,
                "beaconctl: sign %s: --email needs recipient_key "
                "in [mail] of the configuration\n",
                a->what);
        return -1;
    }
    clicklink_recipient_from_email(token, key, a->email, strlen(a->email));
    sodium_memzero(key, sizeof(key));
    *out = token;
    return 0;
}

/* The signing key: --key, or the first of link_keys (its id in first). */
static int link_key(const struct config *c, const struct sign_args *a,
                    char first[64], const char **id,
                    unsigned char key[CONFIG_KEY_MAX], size_t *keylen)
{
    if (c->link_keys[0] == '\0' || config_first_link_key_id(c, first, 64) < 0) {
        fprintf(stderr,
                "beaconctl: sign %s: no link_keys in [mail] of "
                "the configuration\n",
                a->what);
        return -1;
    }
    *id = a->key != NULL ? a->key : first;
    if (config_link_key(c, *id, key, keylen) < 0) {
        fprintf(stderr, "beaconctl: sign %s: --key: no key '%s' in link_keys\n",
                a->what, *id);
        return -1;
    }
    return 0;
}

static int run_link(const struct config *c, const struct sign_args *a,
                    const char *recipient, char *url, size_t cap)
{
    unsigned char key[CONFIG_KEY_MAX];
    char first[64];
    size_t keylen;
    struct sign_link l;
    int rc;

    if (link_key(c, a, first, &l.key_id, key, &keylen) < 0) {
        return -1;
    }
    l.base = c->public_url;
    l.site = a->site;
    l.campaign = a->campaign;
    l.link = a->link;
    l.to = a->to;
    l.recipient = recipient;
    rc = sign_link_url(url, cap, &l, key, keylen);
    sodium_memzero(key, sizeof(key));
    if (rc < 0) {
        fprintf(stderr, "beaconctl: sign link: the URL is too long\n");
    }
    return rc;
}

/* Signs the template on stdin to stdout; a refused template writes nothing. */
static int run_html(const struct config *c, const struct sign_args *a,
                    const char *recipient)
{
    unsigned char key[CONFIG_KEY_MAX];
    char first[64];
    char err[SIGN_HTML_ERR_LEN];
    struct sign_html h;
    char *in = NULL;
    size_t len;
    int rc = -1;

    if (link_key(c, a, first, &h.key_id, key, &h.keylen) < 0) {
        return -1;
    }
    h.base = c->public_url;
    h.site = a->site;
    h.campaign = a->campaign;
    h.recipient = recipient;
    h.key = key;
    if (sign_html_read(stdin, SIGN_HTML_MAX, &in, &len, err, sizeof(err)) ==
            0 &&
        sign_html_rewrite(stdout, in, len, &h, err, sizeof(err)) == 0) {
        rc = 0;
    } else {
        fprintf(stderr, "beaconctl: sign html: %s\n", err);
    }
    sodium_memzero(key, sizeof(key));
    free(in);
    return rc;
}

int sign_main(const struct config *c, int argc, char **argv)
{
    struct sign_args a;
    char token[CLICKLINK_TOKEN_LEN + 1];
    char url[SIGN_URL_MAX];
    const char *recipient;
    int is_link;
    int is_html;

    memset(&a, 0, sizeof(a));
    if (argc < 2) {
        sign_usage(stderr);
        return 2;
    }
    a.what = argv[1];
    if (strcmp(a.what, "--help") == 0 || strcmp(a.what, "-h") == 0) {
        sign_usage(stdout);
        return 0;
    }
    if (strcmp(a.what, "pixel") != 0 && strcmp(a.what, "link") != 0 &&
        strcmp(a.what, "html") != 0) {
        fprintf(stderr,
                "beaconctl: sign: unknown kind '%s' (pixel, link or "
                "html)\n",
                a.what);
        return 2;
    }
    is_link = strcmp(a.what, "link") == 0;
    is_html = strcmp(a.what, "html") == 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            sign_usage(stdout);
            return 0;
        }
    }
    if (parse_args(&a, argc, argv) < 0 || check_usage(&a, is_link) < 0) {
        return 2;
    }
    if (check_values(&a, is_link) < 0 ||
        recipient_token(c, &a, token, &recipient) < 0) {
        return 1;
    }
    if (is_html) {
        return run_html(c, &a, recipient) < 0 ? 1 : 0;
    }
    if (is_link) {
        if (run_link(c, &a, recipient, url, sizeof(url)) < 0) {
            return 1;
        }
    } else if (sign_pixel_url(url, sizeof(url), c->public_url, a.site,
                              a.campaign, recipient) < 0) {
        fprintf(stderr, "beaconctl: sign pixel: the URL is too long\n");
        return 1;
    }
    if (printf("%s\n", url) < 0 || fflush(stdout) != 0) {
        fprintf(stderr, "beaconctl: sign: cannot write to stdout\n");
        return 1;
    }
    return 0;
}
