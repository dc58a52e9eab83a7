/*
 * fuzz_botlist.c: botlist_match and botlist_create with arbitrary input.
 *
 * The whole input is a user agent, matched against the shipped list; the
 * automaton must agree with a naive lower-case substring search over the
 * same patterns. When the input holds a NUL byte, what precedes it is also
 * compiled as a pattern file (create must accept exactly what the
 * documented syntax allows) and what follows is matched against it, again
 * against the naive search: short random lists over few letters are where
 * the failure links of the automaton get exercised.
 *
 * The shipped list is read from share/bot-patterns.txt (run.sh runs the
 * target from the top of the tree), the file botlist_default() embeds:
 * this build has no generated sources, so the embedded array is a stub.
 */
// FUZZ_SOURCES: collector/privacy/botlist.c
// FUZZ_SEED: Mozilla/5.0 (Linux; Android 10; CUBOT X30; wv) Chrome/124.0
// FUZZ_SEED: Mozilla/5.0 (compatible; Googlebot/2.1; +http://g.co/bot)
// FUZZ_SEED: abcd\nbc\naab # c\n#x\n\0aaab xabcx
// FUZZ_SEED: he\nshe\nhis\nhers\0ushers
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/privacy/botlist.h"
#include "tests/fuzz/fuzz_check.h"

#define SHIPPED "share/bot-patterns.txt"
#define PAT_MAX 128
#define TOTAL_MAX 65535

/* Link stubs for the array scripts/embed.sh generates in a real build. */
const unsigned char bot_patterns[] = {0};
const size_t bot_patterns_len = 0;

int LLVMFuzzerInitialize(int *argc, char ***argv);

struct pats {
    const char *p[8192];
    size_t len[8192];
    size_t n;
};

static struct botlist *shipped;
static struct pats shipped_pats;
static char *shipped_text;

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/*
 * The documented syntax, written out again: returns the number of
 * patterns, or -1 where botlist_create must fail (a pattern over 128
 * bytes, a control byte in a pattern, over 65535 pattern bytes in all).
 */
static long naive_parse(const char *t, size_t len, struct pats *out)
{
    size_t i = 0, total = 0;

    out->n = 0;
    while (i < len) {
        size_t e = i, a, b;

        while (e < len && t[e] != '\n') {
            e++;
        }
        a = i;
        b = i;
        while (b < e && !(t[b] == '#' && (b == i || is_blank(t[b - 1])))) {
            b++;
        }
        while (a < b && is_blank(t[a])) {
            a++;
        }
        while (b > a && is_blank(t[b - 1])) {
            b--;
        }
        if (b > a) {
            if (b - a > PAT_MAX) {
                return -1;
            }
            for (size_t k = a; k < b; k++) {
                if ((unsigned char)t[k] < 0x20 || t[k] == 0x7f) {
                    return -1;
                }
            }
            total += b - a;
            if (total > TOTAL_MAX) {
                return -1;
            }
            if (out->n < sizeof out->p / sizeof *out->p) {
                out->p[out->n] = t + a;
                out->len[out->n] = b - a;
            }
            out->n++;
        }
        i = e + 1;
    }
    return (long)out->n;
}

static int naive_match(const struct pats *ps, const char *ua, size_t len)
{
    if (len == 0) {
        return 1;
    }
    for (size_t k = 0; k < ps->n; k++) {
        size_t m = ps->len[k];

        for (size_t i = 0; m <= len && i <= len - m; i++) {
            size_t j = 0;

            while (j < m && lower((unsigned char)ua[i + j]) ==
                                lower((unsigned char)ps->p[k][j])) {
                j++;
            }
            if (j == m) {
                return 1;
            }
        }
    }
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256];
    FILE *f = fopen(SHIPPED, "rb");
    long n;

    (void)argc;
    (void)argv;
    shipped = botlist_load(SHIPPED, err, sizeof err);
    if (shipped == NULL || f == NULL) {
        fprintf(stderr, "fuzz_botlist: run from the top of the tree: %s\n",
                err);
        abort();
    }
    shipped_text = malloc(1 << 20);
    CHECK(shipped_text != NULL);
    n = (long)fread(shipped_text, 1, 1 << 20, f);
    fclose(f);
    CHECK(naive_parse(shipped_text, (size_t)n, &shipped_pats) ==
          (long)botlist_count(shipped));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);

    CHECK(botlist_match(shipped, s, size) ==
          naive_match(&shipped_pats, s, size));

    if (nul != NULL) {
        static struct pats ps;
        size_t plen = (size_t)(nul - s);
        const char *ua = nul + 1;
        size_t ualen = size - plen - 1;
        char err[256] = "";
        struct botlist *b = botlist_create(s, plen, err, sizeof err);
        long want = naive_parse(s, plen, &ps);

        if (want < 0) {
            CHECK(b == NULL);
            CHECK(strncmp(err, "line ", 5) == 0);
            return 0;
        }
        CHECK(b != NULL);
        CHECK(botlist_count(b) == (size_t)want);
        if (ps.n > sizeof ps.p / sizeof *ps.p) {
            botlist_destroy(b); /* more than the table holds: no reference */
            return 0;
        }
        CHECK(botlist_match(b, ua, ualen) == naive_match(&ps, ua, ualen));
        /* Every pattern matches itself, alone and inside a user agent. */
        for (size_t k = 0; k < ps.n && k < 16; k++) {
            CHECK(botlist_match(b, ps.p[k], ps.len[k]) == 1);
        }
        botlist_destroy(b);
    }
    return 0;
}
