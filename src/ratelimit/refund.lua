-- Gives back units that decisions spent: each key's TAT moves back by its decrement (µs), never
-- to before now, so a refund cannot create credit beyond a full bucket. A key that ends at or
-- before now is deleted (a full bucket is an absent key). The login throttle charges an attempt
-- before the password is hashed and refunds it when the password was right or never checked.
-- ARGV[1]: "" = use Redis TIME (production); an integer microsecond instant only from tests.
-- ARGV[1 + i]: the decrement of KEYS[i], in µs. Returns the number of keys changed.
local now
if ARGV[1] == "" then
  local t = redis.call("TIME")
  now = t[1] * 1000000 + t[2]
else
  now = tonumber(ARGV[1])
end
local changed = 0
for i = 1, #KEYS do
  local tat = tonumber(redis.call("GET", KEYS[i]))
  if tat then
    local back = tat - tonumber(ARGV[i + 1])
    if back <= now then
      redis.call("DEL", KEYS[i])
    else
      -- %d, not tostring: tostring keeps only 14 significant digits.
      redis.call("PSETEX", KEYS[i], math.ceil((back - now) / 1000), string.format("%d", back))
    end
    changed = changed + 1
  end
end
return changed
