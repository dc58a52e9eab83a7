/*
 * config_parse.h: the syntax of configuration values (SPEC 8), used by
 * config.c, config_check.c and their tests. config.h exports the plain
 * forms; these forms say what is wrong through *why, a static string that
 * never repeats the value (the value may be a password or a key).
 */
#ifndef BEACON_CONFIG_PARSE_H
#define BEACON_CONFIG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* A key of link_keys or recipient_key decodes to at most this many bytes. */
#define CONFIG_KEY_MAX 128

/* link_keys holds at most this many keys, with ids this long. */
#define CONFIG_LINK_KEYS_MAX 16
#define CONFIG_LINK_ID_MAX 32

/* Decimal digits only: no sign, no space, no suffix, no overflow. */
int config_parse_uint_why(const char *s, uint64_t *out, const char **why);

/* A whole number with B, KiB, MiB or GiB; a plain number is bytes. */
int config_parse_size_why(const char *s, uint64_t *out, const char **why);

/* A whole number with ms, s, m, h or d; a plain number is refused. */
int config_parse_duration_ms_why(const char *s, uint64_t *out,
                                 const char **why);

/* One "IPV4:PORT" or "[IPV6]:PORT" of len bytes (no NUL needed). */
int config_parse_addr_why(const char *s, size_t len, struct config_addr *out,
                          const char **why);

/* Comma-separated addresses, spaces allowed, at least one, no duplicate. */
int config_parse_addr_list_why(const char *s, struct config_addr_list *out,
                               const char **why);

/* redis://[:password@]host[:port][/db] or unix:///path[?db=N]. */
int config_parse_redis_url_why(const char *s, struct config_redis_url *out,
                               const char **why);

/* Comma-separated "ADDR" or "ADDR/BITS", IPv4 or IPv6; empty is valid. */
int config_parse_cidr_list_why(const char *s, const char **why);

/*
 * A key written in hex (every character a hex digit, even count) or else
 * base64 (standard or URL alphabet, padding optional). Decodes len bytes
 * of s into out (room for CONFIG_KEY_MAX bytes) and sets *outlen.
 */
int config_parse_key_why(const char *s, size_t len, uint8_t *out,
                         size_t *outlen, const char **why);

/* "id:key, id:key": ids [A-Za-z0-9._-]{1,32}, unique; keys >= 32 bytes. */
int config_parse_link_keys_why(const char *s, const char **why);

/* Whether s is [A-Za-z0-9._-] plus the characters of extra, 1..max long
 * (key_prefix, instance_id, site ids and hosts). */
int config_is_word(const char *s, const char *extra, size_t max);

/* workers: at most this many. */
#define CONFIG_WORKERS_MAX 256

/* Defined in config.c for config_file.c and config_check.c: what the key
 * table knows, and its numeric keys within their bounds (err names the
 * key). */
int config_section_known(const char *section);
int config_key_known(const char *section, const char *name);
int config_key_is_list(const char *section, const char *name);
int config_check_bounds(const struct config *c, char *err, size_t errlen);

#endif
