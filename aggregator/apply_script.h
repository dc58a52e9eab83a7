/*
 * apply_script.h: the Lua script that applies one site's part of a batch
 * atomically and at most once (SPEC 7).
 *
 *   KEYS[1]   P:{S}:applied:<instance>   last sequence applied for the site
 *   KEYS[2..] the data keys
 *   ARGV[1]   batch sequence; ARGV[2] TTL of KEYS[1] in seconds
 *   then, for each data key in order:
 *     type ("h" hash / "z" sorted set), expire-at (unix s), n, n x (field, incr)
 *
 * Sequences of one instance only grow (flusher.c sends a batch only after
 * the one before it was acknowledged), so "seq <= last" means a retry of a
 * batch that Redis already applied: it returns 0 and changes nothing.
 * All keys share the site's hash tag, so the script runs on one Cluster
 * slot.
 */
#ifndef BEACON_APPLY_SCRIPT_H
#define BEACON_APPLY_SCRIPT_H

#define APPLY_SCRIPT                                                           \
    "local last = tonumber(redis.call('GET', KEYS[1]) or '0')\n"               \
    "local seq = tonumber(ARGV[1])\n"                                          \
    "if seq <= last then return 0 end\n"                                       \
    "local a = 3\n"                                                            \
    "for k = 2, #KEYS do\n"                                                    \
    "  local key, t, n = KEYS[k], ARGV[a], tonumber(ARGV[a + 2])\n"            \
    "  local at = ARGV[a + 1]\n"                                               \
    "  a = a + 3\n"                                                            \
    "  for i = 1, n do\n"                                                      \
    "    if t == 'h' then\n"                                                   \
    "      redis.call('HINCRBY', key, ARGV[a], ARGV[a + 1])\n"                 \
    "    else\n"                                                               \
    "      redis.call('ZINCRBY', key, ARGV[a + 1], ARGV[a])\n"                 \
    "    end\n"                                                                \
    "    a = a + 2\n"                                                          \
    "  end\n"                                                                  \
    "  redis.call('EXPIREAT', key, at)\n"                                      \
    "end\n"                                                                    \
    "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])\n"                     \
    "return 1\n"

#endif
