-- 100 responses per POST /v1/responses/batch, each with a new id.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  counter = 0
  key = os.getenv("RIDA_BENCH_KEY")
  run = os.getenv("RIDA_BENCH_RUN") or "0"
end
function request()
  local items = {}
  for i = 1, 100 do
    counter = counter + 1
    items[i] = string.format(
      '{"id":"B%s-%d-%d","centre":"C0%d","channel":"counter","submitted_at":"2026-02-01T10:00:00+03:00","q1":%d,"q2":4,"q3":5,"q4":3}',
      run, tid, counter, counter % 5, 1 + counter % 5)
  end
  local body = '{"responses":[' .. table.concat(items, ",") .. ']}'
  return wrk.format("POST", "/v1/responses/batch", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests/s=%.0f responses/s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests / seconds, 100 * summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad))
end
