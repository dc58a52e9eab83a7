/*
 * script.c: see script.h.
 */
#include "collector/script.h"

#include <llhttp.h>

#include "collector/worker.h"

int script_handle(struct worker *w, const struct request *r,
                  const struct ip_addr *peer, struct outbuf *out,
                  enum response_conn conn)
{
    (void)peer;
    metrics_response(&w->metrics, 200);
    if (response_cacheable(out, &w->date, "text/javascript; charset=utf-8",
                           SCRIPT_MAX_AGE_S, beacon_js, beacon_js_len,
                           r->method == HTTP_HEAD, conn) < 0) {
        return -1;
    }
    return conn == RESPONSE_CLOSE ? -1 : 0;
}
