// beacon.js: the page script of beacond (SPEC 2.6), served from the
// binary at /beacon.js. Include it as
//   <script defer data-site="SITE" src="https://COLLECTOR/beacon.js"></script>
// It counts the pageview on load and on each history navigation of a
// single-page app, and exposes beacon("event-name") for custom events.
// It sends to the place it was loaded from: POST /e with sendBeacon
// (text/plain JSON: no CORS preflight), or the pixel where sendBeacon is
// missing or refuses. Under Do Not Track or Global Privacy Control it
// sends nothing at all, and beacon() does nothing. It sends no more than
// the collector keeps: the page's origin and path with its utm_*
// parameters only (a query can hold e-mail addresses and tokens), and
// the referrer's origin.
//
// scripts/jsmin.sh turns this file into what is served: it drops the
// lines that are only a comment and the indentation. So: no comment after
// code on a line, and every statement ends with ";" or "}".
(function (w, d, n, l) {
var s = d.currentScript;
var site = s && s.getAttribute("data-site");
var base = s && s.src.replace(/\/beacon\.js([?#].*)?$/, "");
var noop = function () {};
if (n.doNotTrack == "1" || w.doNotTrack == "1" || n.globalPrivacyControl || !site) {
  w.beacon = noop;
  return;
}
var enc = encodeURIComponent;
// the origin of a URL, "" for none or a bad one
function origin(u) {
  try {
    return new URL(u).origin;
  } catch (x) {
    return "";
  }
}
// the page last counted, and where the visitor came from
var page = "";
var ref = origin(d.referrer);
function send(e) {
  var q = [];
  new URLSearchParams(l.search).forEach(function (v, k) {
    if (k.indexOf("utm_") == 0) {
      q.push(enc(k) + "=" + enc(v));
    }
  });
  var ev = {s: site, u: l.origin + l.pathname + (q.length ? "?" + q.join("&") : "")};
  if (ref) {
    ev.r = ref;
  }
  if (e) {
    ev.e = e;
  }
  if (!(n.sendBeacon && n.sendBeacon(base + "/e", JSON.stringify(ev)))) {
    var p = "";
    for (var k in ev) {
      p += "&" + k + "=" + enc(ev[k]);
    }
    new Image().src = base + "/p.gif?" + p.slice(1);
  }
}
// a pageview when the path or query changed (a hash change is no page)
function view() {
  var p = l.pathname + l.search;
  if (p != page) {
    if (page) {
      ref = l.origin;
    }
    page = p;
    send();
  }
}
var push = history.pushState;
history.pushState = function () {
  push.apply(this, arguments);
  view();
};
w.addEventListener("popstate", view);
w.beacon = function (name) {
  send(String(name));
};
view();
})(window, document, navigator, location);
