-- Stops the job with a savepoint (spec.upgrade.mode decides how) and keeps it stopped.
obj.spec.state = "suspended"
return obj
