-- batch.lua: POST /e with 10 events per request, as text/plain JSON the
-- way navigator.sendBeacon sends it, for wrk. Compare CPU per request
-- with the pixel's: one request here is ten hits.
--   wrk -t1 -c50 -d10s -s batch.lua http://127.0.0.1:8080
wrk.method = "POST"
wrk.path = "/e"
wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"
wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) " ..
  "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
local events = {}
for i = 1, 10 do
  events[i] = string.format('{"s":"demo","u":"/page/%d","r":"https://news.example/"}', i)
end
wrk.body = "[" .. table.concat(events, ",") .. "]"
