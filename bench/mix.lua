-- mix.lua: the realistic pixel load for wrk (bench/run.sh's "mix" runs).
-- Browser-sized headers (about 600 bytes), 1 000 pages over 5 sites, 100 000
-- visitors (X-Forwarded-For: give beacond trusted_proxies = 127.0.0.1/32),
-- varied user agents, external referrers and utm parameters on some hits,
-- 5 % of requests carrying DNT or Sec-GPC.
--   wrk -t1 -c50 -d10s -s mix.lua http://127.0.0.1:8080
local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
}
local refs = { "", "", "", "https%3A%2F%2Fwww.google.com%2F", "https%3A%2F%2Fnews.ycombinator.com%2Fitem%3Fid%3D1",
               "https%3A%2F%2Fduckduckgo.com%2F", "https%3A%2F%2Ft.co%2Fabc" }
local sections = { "blog", "docs", "pricing", "about", "shop", "help", "news", "careers" }
local n = 0
math.randomseed(os.time())

request = function()
  n = n + 1
  local site = "site" .. (n % 5)
  local page = "/" .. sections[(n % 8) + 1] .. "/article-" .. (math.random(0, 124))
  local path = "/p.gif?s=" .. site .. "&u=https%3A%2F%2F" .. site .. ".example.com" .. page
  local r = refs[math.random(1, #refs)]
  if r ~= "" then path = path .. "&r=" .. r end
  if n % 10 == 0 then path = path .. "&utm_source=newsletter&utm_medium=email&utm_campaign=spring" end
  local v = math.random(0, 99999)
  local h = {
    ["Host"] = "collector.example.com",
    ["User-Agent"] = agents[(v % #agents) + 1],
    ["Accept"] = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
    ["Accept-Language"] = "en-US,en;q=0.9,de;q=0.8",
    ["Accept-Encoding"] = "gzip, deflate, br, zstd",
    ["Referer"] = "https://" .. site .. ".example.com" .. page,
    ["Sec-Fetch-Dest"] = "image", ["Sec-Fetch-Mode"] = "no-cors", ["Sec-Fetch-Site"] = "cross-site",
    ["X-Forwarded-For"] = "10." .. (v % 250) .. "." .. (math.floor(v / 250) % 250) .. "." .. (math.floor(v / 62500) + 1),
  }
  local roll = n % 100
  if roll == 7 or roll == 57 or roll == 77 then h["DNT"] = "1" end
  if roll == 33 or roll == 83 then h["Sec-GPC"] = "1" end
  return wrk.format("GET", path, h)
end
