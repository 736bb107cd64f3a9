-- wrk script for bench/run.sh: POST /license/create with a bearer token (BENCH_TOKEN) and the
-- README's example body, naming the client and project run.sh made (BENCH_CLIENT,
-- BENCH_PROJECT); counts every answer that is not 201 and prints one machine-readable summary
-- line at the end.
wrk.method = "POST"
wrk.path = "/license/create"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
wrk.body = '{"duration":12,"clientId":"' .. (os.getenv("BENCH_CLIENT") or "") .. '",'
  .. '"projectId":"' .. (os.getenv("BENCH_PROJECT") or "") .. '","services":["Hosting","Domain"]}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not201 = 0
  first_bad = ""
end

function response(status, headers, body)
  if status ~= 201 then
    not201 = not201 + 1
    if first_bad == "" then
      first_bad = status .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

function done(summary, latency, requests)
  local bad, sample = 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not201")
    local s = thread:get("first_bad")
    if sample == "" and s ~= nil then sample = s end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d not201=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad,
    e.connect + e.read + e.write + e.timeout))
  if sample ~= "" then io.write("BENCH_SAMPLE " .. sample .. "\n") end
end
