-- S3 requests from a file of presigned "METHOD /path?query" lines, round robin, each
-- thread starting at its own offset; PUTs send the bytes of another file. With one
-- line the request is static (built once: large bodies are not copied per request).
local requests = {}
for line in io.lines(os.getenv("DIVAN_BENCH_S3_REQUESTS")) do
  local method, path = line:match("^(%S+) (%S+)$")
  requests[#requests + 1] = {method, path}
end
local file = io.open(os.getenv("DIVAN_BENCH_S3_BODY"), "rb")
local body = file:read("*a")
file:close()
if body == "" then body = nil end

local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end

if #requests == 1 then
  wrk.method = requests[1][1]
  wrk.path = requests[1][2]
  wrk.body = body
else
  offset = 0
  local sent = 0
  function request()
    sent = sent + 1
    local r = requests[(offset * 7919 + sent) % #requests + 1]
    return wrk.format(r[1], r[2], nil, r[1] == "PUT" and body or nil)
  end
end
