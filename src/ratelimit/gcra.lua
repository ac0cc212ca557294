-- GCRA for a batch of decisions in one call. Each decision covers several limits,
-- all-or-nothing; decisions run one after another, so one that reuses a key sees
-- the TAT an earlier one wrote. The script only reads, decides and writes: the
-- client derives remaining/reset/retry from the returned waits with evaluateGcra()
-- in gcra.ts (the math is translation-invariant, so "now" = 0 there).
-- ARGV[1]: "" = use Redis TIME (production), read once for the batch; an integer
--   microsecond instant only from tests that need deterministic time.
-- ARGV[2]: "" or the Redis instant (µs) after which the client has given up on this call.
--   A call that runs later (it sat behind a stalled or paused server) writes nothing:
--   the client already answered 503, so it must not be charged.
-- Then per decision: m (its number of limits), "1" = peek (never write), and per
--   limit its tolerance and increment (µs). KEYS: the TAT keys of every decision, in order.
-- Returns {now, late (0/1)}, then per decision {allowed, wait_1, ..., wait_m}:
-- wait_i = min(max(TAT_i, now) - now, tolerance_i). A refused decision writes nothing. Needs Redis >= 5:
-- writes after TIME rely on effects replication being the default.
local now
if ARGV[1] == "" then
  local t = redis.call("TIME")
  now = t[1] * 1000000 + t[2]
else
  now = tonumber(ARGV[1])
end
local lateAt = tonumber(ARGV[2])
local late = lateAt ~= nil and now > lateAt
local out = {now, late and 1 or 0}
local k = 0
local a = 3
local nargs = #ARGV
while a <= nargs do
  local m = tonumber(ARGV[a])
  local write = not late and ARGV[a + 1] ~= "1"
  a = a + 2
  local at = #out + 1
  out[at] = 1
  for i = 1, m do
    local tolerance = tonumber(ARGV[a + 2 * i - 2])
    local wait = (tonumber(redis.call("GET", KEYS[k + i])) or now) - now
    if wait < 0 then wait = 0 end
    -- A backlog beyond this limit's tolerance was written under a stricter policy (a limit
    -- since relaxed, another instance mid-deploy): an empty bucket now, no more.
    if wait > tolerance then
      wait = tolerance
      -- Kept, refused or not: otherwise every later call would clamp the old backlog afresh.
      if write then
        redis.call("PSETEX", KEYS[k + i], math.ceil(tolerance / 1000), string.format("%d", now + tolerance))
      end
    end
    out[at + i] = wait
    if wait + ARGV[a + 2 * i - 1] > tolerance then out[at] = 0 end
  end
  if write and out[at] == 1 then
    for i = 1, m do
      local inc = tonumber(ARGV[a + 2 * i - 1])
      if inc > 0 then
        -- The TTL is the time until the bucket is full again: idle keys vanish on their own.
        -- %d, not tostring: tostring keeps only 14 significant digits.
        local untilFull = out[at + i] + inc
        redis.call("PSETEX", KEYS[k + i], math.ceil(untilFull / 1000), string.format("%d", now + untilFull))
      end
    end
  end
  k = k + m
  a = a + 2 * m
end
return out
