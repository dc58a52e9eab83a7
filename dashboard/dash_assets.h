/*
 * dash_assets.h: the dashboard page's files, built into the binary so
 * that it works offline and needs nothing installed at run time:
 * share/dash.html (/dash), share/dash.js (/dash/app.js), and Chart.js
 * 3 from Debian's libjs-chart.js (/dash/chart.js). Each array holds the
 * file's bytes and a NUL after them (scripts/embed.sh).
 */
#ifndef BEACON_DASH_ASSETS_H
#define BEACON_DASH_ASSETS_H

#include <stddef.h>

extern const unsigned char dash_html[];
extern const size_t dash_html_len;
extern const unsigned char dash_js[];
extern const size_t dash_js_len;
extern const unsigned char chart_js[];
extern const size_t chart_js_len;

#endif
