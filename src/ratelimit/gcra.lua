-- GCRA over several limits, all-or-nothing, in one call (mirrors gcra.ts).
-- KEYS[i]: the TAT of limit i (integer microseconds). Every key shares one hash tag.
-- ARGV[1]: "1" = peek (never write). ARGV[2]: "" = use Redis TIME (production);
--   an integer microsecond instant only from tests that need deterministic time.
-- ARGV[3i], ARGV[3i+1], ARGV[3i+2]: interval, tolerance, increment of limit i (µs).
-- Returns {allowed, remaining_1, reset_1, retry_1, ...}; nothing is written on rejection.
-- Needs Redis >= 5: writes after TIME rely on effects replication being the default.
local now
if ARGV[2] ~= "" then
  now = tonumber(ARGV[2])
else
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local peek = ARGV[1] == "1"
local n = #KEYS
local tats, newTats, retries = {}, {}, {}
local allowed = 1
for i = 1, n do
  local inc = tonumber(ARGV[3 * i + 2])
  local tol = tonumber(ARGV[3 * i + 1])
  local tat = tonumber(redis.call("GET", KEYS[i]) or now) or now
  if tat < now then tat = now end
  local newTat = tat + inc
  local retry = newTat - tol - now
  if retry > 0 then allowed = 0 else retry = 0 end
  tats[i], newTats[i], retries[i] = tat, newTat, retry
end
local out = { allowed }
for i = 1, n do
  local interval = tonumber(ARGV[3 * i])
  local tol = tonumber(ARGV[3 * i + 1])
  local after = tats[i]
  if allowed == 1 then after = newTats[i] end
  local remaining = math.floor((tol - (after - now)) / interval)
  if remaining < 0 then remaining = 0 end
  out[#out + 1] = remaining
  out[#out + 1] = after - now
  out[#out + 1] = retries[i]
  if allowed == 1 and not peek and newTats[i] > tats[i] then
    -- The TTL is the time until the bucket is full again: idle keys vanish on their own.
    redis.call("SET", KEYS[i], string.format("%d", newTats[i]), "PX", math.ceil((newTats[i] - now) / 1000))
  end
end
return out
