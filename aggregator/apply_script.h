/*
 * apply_script.h: the Lua script that applies one site's part of a batch
 * atomically and at most once (SPEC 7).
 *
 *   KEYS[1]   P:{S}:applied:<instance>   last sequence applied for the site
 *   KEYS[2..] the data keys
 *   ARGV[1]   batch sequence; ARGV[2] TTL of KEYS[1] in seconds
 *   then, for each data key in order:
 *     type ("h" hash, "z" sorted set, "x" sorted set of latest times,
 *     "p" HyperLogLog), expire-at (unix s), n, n x (field, value): "h"
 *     and "z" add the value, "x" keeps the greater of the two (ZADD GT),
 *     "p" adds the field and ignores the value
 *
 * Sequences of one instance only grow (flusher.c sends a batch only after
 * the one before it was acknowledged), so "seq <= last" means a retry of a
 * batch that Redis already applied: it returns 0 and changes nothing.
 * All keys share the site's hash tag, so the script runs on one Cluster
 * slot.
 *
 * A script that fails half-way is not rolled back, and a repeat would then
 * count the first half twice. So every key's type is checked before the
 * first write: a key that some other program created with another type is
 * skipped (never written), the rest applied, and the reply is the negative
 * number of keys skipped.
 */
#ifndef BEACON_APPLY_SCRIPT_H
#define BEACON_APPLY_SCRIPT_H

#define APPLY_SCRIPT                                                           \
    "local last = tonumber(redis.call('GET', KEYS[1]) or '0')\n"               \
    "local seq = tonumber(ARGV[1])\n"                                          \
    "if seq <= last then return 0 end\n"                                       \
    "local want = {h = 'hash', z = 'zset', x = 'zset', p = 'string'}\n"        \
    "local skip, a = {}, 3\n"                                                  \
    "for k = 2, #KEYS do\n"                                                    \
    "  local t = redis.call('TYPE', KEYS[k]).ok\n"                             \
    "  if t ~= 'none' and t ~= want[ARGV[a]] then skip[k] = true end\n"        \
    "  a = a + 3 + 2 * tonumber(ARGV[a + 2])\n"                                \
    "end\n"                                                                    \
    "local skipped = 0\n"                                                      \
    "a = 3\n"                                                                  \
    "for k = 2, #KEYS do\n"                                                    \
    "  local key, t, n = KEYS[k], ARGV[a], tonumber(ARGV[a + 2])\n"            \
    "  local at = ARGV[a + 1]\n"                                               \
    "  a = a + 3\n"                                                            \
    "  if skip[k] then\n"                                                      \
    "    skipped = skipped + 1\n"                                              \
    "  elseif t == 'p' then\n"                                                 \
    "    local m = {}\n"                                                       \
    "    for i = 0, n - 1 do\n"                                                \
    "      m[#m + 1] = ARGV[a + 2 * i]\n"                                      \
    "      if #m == 500 or i == n - 1 then\n"                                  \
    "        redis.call('PFADD', key, unpack(m))\n"                            \
    "        m = {}\n"                                                         \
    "      end\n"                                                              \
    "    end\n"                                                                \
    "    redis.call('EXPIREAT', key, at)\n"                                    \
    "  else\n"                                                                 \
    "    for i = 0, n - 1 do\n"                                                \
    "      local f, v = ARGV[a + 2 * i], ARGV[a + 2 * i + 1]\n"                \
    "      if t == 'h' then\n"                                                 \
    "        redis.call('HINCRBY', key, f, v)\n"                               \
    "      elseif t == 'x' then\n"                                             \
    "        redis.call('ZADD', key, 'GT', v, f)\n"                            \
    "      else\n"                                                             \
    "        redis.call('ZINCRBY', key, v, f)\n"                               \
    "      end\n"                                                              \
    "    end\n"                                                                \
    "    redis.call('EXPIREAT', key, at)\n"                                    \
    "  end\n"                                                                  \
    "  a = a + 2 * n\n"                                                        \
    "end\n"                                                                    \
    "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])\n"                     \
    "if skipped > 0 then return -skipped end\n"                                \
    "return 1\n"

#endif
