-- wrk script for POST /v1/telemetry (bench/ingest.ts telemetryCase): 100 readings per request,
-- device tokens taken round-robin from TOKENS_FILE (one per line), every reading new.
-- Readings are 1 s apart, going back from two minutes before the run started; a device's next
-- request continues where its previous one ended. The millisecond part of every timestamp is the
-- run's start second modulo 1000, so the warm-up, the measured run and the repetitions (each
-- starting in another second, all within 1000 s) never post the same (device, type, ts) twice:
-- every 2xx is 100 accepted readings, not duplicates. With -tN, thread k takes the devices
-- k, k+N, k+2N, … when THREADS=N is set (use a token count divisible by N).
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  if #line > 0 then tokens[#tokens + 1] = line end
end
local BATCH = tonumber(os.getenv("BATCH") or "100")
local path = os.getenv("TELEMETRY_PATH") or "/v1/telemetry"
local started = os.time()
local NTHREADS = tonumber(os.getenv("THREADS") or "1")
local ms = string.format("%03d", started % 1000)

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads - 1)
end


local headers = {}
for i, t in ipairs(tokens) do
  headers[i] = { ["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json" }
end

local counter = 0
local parts = {}
function request()
  local n = #tokens
  local slot = counter * NTHREADS + (tid or 0)
  counter = counter + 1
  local device = (slot % n) + 1
  local round = math.floor(slot / n)
  local top = started - 120 - round * BATCH
  for i = 1, BATCH do
    local kind, value = "heart_rate", 60 + (i % 30)
    if i % 4 == 0 then kind, value = "spo2", 96 end
    parts[i] = string.format('{"type":"%s","ts":"%s.%sZ","value":%d}', kind,
      os.date("!%Y-%m-%dT%H:%M:%S", top - (i - 1)), ms, value)
  end
  return wrk.format("POST", path, headers[device], '{"readings":[' .. table.concat(parts, ",") .. "]}")
end
