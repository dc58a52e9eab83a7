/*
 * apply_script.h: the Lua script that applies one call of a site's part
 * of a batch (site_calls.h) atomically and at most once (SPEC 7).
 *
 *   KEYS[1]   P:{S}:applied:<instance>   "<seq>:<call>", the last call
 *             applied for the site ("<seq>" alone, from older versions:
 *             all of that batch)
 *   KEYS[2..n+1] the n data keys
 *   KEYS[n+2..] the HyperLogLogs the "a" keys' areas may merge into
 *             (<key>:<area> and <key>:(other)): the script finds which
 *             through the set, but Redis Cluster must see every key a
 *             call writes, so that a slot being migrated redirects the
 *             call (ASK, TRYAGAIN) rather than have it create a key the
 *             migration has yet to move
 *   ARGV[1]   batch sequence; ARGV[2] the call's number in the site's part
 *   of the batch, from 0; ARGV[3] TTL of KEYS[1] in seconds; ARGV[4]
 *   max_areas, the day's cap of areas with their own HyperLogLog; ARGV[5]
 *   max_members, the cap of a sorted set's members; ARGV[6] n
 *   then, for each data key in order:
 *     type ("h" hash, "z" sorted set, "x" sorted set of latest times,
 *     "p" HyperLogLog, "a" the day's index of areas), expire-at (unix s),
 *     n, n x (field, value): "h" and "z" add the value, "x" keeps the
 *     greater of the two (ZADD GT), "p" merges the field, a HyperLogLog
 *     string (aggregator/sketch.h), and ignores the value. An "a" key is
 *     the set P:{S}:uva:d:<day> of the areas that have their own
 *     HyperLogLog that day; its fields are areas and its values their
 *     HyperLogLog strings: merged into <key>:<area> when the area is in
 *     the set or the set has room (then it joins), else into
 *     <key>:(other). Their types are checked before the first write like
 *     every key's.
 *
 * A sorted set keeps its first max_members members, whichever flush or
 * instance brought them: a new member past the cap adds to "(other)" in
 * a "z" set and is left out of an "x" set (times do not add up).
 * "(other)" itself is not counted.
 *
 * A sorted set's members go in bulk when that cannot meet the cap, the
 * set is at most 4 times the call's part of it, and the two hold at most
 * 10 000 members: ZADD into a scratch set (emptied first), ZUNIONSTORE
 * (SUM for "z", MAX for "x": what ZINCRBY and ZADD GT do member by
 * member). That is three commands instead of one a member (a page's hour
 * and day keys take most of a flush's commands). The union rewrites the
 * set: the bounds keep that in proportion to the members written and
 * under about 15 ms. Otherwise they go one by one.
 *
 * A string merges through KEYS[1]..":sketch", SET and PFMERGE, and bulk
 * members through KEYS[1]..":members"; both are deleted before the script
 * returns: no client ever sees them.
 *
 * Calls are applied in order: sequences of one instance only grow
 * (flusher.c sends a batch only after the one before it was acknowledged)
 * and a site's calls go in order on one connection. So a call at or
 * before the recorded one is a retry of a call Redis already applied: it
 * returns 0 and changes nothing. A call whose predecessor is not recorded
 * (that one failed, and the ones after it came anyway) is refused with an
 * error, and the batch is sent again from its first call. All keys share
 * the site's hash tag, so the script runs on one Cluster slot.
 *
 * A script that fails half-way is not rolled back, and a repeat would then
 * count the first half twice. So every key's type is checked before the
 * first write: a key that some other program created with another type is
 * skipped (never written), the rest applied, and the reply is the negative
 * number of keys skipped. A string that is not a HyperLogLog fails only
 * its PFMERGE, which changes nothing: it counts as skipped too.
 */
#ifndef BEACON_APPLY_SCRIPT_H
#define BEACON_APPLY_SCRIPT_H

