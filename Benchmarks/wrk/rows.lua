-- POST one row per request: to the app port's rows endpoint (DIVAN_BENCH_PATH is the
-- path, DIVAN_BENCH_APP_ID the app) or, as the baseline, the same document to the
-- app's database on the CouchDB port (DIVAN_BENCH_TABLE_ID set: the body carries
-- tableId and type, as a stored row does).
local table_id = os.getenv("DIVAN_BENCH_TABLE_ID")
local extra = table_id and string.format('"tableId":"%s","type":"row",', table_id) or ""
wrk.method = "POST"
wrk.body = string.format('{%s"name":"row","status":"open","amount":42,"notes":"%s"}', extra, string.rep("lorem ipsum dolor sit amet ", 30))
wrk.headers["Content-Type"] = "application/json"
local app_id = os.getenv("DIVAN_BENCH_APP_ID")
if app_id then wrk.headers["x-budibase-app-id"] = app_id end
