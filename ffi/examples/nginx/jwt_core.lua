-- jwt-core in nginx, through LuaJIT's FFI (lua-nginx-module / OpenResty): verifies the
-- request's access token against a JWK Set with the RFC 9068 access-token policy, requires a
-- scope, and refuses as RFC 6750 and RFC 9449 say. The declarations come from jwt_core.h
-- itself.
--
-- Tokens come as bearer tokens (`Authorization: Bearer`) or, with the `dpop` option, as
-- DPoP-bound tokens (`Authorization: DPoP` and a `DPoP` proof header, RFC 9449): the proof
-- and the token's binding to the proof's key are checked by jwt_verify_dpop_keyset, and each
-- proof is accepted once, its replay key kept in a lua_shared_dict, one store for all the
-- workers.
--
--   lua_shared_dict dpop_replay 10m;
--   init_by_lua_block { require("jwt_core").init({ library = ".../libjwt_core_ffi.so",
--       header = ".../jwt_core.h", jwks = ".../jwks.json", issuer = "...", audience = "...",
--       realm = "orders", dpop = { replay = "dpop_replay" } }) }
--   access_by_lua_block { require("jwt_core").require_scope("orders:read") }
--
-- The `dpop` options: `replay`, the lua_shared_dict's name (required); `algs`, the proof
-- algorithms accepted (default: every asymmetric one, e.g. { "ES256", "EdDSA" });
-- `max_age` and `max_future`, seconds a proof's `iat` may be old and ahead (300, 60);
-- `origin`, the scheme and host clients use ("https://orders.example"), for a gateway
-- behind a proxy or load balancer that terminates TLS: without it, the URI a proof must
-- name is this server's scheme, the request's Host header and its path.
local ffi = require("ffi")
local bit = require("bit")

local M = {}
local lib, keyset, policy, realm
-- DPoP: the proof policy, the replay store (an ngx.shared dictionary), the origin.
local dpop, replay, origin
-- The policies point at these: they live as long as the module.
local anchors = {}
-- What the current request's jwt_str values and claims point into: the Authorization header,
-- the proof, method and URI, the buffer. LuaJIT frees what nothing references, and a
-- pointer is no reference: kept here until the next request replaces them.
local pinned = {}

local function read(path)
    local file = assert(io.open(path, "rb"))
    local text = file:read("*a")
    file:close()
    return text
end

