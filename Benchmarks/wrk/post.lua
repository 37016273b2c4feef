-- POST the same JSON body (DIVAN_BENCH_BODY) on every request, with the app id header
-- when DIVAN_BENCH_APP_ID is set: row searches and their Mango equivalent.
wrk.method = "POST"
wrk.body = os.getenv("DIVAN_BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
local app_id = os.getenv("DIVAN_BENCH_APP_ID")
if app_id then wrk.headers["x-budibase-app-id"] = app_id end
