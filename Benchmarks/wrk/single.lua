-- POST /db with one ~1 KB document per request (the server generates the id).
local body = string.format('{"type":"order","status":"new","notes":"%s"}', string.rep("lorem ipsum dolor sit amet ", 36))
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
