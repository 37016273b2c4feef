-- GET the same URL with one extra header (DIVAN_BENCH_HEADER: "name: value", e.g. an API key)
-- and the app id header when DIVAN_BENCH_APP_ID is set.
local header = os.getenv("DIVAN_BENCH_HEADER")
if header then
  local name, value = header:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end
local app_id = os.getenv("DIVAN_BENCH_APP_ID")
if app_id then wrk.headers["x-budibase-app-id"] = app_id end
