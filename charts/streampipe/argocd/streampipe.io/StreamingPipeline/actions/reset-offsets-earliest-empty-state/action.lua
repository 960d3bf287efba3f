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

-- Resets the Kafka offsets to earliest once and starts the job with empty state at the earliest offsets (spec.offsetReset).
obj.spec.offsetReset = {
  token = newToken(obj.spec.offsetReset ~= nil and obj.spec.offsetReset.token or nil),
  to = "earliest",
  keepState = false
}
return obj
