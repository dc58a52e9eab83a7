-- mail-open.lua: e-mail open pixels from 10 000 recipients of one
-- campaign, as Apple Mail on macOS fetches them, for wrk.
--   wrk -t1 -c50 -d10s -s mail-open.lua http://127.0.0.1:8080
wrk.headers["User-Agent"] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) " ..
  "AppleWebKit/605.1.15 (KHTML, like Gecko)"
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", string.format("/o/demo/bench/reader-%06d.gif", n % 10000))
end
