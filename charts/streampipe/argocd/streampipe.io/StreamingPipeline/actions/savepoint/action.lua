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

-- Takes a savepoint now: a new spec.savepoints.triggerToken.
if obj.spec.savepoints == nil then
  obj.spec.savepoints = {}
end
obj.spec.savepoints.triggerToken = newToken(obj.spec.savepoints.triggerToken)
return obj
