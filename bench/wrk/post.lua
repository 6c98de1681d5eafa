-- wrk script for bench/compare.sh: POSTs the JSON bodies of the file named by BENCH_BODIES (one body per line) in
-- turn, each thread starting at its own offset, with the extra headers of BENCH_HEADERS ("Name: value|Name: value").
-- Requests are formatted once in init (not per request) so the load generator spends its core on sending.
-- done() prints one machine-readable line: RESULT requests seconds rps p50_ms p99_ms errors non2xx.
local requests = {}
local counter = 0
local thread_index = 0

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  local extra = os.getenv("BENCH_HEADERS") or ""
  for pair in string.gmatch(extra, "[^|]+") do
    local name, value = string.match(pair, "^%s*([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  local file = assert(io.open(assert(os.getenv("BENCH_BODIES"), "BENCH_BODIES not set"), "r"))
  for line in file:lines() do
    if #line > 0 then
      table.insert(requests, wrk.format("POST", nil, headers, line))
    end
  end
  file:close()
  thread_index = (id or 0) * 7919
end

function request()
  counter = counter + 1
  return requests[((thread_index + counter) % #requests) + 1]
end

function done(summary, latency, requests_)
  local seconds = summary.duration / 1e6
  local non2xx = summary.errors.status
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %.3f %.1f %.3f %.3f %d %d\n", summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, non2xx))
end