-- jwt_core.h as ffi.cdef takes it: no comments, no preprocessor lines, the header's
-- numeric #defines (those of this machine's word size) written in where they are used, and
-- the storage's alignment as GCC's attribute, which LuaJIT reads.
local function declarations(header)
    header = header:gsub("/%*.-%*/", ""):gsub("//[^\n]*", "")
    local is64 = ffi.abi("64bit")
    local defines, lines, active = {}, {}, {}
    local function live()
        for _, on in ipairs(active) do
            if not on then return false end
        end
        return true
    end
    for line in header:gmatch("[^\n]*") do
        local directive = line:match("^%s*#%s*(.*)$")
        if not directive then
            if live() then lines[#lines + 1] = line end
        elseif directive:match("^ifndef JWT_CORE_H") then
            active[#active + 1] = true
        elseif directive:match("^if !defined%(JWT_CORE_64BIT%)") then
            active[#active + 1] = not is64
        elseif directive:match("^if defined%(JWT_CORE_64BIT%)") then
            active[#active + 1] = is64
        elseif directive:match("^if") then
            active[#active + 1] = false -- C++ guards and the word-size probe
        elseif directive:match("^endif") then
            active[#active] = nil
        elseif live() then
            local name, value = directive:match("^define%s+([%w_]+)%s+(%d+)%s*$")
            if name then defines[name] = value end
        end
    end
    local text = table.concat(lines, "\n")
        :gsub("JWT_CORE_ALIGNED%((%d+)%)", "__attribute__((aligned(%1)))")
    return (text:gsub("[%a_][%w_]*", function(word) return defines[word] end))
end

function M.init(options)
    ffi.cdef(declarations(read(options.header)))
    lib = ffi.load(options.library)
    keyset = ffi.new("jwt_keyset") -- zero-filled: holds no set until parsed
    local jwks = read(options.jwks)
    local status = lib.jwt_keyset_parse(keyset, jwks, #jwks)
    assert(status == lib.JWT_OK, "JWK Set: " .. ffi.string(lib.jwt_status_str(status)))
    policy = ffi.new("jwt_policy")
    assert(lib.jwt_policy_init(policy, lib.JWT_PRESET_ACCESS_TOKEN) == lib.JWT_OK)
    local issuers = ffi.new("jwt_str[1]", { { options.issuer, #options.issuer } })
    local audiences = ffi.new("jwt_str[1]", { { options.audience, #options.audience } })
    policy.issuers, policy.issuers_len = issuers, 1
    policy.audiences, policy.audiences_len = audiences, 1
    anchors = { issuers, audiences, options.issuer, options.audience }
    realm = options.realm
    if options.dpop then
        local o = options.dpop
        replay = assert(ngx.shared[o.replay], "dpop.replay: no lua_shared_dict of that name")
        dpop = ffi.new("jwt_dpop_policy")
        assert(lib.jwt_dpop_policy_init(dpop) == lib.JWT_OK)
        if o.algs then
            local mask = 0
            for _, name in ipairs(o.algs) do
                local number = assert(tonumber(lib["JWT_ALG_" .. name:upper()]), name)
                mask = bit.bor(mask, bit.lshift(1, number))
            end
            dpop.algs = mask
        end
        dpop.max_age = o.max_age or dpop.max_age
        dpop.max_future = o.max_future or dpop.max_future
        origin = o.origin
    end
end

-- A challenge written by jwt_challenge or jwt_dpop_challenge (`write`, called with the
-- output buffer), or nil.
local function challenge(write, size)
    local out, written = ffi.new("char[?]", size), ffi.new("size_t[1]")
    if write(out, size, written) == lib.JWT_OK then return ffi.string(out, written[0]) end
end

-- Ends the request with the status's HTTP answer and its WWW-Authenticate challenges: one
-- per scheme this gateway takes, the scheme the request used (`scheme`, "DPoP" or
-- "Bearer"; nil without credentials) first and carrying the error (RFC 9449 section 7.1).
local function refuse(status, scheme, scope)
    local realm_len, scope_len = realm and #realm or 0, scope and #scope or 0
    local size = 160 + realm_len + scope_len
    local function bearer(s)
        return challenge(function(out, n, written)
            return lib.jwt_challenge(s, realm, realm_len, scope, scope_len, out, n, written)
        end, size)
    end
    local function proof(s)
        return challenge(function(out, n, written)
            return lib.jwt_dpop_challenge(s, realm, realm_len, scope, scope_len, dpop.algs, out,
                n, written)
        end, size)
    end
    local challenges
    if not dpop then
        challenges = { bearer(status) }
    elseif scheme == "DPoP" then
        challenges = { proof(status), bearer(lib.JWT_NO_CREDENTIALS) }
    else
        challenges = { bearer(status), proof(lib.JWT_NO_CREDENTIALS) }
    end
    ngx.header["WWW-Authenticate"] = challenges
    if #challenges > 1 and type(ngx.header["WWW-Authenticate"]) ~= "table" then
        -- lua-nginx-module before 0.10.29 keeps one WWW-Authenticate field, the last: the
        -- challenges then go into that one, as a list (RFC 9110 section 11.6.1).
        ngx.header["WWW-Authenticate"] = table.concat(challenges, ", ")
    end
    return ngx.exit(lib.jwt_http_status(status))
end

-- The URI the client used, as a DPoP proof names it (`htu`: no query, no fragment): the
-- configured origin, or this server's scheme and the request's Host header; then the path as
-- the client sent it.
local function request_uri()
    local base = origin
    if not base then
        local host = ngx.var.http_host
        if not host then return nil end
        base = ngx.var.scheme .. "://" .. host
    end
    return base .. ngx.var.request_uri:match("^[^?#]*")
end

-- The DPoP check of `token` (a jwt_str into the Authorization header): the request's one
-- proof, the token bound to its key, and the proof accepted once. Returns JWT_OK or the
-- status to refuse with, or nil after answering the request itself (503).
local function verify_dpop(token, claims)
    -- RFC 9449 section 4.3: exactly one DPoP header. get_headers(0) reads them all.
    local proof = ngx.req.get_headers(0)["dpop"]
    if type(proof) == "table" then return lib.JWT_INVALID_REQUEST end
    local uri = request_uri()
    if not uri then return lib.JWT_INVALID_REQUEST end
    proof = proof or ""
    local method = ngx.req.get_method()
    local request = ffi.new("jwt_dpop_request", { { proof, #proof }, { method, #method },
        { uri, #uri } })
    local len = tonumber(token.len)
    local size = tonumber(lib.jwt_verify_dpop_buf_len(len, #proof))
    local buf, verified = ffi.new("uint8_t[?]", size), ffi.new("jwt_dpop_proof")
    pinned.proof, pinned.method, pinned.uri, pinned.buf = proof, method, uri, buf
    local status = lib.jwt_verify_dpop_keyset(token.ptr, len, keyset, policy, request, dpop,
        ngx.time(), buf, size, claims, verified)
    if status ~= lib.JWT_OK then return status end
    -- The replay check, once the proof and the token are good: the first request with this
    -- proof adds its key, for as long as the proof could be accepted; any other finds it.
    -- safe_add never evicts an unexpired key to make room: a full store refuses (503) rather
    -- than forget a proof it must remember.
    local key = ffi.string(verified.replay_key, 32)
    local added, err = replay:safe_add(key, true, tonumber(verified.replay_ttl))
    if added then return lib.JWT_OK end
    if err == "exists" then return lib.JWT_DPOP_REPLAYED end
    ngx.log(ngx.ERR, "DPoP proof refused: its replay check failed: ", err)
    ngx.exit(ngx.HTTP_SERVICE_UNAVAILABLE)
    return nil
end

-- The access check: a valid access token granting `scope`, as a bearer token or, with the
-- `dpop` option, bound to the key of the request's DPoP proof. The token's subject is left
-- in ngx.ctx.sub for the content phase.
function M.require_scope(scope)
    local header = ngx.var.http_authorization
    local header_len = header and #header or 0
    pinned.header = header
    local token = ffi.new("jwt_str[1]")
    local scheme = "Bearer"
    local status = lib.jwt_bearer_token(header, header_len, token)
    if status == lib.JWT_NO_CREDENTIALS and dpop then
        status = lib.jwt_dpop_token(header, header_len, token)
        scheme = status ~= lib.JWT_NO_CREDENTIALS and "DPoP" or nil
    end
    if status ~= lib.JWT_OK then return refuse(status, scheme) end
    local claims = ffi.new("jwt_claims")
    if scheme == "DPoP" then
        status = verify_dpop(token[0], claims)
        if status == nil then return end
    else
        local len = tonumber(token[0].len)
        -- Enough for any token of this length, escapes in its claims included.
        local size = tonumber(lib.jwt_verify_buf_len(len))
        local buf = ffi.new("uint8_t[?]", size)
        pinned.buf = buf
        status = lib.jwt_verify_keyset(token[0].ptr, len, keyset, policy, ngx.time(), buf, size,
            claims)
    end
    if status ~= lib.JWT_OK then
        -- The reason only: a log line never carries the token or the proof.
        ngx.log(ngx.NOTICE, scheme == "DPoP" and "DPoP request refused: " or
            "bearer token refused: ", ffi.string(lib.jwt_status_str(status)))
        return refuse(status, scheme)
    end
    if not lib.jwt_scopes_contain(claims.scope.ptr, claims.scope.len, scope, #scope) then
        return refuse(lib.JWT_INSUFFICIENT_SCOPE, scheme, scope)
    end
    ngx.ctx.sub = ffi.string(claims.sub.ptr, claims.sub.len)
end

return M
