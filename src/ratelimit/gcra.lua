-- GCRA over several limits, all-or-nothing, in one call. It only reads, decides
-- and writes; the client derives remaining/reset/retry from the waits it returns
-- with evaluateGcra() in gcra.ts (the math is translation-invariant, so "now" = 0
-- there), which keeps this script to the few steps Redis must do atomically.
-- KEYS[i]: the TAT of limit i (integer microseconds). Every key shares one hash tag.
-- ARGV[1]: "1" = peek (never write). ARGV[2]: "" = use Redis TIME (production);
--   an integer microsecond instant only from tests that need deterministic time.
-- ARGV[2i+1], ARGV[2i+2]: tolerance and increment of limit i (µs).
-- Returns {allowed, wait_1, ..., wait_n}: wait_i = max(TAT_i, now) - now.
-- Nothing is written on rejection. Needs Redis >= 5: writes after TIME rely on
-- effects replication being the default.
local now
if ARGV[2] == "" then
  local t = redis.call("TIME")
  now = t[1] * 1000000 + t[2]
else
  now = tonumber(ARGV[2])
end
local out = { 1 }
for i = 1, #KEYS do
  local wait = (tonumber(redis.call("GET", KEYS[i])) or now) - now
  if wait < 0 then wait = 0 end
  out[i + 1] = wait
  if wait + ARGV[2 * i + 2] > tonumber(ARGV[2 * i + 1]) then out[1] = 0 end
end
if out[1] == 1 and ARGV[1] ~= "1" then
  for i = 1, #KEYS do
    local inc = tonumber(ARGV[2 * i + 2])
    if inc > 0 then
      -- The TTL is the time until the bucket is full again: idle keys vanish on their own.
      -- %d, not tostring: tostring keeps only 14 significant digits.
      local untilFull = out[i + 1] + inc
      redis.call("PSETEX", KEYS[i], math.ceil(untilFull / 1000), string.format("%d", now + untilFull))
    end
  end
end
return out
