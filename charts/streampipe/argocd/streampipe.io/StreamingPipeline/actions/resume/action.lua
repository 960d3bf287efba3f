-- Starts the job again from where it was suspended.
obj.spec.state = "running"
return obj
