-- Argo CD health of a streampipe.io StreamingPipeline, read from the conditions the operator writes
-- (Ready, Progressing, Degraded; their reasons are io.streampipe.operator.status.Reasons) and status.upgrade.
-- A status written for an older generation says nothing about the spec Argo CD synced: it reads Progressing, never
-- Healthy. No status yet reads Progressing too (Argo CD's convention: the controller has not caught up). A pipeline
-- that ran stable and then lost its FlinkDeployment reads Missing until the operator has created it again.
local hs = {}

local function condition(conditions, type)
  if conditions ~= nil then
    for _, c in ipairs(conditions) do
      if c.type == type then
        return c
      end
    end
  end
  return nil
end

-- Ready=False with one of these reasons is the normal course of things; any other reason is a problem.
local normalReasons = {Deploying = true, Upgrading = true, Suspended = true, Deleting = true, FinalSavepoint = true}

local function explained(c)
  if c.message ~= nil and c.message ~= "" then
    return c.reason .. ": " .. c.message
  end
  return c.reason
end

local status = obj.status
-- Deleting bumps metadata.generation (the deletionTimestamp) while the operator, taking a final savepoint, keeps the
-- status it had: a deletion is read before the generation gate.
if obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  if status ~= nil and status.phase == "Deleting" and status.message ~= nil then
    hs.message = "Deleting: " .. status.message
  else
    hs.message = "Deleting: waiting for the streampipe operator"
  end
  return hs
end
if status == nil or status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the streampipe operator to observe the pipeline"
  return hs
end
if obj.metadata.generation ~= nil and status.observedGeneration ~= obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the streampipe operator to observe generation " .. obj.metadata.generation
      .. " (the status describes generation " .. status.observedGeneration .. ")"
  return hs
end

local ready = condition(status.conditions, "Ready")
local progressing = condition(status.conditions, "Progressing")
local degraded = condition(status.conditions, "Degraded")

if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = explained(degraded)
  return hs
end
if ready ~= nil and ready.status == "False" and ready.reason ~= nil and not normalReasons[ready.reason] then
  hs.status = "Degraded"
  hs.message = explained(ready)
  return hs
end
if status.phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = status.message or "Suspended as requested by spec.state"
  return hs
end
if status.phase == "Pending" and status.lastStable ~= nil then
  hs.status = "Missing"
  hs.message = "The FlinkDeployment that ran this pipeline does not exist; the operator creates it again"
  return hs
end
if status.upgrade ~= nil then
  hs.status = "Progressing"
  hs.message = "Applying generation " .. (status.upgrade.generation or obj.metadata.generation)
      .. ", step " .. (status.upgrade.step or "SpecApplied")
  return hs
end
if progressing ~= nil and progressing.status == "True" then
  hs.status = "Progressing"
  hs.message = explained(progressing)
  return hs
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message
  return hs
end
hs.status = "Progressing"
hs.message = ready ~= nil and explained(ready) or "Waiting for the streampipe operator to report readiness"
return hs
