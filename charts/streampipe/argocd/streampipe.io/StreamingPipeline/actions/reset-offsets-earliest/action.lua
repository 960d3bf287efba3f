-- A token other than the pipeline's current one: "argocd-" and the UTC time to the second, ".1" when the current one
-- was taken in the same second (tokens match ^[A-Za-z0-9._-]{1,63}$). Argo CD gives scripts no string library.
local os = require("os")
local function newToken(previous)
  local token = "argocd-" .. os.date("!%Y%m%d-%H%M%S")
  if token == previous then
    token = token .. ".1"
  end
  return token
end

-- Resets the Kafka offsets to earliest once and keeps the window state: only the Kafka source starts again, at the earliest offsets (spec.offsetReset).
obj.spec.offsetReset = {
  token = newToken(obj.spec.offsetReset ~= nil and obj.spec.offsetReset.token or nil),
  to = "earliest",
  keepState = true
}
return obj
