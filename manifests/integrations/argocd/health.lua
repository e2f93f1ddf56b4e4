-- Argo CD health check for shopctl.io/ShopApp, written from the conditions shop-operator sets
-- (kstatus style: Ready, Reconciling, Stalled, with observedGeneration):
--   being deleted                          -> Progressing
--   no status, or generation not observed  -> Progressing (the operator has not caught up)
--   Stalled=True                           -> Degraded (it will not get better without a change)
--   Ready=True                             -> Healthy
--   anything else (Reconciling=True, ...)  -> Progressing
-- Argo CD runs it with only the base, table and (safe) os libraries: no string or math
-- functions are used. Lua 5.1 (gopher-lua) and 5.4 both run it.
local function condition(conditions, kind)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function text(c)
  if c == nil then
    return ""
  end
  local reason = c.reason or ""
  local message = c.message or ""
  if reason ~= "" and message ~= "" then
    return reason .. ": " .. message
  end
  return reason .. message
end

local meta = obj.metadata or {}
if meta.deletionTimestamp ~= nil then
  return {status = "Progressing", message = "ShopApp is being deleted"}
end

local status = obj.status
if status == nil or status.observedGeneration == nil then
  return {status = "Progressing", message = "Waiting for shop-operator to report a status"}
end
if meta.generation ~= nil and status.observedGeneration < meta.generation then
  return {status = "Progressing",
          message = "Waiting for shop-operator to observe generation " .. tostring(meta.generation) ..
                    " (status is for generation " .. tostring(status.observedGeneration) .. ")"}
end

local stalled = condition(status.conditions, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  return {status = "Degraded", message = text(stalled)}
end

local ready = condition(status.conditions, "Ready")
if ready ~= nil and ready.status == "True" then
  return {status = "Healthy", message = ready.message or "Ready"}
end

local reconciling = condition(status.conditions, "Reconciling")
if reconciling ~= nil and reconciling.status == "True" then
  return {status = "Progressing", message = text(reconciling)}
end
if ready ~= nil then
  return {status = "Progressing", message = text(ready)}
end
return {status = "Progressing", message = "Waiting for the Ready condition"}
