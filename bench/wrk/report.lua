-- wrk script for bench/run.py: the request comes from the environment (WRK_METHOD, WRK_BODY; headers
-- are given with -H), and `done` prints one machine-readable line with wrk's own counts and its
-- latency percentiles (HdrHistogram, microseconds):
--   WRK_RESULT {"requests":…,"duration_us":…,"errors_status":…,"latency_p50_us":…,"latency_p99_us":…,…}
-- errors_status counts responses with status >= 400; bench/run.py refuses a run that has any.
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"latency_p50_us":%d,"latency_p90_us":%d,' ..
    '"latency_p99_us":%d,"latency_max_us":%d,"latency_mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
