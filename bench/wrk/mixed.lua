-- Mixed authenticated GETs for wrk (closed loop: the peak rate a few connections reach).
--   wrk -t1 -c16 -d10s -s bench/wrk/mixed.lua http://127.0.0.1:PORT -- PATHS_FILE API_KEY
-- PATHS_FILE holds one request path per line; each connection walks it round-robin.
-- done() prints one JSON line, prefixed "WRK_JSON ", for bench/load_api.py to parse.

local paths = {}
local counter = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  file:close()
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, ' ..
    '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, ' ..
    '"non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
