-- Mixed traffic for scripts/bench/soak.sh: each connection cycles through embed, validate, retrieve, memory search
-- and a truth lookup; SOAK_DELAY_MS (an environment variable) is each connection's pause between its requests.
local requests = {
  {"POST", "/v1/embed", '{"input":"forklift operator, night shift"}'},
  {"POST", "/v1/validate", '{"kind":"email","email":{"to_worker_id":"W000200","subject":"Shift","body":"Your shift is Monday."}}'},
  {"POST", "/v1/matrix/retrieve", '{"query":"night shift forklift operator in Columbus","corpora":["jobs"],"k":5}'},
  {"POST", "/v1/memory/search", '{"query":"who likes night shifts","k":3}'},
  {"GET", "/v1/truth/subjects/worker:W000007", nil},
}
local delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
local i = 0
function init(args)
  i = math.random(#requests)
end
function request()
  i = i % #requests + 1
  local r = requests[i]
  local headers = {}
  if r[3] then headers["Content-Type"] = "application/json" end
  return wrk.format(r[1], r[2], headers, r[3])
end
function delay()
  return delay_ms
end
