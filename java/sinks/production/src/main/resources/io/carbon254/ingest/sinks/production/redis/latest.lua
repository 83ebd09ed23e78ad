-- Compare-and-set of a "latest value" hash.
-- KEYS[1]  the hash
-- ARGV[1]  interval start of the new value (epoch ms)
-- ARGV[2]  version of the new value
-- ARGV[3]  TTL in seconds
-- ARGV[4…] field, value, field, value… of the new value
-- Writes only when the hash holds nothing, or an older interval, or the same interval with a
-- version not greater than the new one: a stale write never overwrites a newer value.
-- Returns 1 when written, 0 when the write was stale.
local cur = redis.call('HMGET', KEYS[1], 'interval_start_ms', 'version')
local s = tonumber(ARGV[1])
local v = tonumber(ARGV[2])
if cur[1] then
  local cs = tonumber(cur[1])
  local cv = tonumber(cur[2]) or -1
  if s < cs or (s == cs and v < cv) then
    return 0
  end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'interval_start_ms', ARGV[1], 'version', ARGV[2], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
