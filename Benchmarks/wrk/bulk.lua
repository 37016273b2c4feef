-- POST /db/_bulk_docs with 1,000 documents of about 1 KB, unique ids per request.
local counter = 0
thread_id = 0  -- set per thread by setup(); global so thread:set reaches it
local pad = string.rep("lorem ipsum dolor sit amet ", 30)

function setup(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
end

-- wrk.format uses wrk.headers (with -H's Authorization) only when given no headers.
wrk.headers["Content-Type"] = "application/json"
local sent = 0
function request()
  sent = sent + 1
  local docs = {}
  for i = 1, 1000 do
    docs[i] = string.format('{"_id":"t%d-r%d-%d","type":"order","number":%d,"notes":"%s"}', thread_id, sent, i, i, pad)
  end
  local body = '{"docs":[' .. table.concat(docs, ",") .. ']}'
  return wrk.format("POST", wrk.path, nil, body)
end
