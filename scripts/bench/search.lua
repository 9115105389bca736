-- wrk script: POST search bodies read from $QUERIES (one JSON per line), cycling; $EF sets ef.
local bodies = {}
local i = 0
function init(args)
  local ef = os.getenv("EF") or "100"
  for line in io.lines(os.getenv("QUERIES")) do
    bodies[#bodies + 1] = string.sub(line, 1, -2) .. ',"ef":' .. ef .. '}'
  end
end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])
end
