-- wrk script: each request asks for a random line of the file named by BENCH_PATHS: a path
-- to GET, or "POST <path> <JSON body>".
local paths = {}

init = function(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    paths[#paths + 1] = line
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

local json_headers = { ["Content-Type"] = "application/json" }

request = function()
  local line = paths[math.random(#paths)]
  local path, body = line:match("^POST (%S+) (.*)$")
  if path then
    return wrk.format("POST", path, json_headers, body)
  end
  return wrk.format("GET", line)
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d non2xx=%d socket_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