#define APPLY_SCRIPT                                                           \
    "local seq, call = tonumber(ARGV[1]), tonumber(ARGV[2])\n"                 \
    "local last, last_call = 0, -1\n"                                          \
    "local mark = redis.call('GET', KEYS[1])\n"                                \
    "if mark then\n"                                                           \
    "  local s, c = string.match(mark, '^(%d+):(%d+)$')\n"                     \
    "  if s then\n"                                                            \
    "    last, last_call = tonumber(s), tonumber(c)\n"                         \
    "  else\n"                                                                 \
    "    last, last_call = tonumber(mark) or 0, math.huge\n"                   \
    "  end\n"                                                                  \
    "end\n"                                                                    \
    "if seq < last or (seq == last and call <= last_call) then return 0 end\n" \
    "if call > 0 and (seq ~= last or last_call ~= call - 1) then\n"            \
    "  return redis.error_reply('ERR batch ' .. ARGV[1] .. ' call ' .. ARGV[2] ..\n"\
    "    ' comes before call ' .. (call - 1) .. ' was applied')\n"             \
    "end\n"                                                                    \
    "local cap_areas, cap = tonumber(ARGV[4]), tonumber(ARGV[5])\n"            \
    "local tmp = KEYS[1] .. ':sketch'\n"                                       \
    "local want = {h = 'hash', z = 'zset', x = 'zset', p = 'string',\n"        \
    "  a = 'set'}\n"                                                           \
    "local function foreign(key, t)\n"                                         \
    "  local have = redis.call('TYPE', key).ok\n"                              \
    "  return have ~= 'none' and have ~= t\n"                                  \
    "end\n"                                                                    \
    "local data_keys = tonumber(ARGV[6]) + 1\n"                              \
    "local skip, a = {}, 7\n"                                                  \
    "for k = 2, data_keys do\n"                                                \
    "  local n = tonumber(ARGV[a + 2])\n"                                      \
    "  if foreign(KEYS[k], want[ARGV[a]]) then skip[k] = true end\n"           \
    "  if ARGV[a] == 'a' and not skip[k] then\n"                               \
    "    skip[k] = foreign(KEYS[k] .. ':(other)', 'string')\n"                 \
    "    for i = 0, n - 1 do\n"                                                \
    "      local area = ARGV[a + 3 + 2 * i]\n"                                 \
    "      skip[k] = skip[k] or foreign(KEYS[k] .. ':' .. area, 'string')\n"   \
    "    end\n"                                                                \
    "  end\n"                                                                  \
    "  a = a + 3 + 2 * n\n"                                                    \
    "end\n"                                                                    \
    "local skipped = 0\n"                                                      \
    "local function merge(key, hll)\n"                                         \
    "  redis.call('SET', tmp, hll)\n"                                          \
    "  if redis.pcall('PFMERGE', key, tmp).err then\n"                         \
    "    skipped = skipped + 1\n"                                              \
    "  end\n"                                                                  \
    "end\n"                                                                    \
    "local scratch = KEYS[1] .. ':members'\n"                                 \
    "local function bulk(key, t, n, a)\n"                                      \
    "  redis.call('DEL', scratch)\n"                                           \
    "  for i = 0, n - 1, 1000 do\n"                                            \
    "    local args = {}\n"                                                    \
    "    for j = i, math.min(n, i + 1000) - 1 do\n"                            \
    "      args[#args + 1] = ARGV[a + 2 * j + 1]\n"                            \
    "      args[#args + 1] = ARGV[a + 2 * j]\n"                                \
    "    end\n"                                                                \
    "    redis.call('ZADD', scratch, unpack(args))\n"                          \
    "  end\n"                                                                  \
    "  redis.call('ZUNIONSTORE', key, 2, key, scratch, 'AGGREGATE',\n"         \
    "    t == 'z' and 'SUM' or 'MAX')\n"                                       \
    "end\n"                                                                    \
    "a = 7\n"                                                                  \
    "for k = 2, data_keys do\n"                                                \
    "  local key, t, n = KEYS[k], ARGV[a], tonumber(ARGV[a + 2])\n"            \
    "  local at = ARGV[a + 1]\n"                                               \
    "  a = a + 3\n"                                                            \
    "  if skip[k] then\n"                                                      \
    "    skipped = skipped + 1\n"                                              \
    "  elseif t == 'p' then\n"                                                 \
    "    for i = 0, n - 1 do merge(key, ARGV[a + 2 * i]) end\n"                \
    "    redis.call('EXPIREAT', key, at)\n"                                    \
    "  elseif t == 'a' then\n"                                                 \
    "    for i = 0, n - 1 do\n"                                                \
    "      local area = ARGV[a + 2 * i]\n"                                     \
    "      if redis.call('SISMEMBER', key, area) == 0 then\n"                  \
    "        if redis.call('SCARD', key) < cap_areas then\n"                   \
    "          redis.call('SADD', key, area)\n"                                \
    "        else\n"                                                           \
    "          area = '(other)'\n"                                             \
    "        end\n"                                                            \
    "      end\n"                                                              \
    "      merge(key .. ':' .. area, ARGV[a + 2 * i + 1])\n"                   \
    "      redis.call('EXPIREAT', key .. ':' .. area, at)\n"                   \
    "    end\n"                                                                \
    "    redis.call('EXPIREAT', key, at)\n"                                    \
    "  elseif t == 'h' then\n"                                                 \
    "    for i = 0, n - 1 do\n"                                                \
    "      redis.call('HINCRBY', key, ARGV[a + 2 * i], ARGV[a + 2 * i + 1])\n" \
    "    end\n"                                                                \
    "    redis.call('EXPIREAT', key, at)\n"                                    \
    "  else\n"                                                                 \
    "    local have, each = redis.call('ZCARD', key), n\n"                     \
    "    if n >= 4 and have + n <= cap and have <= 4 * n and\n"                \
    "        have + n <= 10000 then\n"                                         \
    "      bulk(key, t, n, a)\n"                                               \
    "      each = 0\n"                                                         \
    "    elseif have + n > cap and redis.call('ZSCORE', key, '(other)') then\n"\
    "      have = have - 1\n"                                                  \
    "    end\n"                                                                \
    "    for i = 0, each - 1 do\n"                                             \
    "      local f, v = ARGV[a + 2 * i], ARGV[a + 2 * i + 1]\n"                \
    "      local new\n"                                                        \
    "      if f ~= '(other)' and have >= cap and\n"                            \
    "          not redis.call('ZSCORE', key, f) then\n"                        \
    "        if t == 'z' then redis.call('ZINCRBY', key, v, '(other)') end\n"  \
    "      elseif t == 'z' then\n"                                             \
    "        new = tonumber(redis.call('ZINCRBY', key, v, f)) == tonumber(v)\n"\
    "      else\n"                                                             \
    "        new = redis.call('ZADD', key, 'GT', v, f) == 1\n"                 \
    "      end\n"                                                              \
    "      if new and f ~= '(other)' then have = have + 1 end\n"               \
    "    end\n"                                                                \
    "    redis.call('EXPIREAT', key, at)\n"                                    \
    "  end\n"                                                                  \
    "  a = a + 2 * n\n"                                                        \
    "end\n"                                                                    \
    "redis.call('DEL', tmp, scratch)\n"                                        \
    "redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'EX', ARGV[3])\n"   \
    "if skipped > 0 then return -skipped end\n"                                \
    "return 1\n"

#endif
