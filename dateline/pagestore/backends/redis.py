"""Pages in Redis, shared by several app servers.

Under the prefix (``dateline:pages`` unless ``OPTIONS["prefix"]`` says otherwise):
``page:<key>`` is a hash of the body, its metadata and its tags; ``tag:<tag>`` the
set of keys carrying that tag; ``keys`` every stored key; ``generation``,
``cleared`` and the hash ``purged`` (tag -> generation) guard against storing a
page rendered before a purge; ``pending`` is a sorted set of purges to run later,
scored by their time.

Storing and purging are Lua scripts, so each is atomic: a purge cannot run
between the check and the write of a ``set``.
"""

import json

import redis

from .base import Entry, PageStore

# ARGV: prefix, key, since (-1: no check), body, meta, tag...
_SET = """
local prefix, key, since = ARGV[1], ARGV[2], tonumber(ARGV[3])
if since >= 0 then
  if tonumber(redis.call('GET', prefix .. ':cleared') or '0') > since then return 0 end
  for i = 6, #ARGV do
    local g = redis.call('HGET', prefix .. ':purged', ARGV[i])
    if g and tonumber(g) > since then return 0 end
  end
end
local page = prefix .. ':page:' .. key
local old = redis.call('HGET', page, 'tags')
if old then
  for t in string.gmatch(old, '%S+') do redis.call('SREM', prefix .. ':tag:' .. t, key) end
end
local tags = {}
for i = 6, #ARGV do
  redis.call('SADD', prefix .. ':tag:' .. ARGV[i], key)
  tags[#tags + 1] = ARGV[i]
end
redis.call('HSET', page, 'body', ARGV[4], 'meta', ARGV[5], 'tags', table.concat(tags, ' '))
redis.call('SADD', prefix .. ':keys', key)
return 1
"""

# ARGV: prefix, tag...; returns the keys dropped.
_PURGE = """
local prefix = ARGV[1]
local generation = redis.call('INCR', prefix .. ':generation')
local seen, out = {}, {}
for i = 2, #ARGV do
  redis.call('HSET', prefix .. ':purged', ARGV[i], generation)
  for _, k in ipairs(redis.call('SMEMBERS', prefix .. ':tag:' .. ARGV[i])) do
    if not seen[k] then seen[k] = true; out[#out + 1] = k end
  end
end
for _, k in ipairs(out) do
  local page = prefix .. ':page:' .. k
  local tags = redis.call('HGET', page, 'tags')
  if tags then
    for t in string.gmatch(tags, '%S+') do redis.call('SREM', prefix .. ':tag:' .. t, k) end
  end
  redis.call('DEL', page)
  redis.call('SREM', prefix .. ':keys', k)
end
return out
"""


class RedisStore(PageStore):
    def __init__(self, location, prefix="dateline:pages", **options):
        self.redis = redis.Redis.from_url(location)
        self.prefix = prefix
        self._set = self.redis.register_script(_SET)
        self._purge = self.redis.register_script(_PURGE)

    def __repr__(self):
        return f"RedisStore(prefix={self.prefix!r})"

    def _name(self, *parts):
        return ":".join((self.prefix, *parts))

    def get(self, key):
        body, meta = self.redis.hmget(self._name("page", key), "body", "meta")
        if body is None or meta is None:
            return None
        entry = Entry.from_parts(body, meta)
        return entry if entry.fresh() else None

    def get_many(self, keys):
        keys = list(keys)
        pipe = self.redis.pipeline(transaction=False)
        for key in keys:
            pipe.hmget(self._name("page", key), "body", "meta")
        found = {}
        for key, (body, meta) in zip(keys, pipe.execute()):
            if body is not None and meta is not None:
                entry = Entry.from_parts(body, meta)
                if entry.fresh():
                    found[key] = entry
        return found

    def mark(self):
        return int(self.redis.get(self._name("generation")) or 0)

    def set(self, key, entry, since=None):
        args = [self.prefix, key, -1 if since is None else int(since), entry.body, entry.meta(), *sorted(entry.tags)]
        return bool(self._set(keys=[], args=args))

    def purge(self, tags):
        tags = sorted(set(tags))
        if not tags:
            return []
        return sorted(k.decode() for k in self._purge(keys=[], args=[self.prefix, *tags]))

    def clear(self):
        count = self.redis.scard(self._name("keys"))
        generation = self.redis.incr(self._name("generation"))
        self.redis.set(self._name("cleared"), generation)
        keep = {self._name(n).encode() for n in ("generation", "cleared", "pending")}
        for name in self.redis.scan_iter(f"{self.prefix}:*", count=1000):
            if name not in keep:
                self.redis.delete(name)
        return count

    def keys(self):
        return sorted(k.decode() for k in self.redis.smembers(self._name("keys")))

    def schedule(self, at, kind, ref=""):
        # The time is part of the member, so two purges of one thing at two times both stay.
        self.redis.zadd(self._name("pending"), {json.dumps([float(at), kind, str(ref)]): float(at)})

    def next_due(self):
        first = self.redis.zrange(self._name("pending"), 0, 0, withscores=True)
        return first[0][1] if first else None

    def due(self, now):
        return [tuple(json.loads(m)) for m in self.redis.zrangebyscore(self._name("pending"), "-inf", float(now))]

    def done(self, items):
        items = [json.dumps([float(at), kind, str(ref)]) for at, kind, ref in items]
        if items:
            self.redis.zrem(self._name("pending"), *items)

    def stats(self):
        return {
            "backend": "redis", "location": self.prefix,
            "entries": self.redis.scard(self._name("keys")),
            "pending": self.redis.zcard(self._name("pending")),
            "next_due": self.next_due(),
            "generation": self.mark(),
        }

    def destroy(self):
        """Delete everything under the prefix, pending purges included (for tests)."""
        for name in self.redis.scan_iter(f"{self.prefix}:*", count=1000):
            self.redis.delete(name)
