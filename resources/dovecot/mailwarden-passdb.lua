-- Mailwarden's passdb for Dovecot 2.3 (package dovecot-auth-lua): Dovecot's auth workers ask
-- `mailwarden serve --http` whether a login may pass, over loopback HTTP, instead of starting a
-- checkpassword program for every login. Every rule (2FA, client-password scope, expiry, revoke,
-- locks) is applied by Mailwarden; this script only carries the question and the answer.
--
-- dovecot.conf:
--   passdb {
--     driver = lua
--     args = file=/etc/dovecot/mailwarden-passdb.lua blocking=yes
--   }
-- The settings are read from the file named below (Dovecot 2.3 passes no other arguments):
--   url = http://127.0.0.1:8190/mail-login
--   token_file = /etc/dovecot/mailwarden-passdb.token
-- The token file holds the same token as serve's --http-token-file, readable by Dovecot's auth
-- user only (chown root:dovecot, chmod 0640).
local config_path = "/etc/dovecot/mailwarden-passdb.conf"

local settings = {}
local client = nil
local token = nil

local function read_settings()
  local file = assert(io.open(config_path, "r"), "cannot read " .. config_path)
  for line in file:lines() do
    local key, value = line:match("^%s*([%w_]+)%s*=%s*(.-)%s*$")
    if key then settings[key] = value end
  end
  file:close()
  assert(settings.url, config_path .. " has no url")
  local token_file = assert(io.open(assert(settings.token_file, config_path .. " has no token_file"), "r"), "cannot read the token file")
  token = token_file:read("l")
  token_file:close()
  assert(token and #token >= 16, "the token file holds no token")
end

function script_init()
  read_settings()
  client = dovecot.http.client({ timeout = tonumber(settings.timeout_ms or "10000"), max_attempts = 1, debug = false })
  return 0
end

function script_deinit() end

-- application/x-www-form-urlencoded, byte by byte: a password may hold any character.
local function form_encode(value)
  return (tostring(value):gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- Lookups without a password (non-plaintext mechanisms) are not offered: client passwords are
-- kept only as hashes, so there is nothing to hand Dovecot.
function auth_passdb_lookup(request)
  return dovecot.auth.PASSDB_RESULT_USER_UNKNOWN, ""
end

function auth_password_verify(request, password)
  local http = client:request({ url = settings.url, method = "POST" })
  http:add_header("Authorization", "Bearer " .. token)
  http:add_header("Content-Type", "application/x-www-form-urlencoded")
  http:set_payload("user=" .. form_encode(request.user) .. "&password=" .. form_encode(password) ..
    "&service=" .. form_encode(request.service) .. "&rip=" .. form_encode(request.remote_ip or ""))
  local response = http:submit()
  local status = response:status()
  local body = response:payload() or ""
  if status == 200 and body == "ok" then
    return dovecot.auth.PASSDB_RESULT_OK, ""
  end
  if status == 200 and body == "no unknown" then
    return dovecot.auth.PASSDB_RESULT_USER_UNKNOWN, ""
  end
  if status == 200 and body:sub(1, 3) == "no " then
    -- The reason reaches Dovecot's log (auth_verbose), never the client.
    request:log_info("mailwarden: " .. body:sub(4))
    return dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH, ""
  end
  -- Mailwarden unreachable, busy or refusing the token: "try again later", never yes.
  request:log_error("mailwarden: HTTP " .. tostring(status))
  return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, ""
end
