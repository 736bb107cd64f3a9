-- wrk script: POST /validate of one ACTIVE license with its machine (BENCH_KEY, BENCH_MACHINE).
-- Prints one `BENCH requests=… not200=… invalid=…` line: every answer must be a valid 200.
local body = string.format('{"key":"%s","machineId":"%s","productName":"bench"}',
  os.getenv("BENCH_KEY"), os.getenv("BENCH_MACHINE"))
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init()
  not200, invalid = 0, 0
end

request = function()
  return wrk.format("POST", "/validate", { ["Content-Type"] = "application/json" }, body)
end

response = function(status, headers, answer)
  if status ~= 200 then
    not200 = not200 + 1
  elseif not string.find(answer, '"valid":true', 1, true) then
    invalid = invalid + 1
  end
end

function done(summary, latency, requests)
  local bad, wrong = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not200")
    wrong = wrong + thread:get("invalid")
  end
  io.write(string.format("BENCH requests=%d duration_us=%d not200=%d invalid=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, bad, wrong, latency:percentile(50), latency:percentile(99)))
end
