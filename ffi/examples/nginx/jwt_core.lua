-- jwt-core in nginx, through LuaJIT's FFI (lua-nginx-module / OpenResty): verifies the
-- request's bearer token against a JWK Set with the RFC 9068 access-token policy, requires a
-- scope, and refuses as RFC 6750 says. The declarations come from jwt_core.h itself.
--
--   init_by_lua_block { require("jwt_core").init({ library = ".../libjwt_core_ffi.so",
--       header = ".../jwt_core.h", jwks = ".../jwks.json", issuer = "...", audience = "...",
--       realm = "orders" }) }
--   access_by_lua_block { require("jwt_core").require_scope("orders:read") }
local ffi = require("ffi")

local M = {}
local lib, keyset, policy, realm
-- The policy points at these: they live as long as the module.
local anchors = {}

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
end

-- Ends the request with the status's HTTP answer and its WWW-Authenticate challenge.
local function refuse(status, scope)
    local size = 128 + (realm and #realm or 0) + (scope and #scope or 0)
    local out, written = ffi.new("char[?]", size), ffi.new("size_t[1]")
    if lib.jwt_challenge(status, realm, realm and #realm or 0, scope, scope and #scope or 0,
            out, size, written) == lib.JWT_OK then
        ngx.header["WWW-Authenticate"] = ffi.string(out, written[0])
    end
    return ngx.exit(lib.jwt_http_status(status))
end

-- The access check: a valid access token granting `scope`. The token's subject is left in
-- ngx.ctx.sub for the content phase.
function M.require_scope(scope)
    local header = ngx.var.http_authorization
    local token = ffi.new("jwt_str[1]")
    local status = lib.jwt_bearer_token(header, header and #header or 0, token)
    if status ~= lib.JWT_OK then return refuse(status) end
    local len = tonumber(token[0].len)
    -- Enough for any token of this length, escapes in its claims included.
    local size = tonumber(lib.jwt_verify_buf_len(len))
    local buf, claims = ffi.new("uint8_t[?]", size), ffi.new("jwt_claims")
    status = lib.jwt_verify_keyset(token[0].ptr, len, keyset, policy, ngx.time(), buf, size, claims)
    if status ~= lib.JWT_OK then
        -- The reason only: a log line never carries the token.
        ngx.log(ngx.NOTICE, "bearer token refused: ", ffi.string(lib.jwt_status_str(status)))
        return refuse(status)
    end
    if not lib.jwt_scopes_contain(claims.scope.ptr, claims.scope.len, scope, #scope) then
        return refuse(lib.JWT_INSUFFICIENT_SCOPE, scope)
    end
    ngx.ctx.sub = ffi.string(claims.sub.ptr, claims.sub.len)
end

return M
