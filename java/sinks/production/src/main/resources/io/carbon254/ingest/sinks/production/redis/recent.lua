-- Upsert of one interval in a "last N intervals" series (a sorted set scored by interval start).
-- KEYS[1]  the sorted set
-- ARGV[1]  interval start (epoch ms, the score)
-- ARGV[2]  version of the new value
-- ARGV[3]  the member: the value as JSON, with a numeric "version" field
-- ARGV[4]  N, the number of newest intervals kept
-- ARGV[5]  TTL in seconds
-- A member already there for the same interval with a greater version wins (stale write: 0);
-- otherwise it is replaced, the series trimmed to its N newest intervals, and 1 returned.
local s = tonumber(ARGV[1])
local v = tonumber(ARGV[2])
local existing = redis.call('ZRANGEBYSCORE', KEYS[1], s, s)
for _, m in ipairs(existing) do
  local ok, d = pcall(cjson.decode, m)
  if ok and type(d) == 'table' and tonumber(d['version']) and tonumber(d['version']) > v then
    return 0
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], s, s)
redis.call('ZADD', KEYS[1], s, ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return 1
