-- wrk script: every request is a random template from a file written by bench/load/request-templates.ts,
-- so one script drives random ids, random search terms, unique creates and weighted mixes.
--   wrk ... -s bench/lua/requests.lua <url> -- <templates file> <unique prefix>
-- File lines (tab-separated):
--   group   <name> <weight>           a group is picked with probability weight / sum of weights
--   header  <name> <header> <value>   sent with every request of the group
--   request <name> <method> <path> <body as hex, may be empty>
-- "{u}" in a path or body becomes a token unique across threads and runs (prefix, thread, counter).
-- done() prints one "BENCH_JSON {...}" line that bench/load/wrk.ts parses.

local groups = {}
local byName = {}
local totalWeight = 0
local uniquePrefix = ""
local counter = 0

local threadCount = 0
function setup(thread)
  threadCount = threadCount + 1
  thread:set("threadIndex", threadCount)
end

local function unhex(hex)
  return (hex:gsub("..", function(pair) return string.char(tonumber(pair, 16)) end))
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do fields[#fields + 1] = field end
  return fields
end

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open templates file " .. tostring(args[1]))
  uniquePrefix = (args[2] or "u") .. "t" .. tostring(threadIndex or 1) .. "n"
  for line in file:lines() do
    local f = split(line)
    if f[1] == "group" then
      local group = { name = f[2], weight = tonumber(f[3]), headers = {}, requests = {} }
      groups[#groups + 1] = group
      byName[f[2]] = group
      totalWeight = totalWeight + group.weight
    elseif f[1] == "header" then
      byName[f[2]].headers[f[3]] = f[4]
    elseif f[1] == "request" then
      local body = f[5] ~= "" and unhex(f[5]) or nil
      local unique = f[4]:find("{u}", 1, true) ~= nil or (body ~= nil and body:find("{u}", 1, true) ~= nil)
      local list = byName[f[2]].requests
      list[#list + 1] = { method = f[3], path = f[4], body = body, unique = unique }
    end
  end
  file:close()
  math.randomseed(os.time() * 1000 + (threadIndex or 1))
end

local function pickGroup()
  if #groups == 1 then return groups[1] end
  local r = math.random() * totalWeight
  for _, group in ipairs(groups) do
    r = r - group.weight
    if r < 0 then return group end
  end
  return groups[#groups]
end

function request()
  local group = pickGroup()
  local t = group.requests[math.random(#group.requests)]
  local path, body = t.path, t.body
  if t.unique then
    counter = counter + 1
    local token = uniquePrefix .. counter
    path = path:gsub("{u}", token)
    if body then body = body:gsub("{u}", token) end
  end
  return wrk.format(t.method, path, group.headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50Us":%d,"p99Us":%d,"meanUs":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
