-- The actions Argo CD offers on a StreamingPipeline. Each changes the spec as the user would in Git (a new token
-- asks for a one-shot action; status.appliedTokens records which token was applied), so a later sync from Git
-- sets the spec back unless Git has the same change.
local actions = {}
local suspended = obj.spec ~= nil and obj.spec.state == "suspended"
actions["savepoint"] = {["disabled"] = suspended, ["iconClass"] = "fa fa-fw fa-camera"}
actions["suspend"] = {["disabled"] = suspended, ["iconClass"] = "fa fa-fw fa-pause-circle"}
actions["resume"] = {["disabled"] = not suspended, ["iconClass"] = "fa fa-fw fa-play-circle"}
actions["reset-offsets-latest"] = {["iconClass"] = "fa fa-fw fa-fast-forward"}
actions["reset-offsets-latest-empty-state"] = {["iconClass"] = "fa fa-fw fa-fast-forward"}
actions["reset-offsets-earliest"] = {["iconClass"] = "fa fa-fw fa-fast-backward"}
actions["reset-offsets-earliest-empty-state"] = {["iconClass"] = "fa fa-fw fa-fast-backward"}
return actions
