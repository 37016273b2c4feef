-- GET /db/<random id> over the documents the bulk phase wrote (ids doc-000000 ...).
local count = tonumber(os.getenv("DIVAN_BENCH_READ_DOCS") or "100000")
math.randomseed(os.time())
function request()
  return wrk.format("GET", string.format("%s/doc-%06d", wrk.path, math.random(0, count - 1)))
end
