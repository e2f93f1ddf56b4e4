-- Runs an Argo CD health script the way Argo CD's Lua VM does (util/lua/lua.go): the object in
-- the global `obj`; only the base, table and a safe os library (no string, math, io or debug,
-- and no string methods); the script's return value must be a table with a valid status.
--   lua5.4 argocd_health.lua HEALTH.lua OBJECT.lua     (OBJECT.lua: "return { ...the object... }")
-- Prints "<status>\t<message>"; exit 1 when the script fails or returns something invalid.
local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
local object = assert(load(read(arg[2]), "=object", "t", {}))()

local env = {obj = object}
for _, name in ipairs({"assert", "error", "ipairs", "next", "pairs", "pcall", "print", "rawequal", "rawget",
                       "rawlen", "rawset", "select", "tonumber", "tostring", "type", "xpcall", "getmetatable",
                       "setmetatable", "_VERSION"}) do
  env[name] = _G[name]
end
env.unpack = table.unpack
env.table = table
env.os = {time = os.time, date = os.date, clock = os.clock}
env._G = env

local chunk = assert(load(read(arg[1]), "=health.lua", "t", env))
local strings = getmetatable("")
local methods = strings.__index
strings.__index = nil -- Argo CD does not open the string library: ("x"):upper() must fail
local ok, result = pcall(chunk)
strings.__index = methods
if not ok then
  io.stderr:write("health.lua failed: " .. tostring(result) .. "\n")
  os.exit(1)
end
local valid = {Healthy = true, Progressing = true, Degraded = true, Suspended = true, Missing = true, Unknown = true}
if type(result) ~= "table" or not valid[result.status] then
  io.stderr:write("health.lua must return {status = Healthy|Progressing|Degraded|Suspended|Missing|Unknown, message = ...}\n")
  os.exit(1)
end
print(result.status .. "\t" .. tostring(result.message or ""))
