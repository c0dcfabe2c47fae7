-- wrk script: every request picks a random path from the file named by
-- $URLS (one path per line, written by `loadgen urls`). With BUST=1 each
-- path gets a unique extra parameter, so the server's response cache never
-- answers and every request runs its query.
local paths = {}
local counter = 0
local bust = os.getenv("BUST") == "1"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  local name = os.getenv("URLS") or error("set URLS to a file of request paths")
  local f = assert(io.open(name, "r"))
  for line in f:lines() do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  f:close()
  math.randomseed(os.time() * 1000 + (tid or 0))
end

function request()
  local p = paths[math.random(#paths)]
  if bust then
    counter = counter + 1
    p = p .. (p:find("?", 1, true) and "&" or "?") .. "nocache=" .. (tid or 0) .. "-" .. counter
  end
  return wrk.format("GET", p)
end
