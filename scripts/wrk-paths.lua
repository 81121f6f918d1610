-- wrk script: each connection walks the paths of WRK_PATHS (a file, one path per line)
-- in turn, starting at a different one, so that no single query's cache decides.
local paths = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("start", counter)
end

function init(args)
  local file = os.getenv("WRK_PATHS")
  for line in io.lines(file) do
    if line ~= "" then table.insert(paths, line) end
  end
  i = start or 1
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  io.write(string.format("WRK %d requests, %d non-2xx, %.1f req/s, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms\n",
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
