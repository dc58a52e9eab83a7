// dash.js: the dashboard page's script (served as /dash/app.js). It reads
// /api/sites and /api/stats on the same admin listener and draws them; the
// state (site, from, to) lives in the page's query string, so a view can
// be bookmarked. No external script, font or image.
"use strict";

const $ = (id) => document.getElementById(id);
const charts = {};

// 12 345; 1.2 k, 3.4 M on chart axes
function num(n) {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
}
function short(n) {
  if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(1) + " M";
  if (Math.abs(n) >= 1e3) return (n / 1e3).toFixed(1) + " k";
  return String(n);
}
function dec(x) { return x.toFixed(2); }
function pct(x) { return (x * 100).toFixed(1) + " %"; }

function dayStamp(d) { return d.toISOString().slice(0, 10).replace(/-/g, ""); }
function dayInput(s) { return s.slice(0, 4) + "-" + s.slice(4, 6) + "-" + s.slice(6, 8); }
function today() { return dayStamp(new Date()); }
function daysBefore(n) { return dayStamp(new Date(Date.now() - n * 86400000)); }

function params() {
  const q = new URLSearchParams(location.search);
  return { site: q.get("site") || "", from: q.get("from") || today(),
           to: q.get("to") || q.get("from") || today() };
}

function go(p) {
  const q = new URLSearchParams(p);
  history.replaceState(null, "", "?" + q.toString());
  load();
}

function showError(text) {
  const e = $("error");
  e.textContent = text;
  e.style.display = text ? "block" : "none";
}

function change(now, prev) {
  if (prev === 0) return now === 0 ? "" : "new";
  const c = (now - prev) / prev;
  return (c >= 0 ? "+" : "") + (c * 100).toFixed(0) + " %";
}

function card(id, now, prev, fmt) {
  $("v-" + id).textContent = fmt(now);
  const p = $("p-" + id);
  const c = change(now, prev);
  p.textContent = "previous " + fmt(prev) + (c ? " (" + c + ")" : "");
  p.className = "prev " + (now > prev ? "up" : now < prev ? "down" : "");
}

// rows: arrays of cells; cols: [{title, n (numeric)}]
function table(el, cols, rows, empty) {
  el.textContent = "";
  if (rows.length === 0) {
    const p = document.createElement("p");
    p.className = "empty";
    p.textContent = empty;
    el.appendChild(p);
    return;
  }
  const t = document.createElement("table");
  const head = t.insertRow();
  for (const c of cols) {
    const th = document.createElement("th");
    th.textContent = c.title;
    if (c.n) th.className = "n";
    head.appendChild(th);
  }
  for (const r of rows) {
    const tr = t.insertRow();
    r.forEach((v, i) => {
      const td = tr.insertCell();
      td.textContent = v;
      td.className = cols[i].n ? "n" : "name";
    });
  }
  el.appendChild(t);
}

function topList(id, list, title, empty) {
  table($("t-" + id), [{ title }, { title: "Count", n: true }],
        list.map((m) => [m.name, num(m.count)]), empty);
}

function draw(id, config) {
  if (charts[id]) charts[id].destroy();
  if (typeof Chart === "undefined") return; // the page works without charts
  charts[id] = new Chart($(id), config);
}

function label(t) {
  if (t.length === 8) return t.slice(4, 6) + "-" + t.slice(6, 8);
  if (t.length === 10) return t.slice(8, 10) + ":00";
  return t.slice(8, 10) + ":" + t.slice(10, 12);
}

