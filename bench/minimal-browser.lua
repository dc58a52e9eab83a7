-- minimal-browser.lua: the minimal pixel with a browser's user agent, for
-- wrk. beacond drops requests without a user agent as bots, so
-- wrk's bare request measures the drop path; this one is counted.
--   wrk -t1 -c50 -d10s -s minimal-browser.lua http://127.0.0.1:8080
wrk.path = "/p.gif?s=demo&u=/bench"
wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) " ..
  "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
