-- wrk script: GET /api/search over the benchmark query mix (benches/mix.rs), chosen at random.
-- The summary line counts socket errors and answers other than 2xx/3xx (wrk's status errors).
local targets = {
  "/api/search?q=dockworkers",
  "/api/search?q=said",
  "/api/search?q=oil+prices+opec",
  "/api/search?q=aid+convoys+Aleppo",
  "/api/search?q=opec+ministers+agree+to+cut+crude+oil+output+quotas",
  "/api/search?q=%22oil+prices%22",
  "/api/search?q=%22the+company+said%22",
  "/api/search?q=oil+AND+prices",
  "/api/search?q=oil+prices&from=1990&to=1999",
  "/api/search?q=said&from=1987-03&to=1987-03",
  "/api/search?q=said&sort=newest",
}

request = function()
  return wrk.format("GET", targets[math.random(#targets)])
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT %d | %.1f | %.2f | %.2f | %d | %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
