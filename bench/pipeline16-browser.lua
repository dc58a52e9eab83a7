-- pipeline16-browser.lua: 16 pipelined pixel requests per write, each with
-- a browser's user agent so that beacond counts them (beacond drops hits
-- without one as bots).
--   wrk -t1 -c50 -d10s -s pipeline16-browser.lua http://127.0.0.1:8080
init = function(args)
  local r = {}
  local h = { ["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) " ..
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36" }
  for i = 1, 16 do
    r[i] = wrk.format("GET", "/p.gif?s=demo&u=/pipelined" .. i, h)
  end
  req = table.concat(r)
end
request = function() return req end
