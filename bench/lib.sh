# bench/lib.sh - shared by the page benchmarks: a kaigo server on a free loopback port and a login.
# serve_start DB OUT [ARGS…]: starts `kaigo serve`, sets $pid and $url, stops it on exit.
serve_start() {
  local db=$1 out=$2
  shift 2
  "$KAIGO" serve --db "$db" --listen 127.0.0.1:0 --quiet "$@" > "$out/serve.out" 2> "$out/serve.err" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
  for _ in $(seq 50); do grep -q listening "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
  url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$out/serve.out")
  [ -n "$url" ] || { echo "the server did not start: $(cat "$out/serve.err")" >&2; exit 1; }
}
# login_cookie LOGIN PASSWORD TOTP_SECRET: the session cookie ("kaigo_session=…") from POST /api/v1/login
login_cookie() {
  local totp c
  totp=$("$KAIGO" totp "$3")
  c=$(curl -s -D - -o /dev/null -d "{\"login\":\"$1\",\"password\":\"$2\",\"totp\":\"$totp\"}" "$url/api/v1/login" |
    sed -n 's/^Set-Cookie: \(kaigo_session=[0-9a-f]*\).*/\1/p')
  [ -n "$c" ] || { echo "login as $1 failed" >&2; exit 1; }
  echo "$c"
}
