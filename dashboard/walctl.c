/*
 * walctl.c: see walctl.h.
 */
#include "dashboard/walctl.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aggregator/wal_read.h"
#include "proto/useragent.h"

static const char *const open_class[WALREC_OPEN_CLASSES] = {
    "human", "machine", "proxy", "scanner"};

static void usage(FILE *f)
{
    fprintf(f, "Usage: beaconctl wal verify|dump DIR\n"
               "\n"
               "  verify  check every worker's log in DIR (a data dir or "
               "its wal/ folder);\n"
               "          exit 1 when one is torn or damaged, saying where\n"
               "  dump    print every record as a JSON line (pseudonymous "
               "fields only)\n");
}

static void hex(char *out, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sprintf(out + 2 * i, "%02x", b[i]);
    }
}

static void set_span(json_t *o, const char *key, struct span s)
{
    json_object_set_new(o, key, json_stringn(s.p != NULL ? s.p : "", s.len));
}

static int dump_record(void *arg, const struct walrec *r, uint64_t pos)
{
    unsigned worker = *(const unsigned *)arg;
    char id[2 * WALREC_ID_BYTES + 1];
    json_t *o = json_object();

    json_object_set_new(o, "worker", json_integer(worker));
    json_object_set_new(o, "position", json_integer((json_int_t)pos));
    json_object_set_new(o, "time", json_integer((json_int_t)r->time));
    if (r->kind == WALREC_HIT) {
        const struct hit *h = &r->hit;
        json_object_set_new(o, "kind", json_string("hit"));
        set_span(o, "site", span_make(h->site, h->site_len));
        set_span(o, "path", span_make(h->path, h->path_len));
        set_span(o, "event", span_make(h->event, h->event_len));
        json_object_set_new(o, "pageview", json_boolean(h->is_pageview));
        set_span(o, "ref", span_make(h->ref_host, h->ref_len));
        set_span(o, "utm_source", span_make(h->utm_source, h->utm_source_len));
        set_span(o, "utm_medium", span_make(h->utm_medium, h->utm_medium_len));
        set_span(o, "utm_campaign",
                 span_make(h->utm_campaign, h->utm_campaign_len));
        json_object_set_new(
            o, "device", json_string(ua_device_name((enum ua_device)r->device)));
        json_object_set_new(
            o, "browser",
            json_string(ua_browser_name((enum ua_browser)r->browser)));
        if (r->visitor != NULL) {
            hex(id, r->visitor, WALREC_ID_BYTES);
            json_object_set_new(o, "visitor", json_string(id));
        }
    } else {
        const struct walrec_mail *m = &r->mail;
        json_object_set_new(
            o, "kind", json_string(r->kind == WALREC_OPEN ? "open" : "click"));
        set_span(o, "site", m->site);
        set_span(o, "campaign", m->campaign);
        if (r->kind == WALREC_OPEN) {
            json_object_set_new(o, "class",
                                json_string(open_class[m->open_class]));
        } else {
            set_span(o, "link", m->link);
        }
        if (m->recipient != NULL) {
            hex(id, m->recipient, WALREC_ID_BYTES);
            json_object_set_new(o, "recipient", json_string(id));
        }
    }
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (line == NULL) {
        return 1;
    }
    puts(line);
    free(line);
    return 0;
}

/* DIR/wal when DIR is a data dir, else DIR. */
static void log_dir(char *out, size_t cap, const char *dir)
{
    struct stat st;
    snprintf(out, cap, "%s/wal", dir);
    if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(out, cap, "%s", dir);
    }
}

int walctl_main(int argc, char **argv)
{
    char dir[4200], err[512];
    struct wal_segment *segs;
    int verify;

    if (argc != 3 || (strcmp(argv[1], "verify") != 0 &&
                      strcmp(argv[1], "dump") != 0)) {
        usage(stderr);
        return 2;
    }
    verify = strcmp(argv[1], "verify") == 0;
    log_dir(dir, sizeof(dir), argv[2]);
    long n = wal_list(dir, &segs, err, sizeof(err));
    if (n < 0) {
        fprintf(stderr, "beaconctl: %s\n", err);
        return 1;
    }
    if (n == 0 && verify) {
        printf("%s: no log segments\n", dir);
    }
    int status = 0;
    for (long i = 0; i < n;) {
        unsigned worker = segs[i].worker;
        long first = i, count = 0;
        while (i < n && segs[i].worker == worker) {
            i++;
            count++;
        }
        struct wal_read_result res;
        if (wal_read(dir, segs, (size_t)n, worker, segs[first].start,
                     UINT64_MAX,
                     verify ? NULL : dump_record, &worker, &res, err,
                     sizeof(err)) < 0) {
            fprintf(stderr, "beaconctl: %s\n", err);
            status = 1;
            continue;
        }
        if (verify) {
            printf("worker %u: %ld segment%s, %llu records, positions "
                   "%llu to %llu: %s%s%s\n",
                   worker, count, count == 1 ? "" : "s",
                   (unsigned long long)res.records,
                   (unsigned long long)segs[first].start,
                   (unsigned long long)res.position,
                   res.end == WAL_END_CLEAN  ? "ok"
                   : res.end == WAL_END_TORN ? "torn: "
                                             : "damaged: ",
                   res.end == WAL_END_CLEAN ? "" : res.where,
                   res.end == WAL_END_CLEAN ? "" : " (nothing after it is read)");
        } else if (res.end != WAL_END_CLEAN) {
            fprintf(stderr, "beaconctl: worker %u: %s: %s\n", worker,
                    res.end == WAL_END_TORN ? "torn" : "damaged", res.where);
        }
        if (res.end != WAL_END_CLEAN) {
            status = 1;
        }
    }
    free(segs);
    return status;
}
