-- A token the pipeline has not seen: "argocd-" and the UTC time to the second, with a counter when the previous
-- token was taken in the same second (tokens match ^[A-Za-z0-9._-]{1,63}$).
local os = require("os")
local function newToken(previous)
  local token = "argocd-" .. os.date("!%Y%m%d-%H%M%S")
  if previous ~= nil and string.sub(previous, 1, #token) == token then
    local count = tonumber(string.match(string.sub(previous, #token + 1), "^%.(%d+)$")) or 0
    token = token .. "." .. (count + 1)
  end
  return token
end

-- Takes a savepoint now: a new spec.savepoints.triggerToken.
if obj.spec.savepoints == nil then
  obj.spec.savepoints = {}
end
obj.spec.savepoints.triggerToken = newToken(obj.spec.savepoints.triggerToken)
return obj
