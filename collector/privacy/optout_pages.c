/*
 * optout_pages.c: see optout_pages.h. The cookie is the only state: the
 * collector keeps no list of browsers that opted out.
 */
#include "collector/privacy/optout_pages.h"

#include <llhttp.h>
#include <stdio.h>
#include <string.h>

#include "collector/privacy/gate.h"
#include "collector/server.h"
#include "collector/worker.h"

/* 5 years, SPEC 2.5. */
#define OPTOUT_MAX_AGE "157680000"
/* The day this collector's GPC support last changed (the .well-known
 * file's lastUpdate). */
#define GPC_LAST_UPDATE "2026-11-26"

static const char optout_html[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>Opted out</title></head><body>\n"
    "<h1>You are opted out</h1>\n"
    "<p>This browser now carries a cookie that tells this collector not to "
    "count its visits. Nothing about your visits is recorded while the "
    "cookie is present. Clearing your cookies undoes it.</p>\n"
    "<p><a href=\"optin\">Opt back in</a></p>\n</body></html>\n";

static const char optin_html[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>Opted in</title></head><body>\n"
    "<h1>You are opted in again</h1>\n"
    "<p>The opt-out cookie was removed. Visits from this browser are "
    "counted again, as anonymous totals; Do Not Track and Global Privacy "
    "Control are still honoured.</p>\n"
    "<p><a href=\"optout\">Opt out</a></p>\n</body></html>\n";

/* "SameSite=None; Secure" for a collector on another site over HTTPS
 * (cookie_secure = yes), else "SameSite=Lax". */
static const char *same_site(const struct worker *w)
{
    return w->srv->cfg->cookie_secure ? "SameSite=None; Secure"
                                      : "SameSite=Lax";
}

static int page(struct worker *w, const struct request *r,
                struct outbuf *out, enum response_conn conn,
                const char *cookie_value, const char *max_age,
                const char *html, size_t html_len)
{
    char set_cookie[256];
    snprintf(set_cookie, sizeof(set_cookie),
             "Set-Cookie: " GATE_OPTOUT_COOKIE "=%s; Max-Age=%s; Path=/; "
             "HttpOnly; %s\r\n",
             cookie_value, max_age, same_site(w));
    metrics_response(&w->metrics, 200);
    if (response_simple(out, &w->date, 200, "text/html; charset=utf-8",
                        set_cookie, html, html_len, r->method == HTTP_HEAD,
                        conn) < 0) {
        return -1;
    }
    return conn == RESPONSE_CLOSE ? -1 : 0;
}

int optout_page(struct worker *w, const struct request *r,
                const struct ip_addr *peer, struct outbuf *out,
                enum response_conn conn)
{
    (void)peer;
    return page(w, r, out, conn, "1", OPTOUT_MAX_AGE, optout_html,
                sizeof(optout_html) - 1);
}

int optin_page(struct worker *w, const struct request *r,
               const struct ip_addr *peer, struct outbuf *out,
               enum response_conn conn)
{
    (void)peer;
    return page(w, r, out, conn, "", "0", optin_html, sizeof(optin_html) - 1);
}

int gpc_json(struct worker *w, const struct request *r,
             const struct ip_addr *peer, struct outbuf *out,
             enum response_conn conn)
{
    static const char body[] =
        "{\"gpc\": true, \"lastUpdate\": \"" GPC_LAST_UPDATE "\"}\n";
    (void)peer;
    metrics_response(&w->metrics, 200);
    if (response_simple(out, &w->date, 200, "application/json", NULL, body,
                        sizeof(body) - 1, r->method == HTTP_HEAD, conn) < 0) {
        return -1;
    }
    return conn == RESPONSE_CLOSE ? -1 : 0;
}