function render(s) {
  const t = s.totals, p = s.previous_totals;
  card("visitors", t.visitors, p.visitors, num);
  card("pageviews", t.pageviews, p.pageviews, num);
  card("events", t.events, p.events, num);
  card("ppv", t.pageviews_per_visitor, p.pageviews_per_visitor, dec);

  $("series-title").textContent = "Visitors and pageviews per " + (s.g === "h" ? "hour" : "day");
  $("series-empty").hidden = t.pageviews > 0;
  const axis = { beginAtZero: true, ticks: { callback: short, precision: 0 } };
  draw("series", { type: "line",
    data: { labels: s.series.map((x) => label(x.t)),
            datasets: [{ label: "Visitors", data: s.series.map((x) => x.visitors), borderColor: "#2f6fdf", backgroundColor: "#2f6fdf" },
                       { label: "Pageviews", data: s.series.map((x) => x.pageviews), borderColor: "#e0803a", backgroundColor: "#e0803a" }] },
    options: { maintainAspectRatio: false, animation: false, scales: { y: axis } } });

  $("live-total").textContent = num(s.live.pageviews);
  draw("live", { type: "bar",
    data: { labels: s.live.series.map((x) => label(x.t)),
            datasets: [{ label: "Pageviews", data: s.live.series.map((x) => x.pageviews), backgroundColor: "#2f6fdf" }] },
    options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: axis } } });

  const none = "None in this range.";
  topList("pages", s.pages, "Page", "No pageviews in this range.");
  topList("referrers", s.referrers, "Referrer", "No pageview came from another site in this range.");
  topList("utm", s.utm, "source/medium/campaign", "No pageview carried utm parameters in this range.");
  topList("events", s.events, "Event", "No custom events in this range (the page script sends them with beacon('name')).");
  topList("devices", s.devices, "Device", none);
  topList("browsers", s.browsers, "Browser", none);
  table($("t-areas"), [{ title: "Area" }, { title: "Visitors", n: true }, { title: "Pageviews", n: true }, { title: "Per visitor", n: true }],
        s.areas.map((a) => [a.name, num(a.visitors), num(a.pageviews), dec(a.pageviews_per_visitor)]),
        "No pageviews in this range.");
  table($("t-campaigns"),
        [{ title: "Campaign" }, { title: "Last activity" }, { title: "Opens", n: true }, { title: "Human", n: true },
         { title: "Machine", n: true }, { title: "Proxy", n: true }, { title: "Scanner", n: true },
         { title: "Unique openers", n: true }, { title: "Clicks", n: true }, { title: "Click-to-open", n: true }, { title: "Clicks per link" }],
        s.campaigns.map((c) => [c.campaign, new Date(c.last_activity * 1000).toISOString().slice(0, 16).replace("T", " "),
                                num(c.opens), num(c.opens_human), num(c.opens_machine), num(c.opens_proxy), num(c.opens_scanner),
                                num(c.unique_openers), num(c.clicks), pct(c.click_to_open),
                                c.links.map((l) => l.name + " " + num(l.count)).join(", ")]),
        "No e-mail opens or clicks since the start of this range.");
  document.body.dataset.loaded = s.from + "-" + s.to;
}

async function getJSON(url) {
  // resolved against the origin: a page opened as http://user:pw@host/dash
  // may not fetch a URL relative to its own (credentials in the URL)
  const r = await fetch(new URL(url, location.origin), { credentials: "same-origin" });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || r.status + " " + r.statusText);
  return body;
}

async function load() {
  const p = params();
  $("from").value = dayInput(p.from);
  $("to").value = dayInput(p.to);
  for (const b of ["today", "last7", "last30"]) $(b).className = "";
  if (p.from === p.to && p.to === today()) $("today").className = "on";
  if (p.to === today() && p.from === daysBefore(6)) $("last7").className = "on";
  if (p.to === today() && p.from === daysBefore(29)) $("last30").className = "on";
  try {
    const sites = await getJSON("/api/sites");
    const sel = $("site");
    sel.textContent = "";
    for (const s of sites.sites) sel.add(new Option(s, s));
    if (sites.sites.length === 0) {
      showError("No site has been counted yet: once a pixel, a beacon or a log line is counted, its site shows here.");
      return;
    }
    if (!p.site || !sites.sites.includes(p.site)) p.site = sites.sites[0];
    sel.value = p.site;
    const s = await getJSON("/api/stats?" + new URLSearchParams(p).toString());
    showError("");
    render(s);
  } catch (e) {
    showError("Cannot read the figures: " + e.message);
  }
}

function picked() {
  return { site: $("site").value, from: $("from").value.replace(/-/g, ""), to: $("to").value.replace(/-/g, "") };
}

$("site").addEventListener("change", () => go(picked()));
$("from").addEventListener("change", () => go(picked()));
$("to").addEventListener("change", () => go(picked()));
$("today").addEventListener("click", () => go({ site: $("site").value, from: today(), to: today() }));
$("last7").addEventListener("click", () => go({ site: $("site").value, from: daysBefore(6), to: today() }));
$("last30").addEventListener("click", () => go({ site: $("site").value, from: daysBefore(29), to: today() }));
load();
