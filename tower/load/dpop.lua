-- The wrk script of the DPoP rows of run.sh: each request carries `Authorization: DPoP
-- $DPOP_TOKEN` and the next proof of the file $PROOFS (one per line, each made for this URL
-- with its own `jti`), so no proof is sent twice. With $WRK_THREADS threads, thread i sends
-- lines i+1, i+1+n, ... Past the last line the file starts again: those proofs are refused
-- as replays, and run.sh fails the measurement for its non-2xx answers.
local threads_set_up = 0

function setup(thread)
  thread:set("id", threads_set_up)
  threads_set_up = threads_set_up + 1
end

local proofs, authorization, threads

function init(args)
  threads = tonumber(os.getenv("WRK_THREADS")) or 1
  authorization = "DPoP " .. os.getenv("DPOP_TOKEN")
  proofs = assert(io.open(os.getenv("PROOFS"), "r"))
  for _ = 1, id do
    proofs:read("*l")
  end
end

local function next_line()
  local line = proofs:read("*l")
  if not line then
    proofs:seek("set")
    line = proofs:read("*l")
  end
  return line
end

function request()
  local proof = next_line()
  for _ = 2, threads do
    next_line()
  end
  return wrk.format(nil, nil, { ["Authorization"] = authorization, ["DPoP"] = proof })
end
