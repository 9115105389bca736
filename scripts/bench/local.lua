-- wrk script: POST a different sentence every request (no cache hits) to the local model;
-- set BATCH in the environment for batches (default 1).
local counter = 0
local batch = tonumber(os.getenv("BATCH") or "1")
-- Seeded from the clock: runs (warm-up, then measurement) must not repeat sentences, or they would hit the cache.
function setup(thread)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  thread:set("id", os.time() .. "-" .. math.random(1, 1000000000))
end
function request()
  local items = {}
  for i = 1, batch do
    counter = counter + 1
    items[i] = string.format('"Candidate %s-%d has %d years as a forklift operator near Columbus, shift %d"', id, counter, counter % 17, counter % 3)
  end
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, '{"input":[' .. table.concat(items, ",") .. ']}')
end
