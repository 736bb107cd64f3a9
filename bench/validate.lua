-- wrk script: POST BENCH_PATH (default /validate) of one ACTIVE license with its machine
-- (BENCH_KEY, BENCH_MACHINE). Prints one `BENCH requests=… not200=… invalid=…` line: every
-- answer must be a 200 with `"valid":true`; the first wrong one is shown (BENCH_SAMPLE).
local body = string.format('{"key":"%s","machineId":"%s","productName":"bench"}',
  os.getenv("BENCH_KEY"), os.getenv("BENCH_MACHINE"))
local path = os.getenv("BENCH_PATH") or "/validate"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init()
  not200, invalid, first_bad = 0, 0, ""
end

request = function()
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end

response = function(status, headers, answer)
  if status ~= 200 then
    not200 = not200 + 1
  elseif not string.find(answer, '"valid":true', 1, true) then
    invalid = invalid + 1
  else
    return
  end
  if first_bad == "" then first_bad = status .. " " .. string.sub(answer or "", 1, 200) end
end

function done(summary, latency, requests)
  local bad, wrong, sample = 0, 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not200")
    wrong = wrong + thread:get("invalid")
    local s = thread:get("first_bad")
    if sample == "" and s ~= nil then sample = s end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d not200=%d invalid=%d p50_us=%d p99_us=%d socket_errors=%d\n",
    summary.requests, summary.duration, bad, wrong, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout))
  if sample ~= "" then io.write("BENCH_SAMPLE " .. sample .. "\n") end
end
