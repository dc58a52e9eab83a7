-- mail-click.lua: signed click redirects, for wrk. The paths are read
-- from the file $CLICKS (one per line; bench/run.sh signs 1 000 with
-- beaconctl: 1 000 recipients, 4 links) and sent in turn.
--   CLICKS=clicks.txt wrk -t1 -c50 -d10s -s mail-click.lua http://127.0.0.1:8080
wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) " ..
  "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
local paths = {}
for line in io.lines(os.getenv("CLICKS")) do
  paths[#paths + 1] = line
end
local n = 0
request = function()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end
