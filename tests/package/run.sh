#!/usr/bin/env bash
# run.sh PKG.deb - the Debian package as an administrator gets it (issue #20; docs/package.md), on this machine with no
# service manager running and without touching the host's system:
#   a. its contents: binary, man pages (en, ja), unit, sysusers.d, conffile, data, audit extension; no test build
#   b. installed by dpkg into a throw-away root (--root, chrootless maintainer scripts): postinst runs with DPKG_ROOT,
#      the user kaigo lands in that root's /etc/passwd, /var/lib/kaigo 0750 kaigo:kaigo, kaigo.conf 0640 root:kaigo,
#      the conffile registered; the host's users, /etc and systemd state unchanged
#   c. the installed unit: `systemd-analyze verify` clean, `systemd-analyze security` at or below MAX_EXPOSURE
#   d. the service started as the unit says (ExecStart, Environment, User, Group, UMask, LimitNOFILE, NoNewPrivileges;
#      the namespaces and the system call filter need systemd itself), with KAIGO_DB and KAIGO_LISTEN overriding the
#      file: /healthz and /readyz 200, ExecReload (SIGHUP) keeps it serving, SIGTERM stops it with status 0
#   e. installed again over itself (the administrator's edit of the conffile and the data kept), then purged: the
#      conffile gone, /var/lib/kaigo and the database left
# Needs root (dpkg writes files owned by the new user), dpkg, systemd-analyze (package systemd), curl, setpriv.
set -euo pipefail

PKG=${1:?usage: tests/package/run.sh build/debian/package/kaigo_VERSION_ARCH.deb}
PKG=$(realpath "$PKG")
MAX_EXPOSURE=${MAX_EXPOSURE:-2.0} # measured 1.5 with systemd 252 (Debian 12); docs/package.md

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }
show() { cat "$@" >&2 2>/dev/null || true; } # a log, when there is one, before a failure

[ "$(id -u)" -eq 0 ] || fail "run as root: dpkg --root installs files owned by the package's user"
for c in dpkg dpkg-deb systemd-analyze curl setpriv; do
  command -v "$c" >/dev/null || fail "$c is missing (scripts/deps.sh --test installs it)"
done

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/kaigo-package.XXXXXX")
chmod 0755 "$ROOT" # the service's user walks into it
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kaigo-package-work.XXXXXX")
PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
  rm -rf "$ROOT" "$WORK"
}
trap cleanup EXIT

# the host's state that nothing here may change
host_state() {
  sha256sum /etc/passwd /etc/group
  for p in /etc/kaigo /var/lib/kaigo /usr/bin/kaigo /var/lib/systemd/deb-systemd-helper-enabled/kaigo.service.dsh-also \
           /etc/systemd/system/multi-user.target.wants/kaigo.service; do
    if [ -e "$p" ]; then echo "present $p"; else echo "absent $p"; fi
  done
}
host_state >"$WORK/host.before"

# --- a. contents -----------------------------------------------------------------------------------------------------
dpkg-deb -c "$PKG" | awk '{print $6}' | sed 's#^\./#/#' >"$WORK/contents"
for want in /usr/bin/kaigo /usr/share/man/man1/kaigo.1.gz /usr/share/man/ja/man1/kaigo.1.gz \
            /usr/lib/systemd/system/kaigo.service /usr/lib/sysusers.d/kaigo.conf /etc/kaigo/kaigo.conf \
            /usr/share/kaigo/service-codes.csv /usr/share/kaigo/service-types.tsv /usr/share/kaigo/insurers.tsv \
            /usr/share/kaigo/schema.sql; do
  grep -qx "$want" "$WORK/contents" || fail "$want is not in the package"
done
grep -Eq '^/usr/lib/[^/]+/kaigo/kaigo_audit\.so$' "$WORK/contents" || fail "the audit extension is not in the package"
if grep -E 'kaigo-test|/fuzz_|/bench_|/u-[a-z]' "$WORK/contents"; then fail "a test, fuzz or bench binary is packaged"; fi
dpkg-deb -f "$PKG" Depends | grep -q 'fonts-noto-cjk' || fail "Depends lacks fonts-noto-cjk"
dpkg-deb -f "$PKG" Depends | grep -q 'libc6' || fail "Depends lacks the shared libraries (dpkg-shlibdeps)"
ok "contents: $(grep -vc '/$' "$WORK/contents") files; Depends: $(dpkg-deb -f "$PKG" Depends)"

# --- b. installed into a throw-away root -----------------------------------------------------------------------------
mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates"
touch "$ROOT/var/lib/dpkg/status"
dpkg --root="$ROOT" --force-depends --force-script-chrootless -i "$PKG" >"$WORK/install.log" 2>&1 ||
  { show "$WORK/install.log"; fail "dpkg -i"; }
dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${db:Status-Abbrev}' kaigo | grep -q '^ii' || fail "kaigo is not installed"

# postinst ran with DPKG_ROOT=$ROOT: the user is in the root's passwd, never the host's (host_state compares below)
KUID=$(awk -F: '$1 == "kaigo" { print $3 }' "$ROOT/etc/passwd" 2>/dev/null)
KGID=$(awk -F: '$1 == "kaigo" { print $3 }' "$ROOT/etc/group" 2>/dev/null)
{ [ -n "$KUID" ] && [ -n "$KGID" ]; } || fail "no user/group kaigo in $ROOT/etc/passwd, $ROOT/etc/group"
grep -q '^kaigo:[^:]*:[0-9]*:[0-9]*:[^:]*:/var/lib/kaigo:/usr/sbin/nologin$' "$ROOT/etc/passwd" ||
  fail "kaigo's home or shell: $(grep '^kaigo:' "$ROOT/etc/passwd")"
[ "$(stat -c '%u:%g %a' "$ROOT/var/lib/kaigo")" = "$KUID:$KGID 750" ] ||
  fail "/var/lib/kaigo is $(stat -c '%u:%g %a' "$ROOT/var/lib/kaigo"), not kaigo:kaigo 0750"
[ "$(stat -c '%u:%g %a' "$ROOT/etc/kaigo/kaigo.conf")" = "0:$KGID 640" ] ||
  fail "kaigo.conf is $(stat -c '%u:%g %a' "$ROOT/etc/kaigo/kaigo.conf"), not root:kaigo 0640"
dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${Conffiles}\n' kaigo | grep -q '^ */etc/kaigo/kaigo.conf ' ||
  fail "/etc/kaigo/kaigo.conf is not a conffile"
# deb-systemd-helper kept its state in the root (it honours DPKG_ROOT), for purge
[ -d "$ROOT/var/lib/systemd/deb-systemd-helper-enabled" ] || fail "deb-systemd-helper's state is not in the root"
host_state >"$WORK/host.after"
diff "$WORK/host.before" "$WORK/host.after" >&2 || fail "installing into $ROOT changed the host"
ok "installed into $ROOT: user kaigo ($KUID:$KGID) in its /etc/passwd, /var/lib/kaigo 0750, kaigo.conf 0640 root:kaigo (a conffile); host unchanged"

# --- c. the unit -----------------------------------------------------------------------------------------------------
UNIT=$ROOT/usr/lib/systemd/system/kaigo.service
[ -f "$UNIT" ] || fail "no $UNIT"
key() { sed -n "s/^$1=//p" "$UNIT"; }
# verify: with --root, systemd 252 also wants the root's own sysinit.target and /bin/kill, which a throw-away root has
# not. So the installed unit with its two installed paths - the binary and the configuration - pointed into the root,
# verified against the host's systemd; Documentation=man:kaigo(1) is looked up in the root's man pages. verify exits 0
# on an unknown key or a bad value: any output at all fails here.
mkdir -p "$WORK/unit"
sed -e "s#/usr/bin/kaigo#$ROOT/usr/bin/kaigo#g" -e "s#/etc/kaigo/#$ROOT/etc/kaigo/#g" "$UNIT" >"$WORK/unit/kaigo.service"
if ! MANPATH="$ROOT/usr/share/man" systemd-analyze verify "$WORK/unit/kaigo.service" >"$WORK/verify.log" 2>&1 ||
   [ -s "$WORK/verify.log" ]; then
  show "$WORK/verify.log"
  fail "systemd-analyze verify"
fi
ok "systemd-analyze verify: clean"
# security: offline, on the unit as installed in the root
systemd-analyze security --offline=yes --root="$ROOT" kaigo.service >"$WORK/security.log" 2>&1 ||
  { show "$WORK/security.log"; fail "systemd-analyze security"; }
SCORE=$(sed -n 's/.*Overall exposure level for kaigo.service: \([0-9.]*\).*/\1/p' "$WORK/security.log")
[ -n "$SCORE" ] || { show "$WORK/security.log"; fail "no exposure level in systemd-analyze security's output"; }
awk -v s="$SCORE" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }' ||
  { grep '✗' "$WORK/security.log" >&2; fail "exposure $SCORE is above $MAX_EXPOSURE"; }
ok "systemd-analyze security --offline=yes: exposure $SCORE (at most $MAX_EXPOSURE)"

# --- d. the service, as the unit starts it ---------------------------------------------------------------------------
intoroot() { sed -e "s#/usr/bin/kaigo#$ROOT/usr/bin/kaigo#g" -e "s#/etc/kaigo/#$ROOT/etc/kaigo/#g"; }
EXEC=$(key ExecStart | intoroot)
RELOAD=$(key ExecReload)
{ [ "$(key User)" = kaigo ] && [ "$(key Group)" = kaigo ]; } || fail "User=/Group= are not kaigo"
case "$EXEC" in "$ROOT/usr/bin/kaigo serve --config $ROOT/etc/kaigo/kaigo.conf") ;;
  *) fail "ExecStart is '$(key ExecStart)'" ;; esac
# systemd's environment for a system service, the unit's Environment= lines, then the overrides under test: the
# database and a free port (the file says /var/lib/kaigo/kaigo.db and 127.0.0.1:8080). No KAIGO_DATA_DIR: the
# installed binary finds /usr/share/kaigo beside itself (<exe>/../share/kaigo).
envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$ROOT/var/lib/kaigo" USER=kaigo
      LOGNAME=kaigo SHELL=/usr/sbin/nologin LANG=C.UTF-8)
while IFS= read -r e; do envs+=("$e"); done < <(key Environment | intoroot)
envs+=(KAIGO_DB="$ROOT/var/lib/kaigo/kaigo.db" KAIGO_LISTEN=127.0.0.1:0)
read -r -a cmd <<<"$EXEC"
umask_=$(key UMask)
nofile=$(key LimitNOFILE)
# LimitNOFILE as far as this machine lets root raise it (a container's hard limit may be lower)
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$nofile" ]; then
  echo "note: LimitNOFILE=$nofile is above this machine's hard limit $(ulimit -Hn); started with that"
  nofile=$(ulimit -Hn)
fi
(
  cd /
  umask "$umask_"
  ulimit -n "$nofile"
  exec setpriv --reuid="$KUID" --regid="$KGID" --clear-groups --no-new-privs \
    env -i "${envs[@]}" "${cmd[@]}" >"$WORK/stdout" 2>"$WORK/stderr" </dev/null
) &
PID=$!
URL=
for _ in $(seq 100); do
  URL=$(sed -n '1s#^kaigo: listening on \(https\{0,1\}://[0-9.]*:[0-9]*\).*#\1#p' "$WORK/stdout" 2>/dev/null || true)
  [ -n "$URL" ] && break
  kill -0 "$PID" 2>/dev/null || { show "$WORK/stderr"; fail "kaigo exited before listening"; }
  sleep 0.1
done
[ -n "$URL" ] || { show "$WORK/stdout" "$WORK/stderr"; fail "no 'kaigo: listening on' line in 10 s"; }
case "$URL" in *:8080) fail "listening on $URL: KAIGO_LISTEN did not override the file's listen" ;; esac
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$URL$1"; }
[ "$(status /healthz)" = 200 ] || { show "$WORK/stderr"; fail "/healthz answered $(status /healthz)"; }
[ "$(status /readyz)" = 200 ] || { show "$WORK/stderr"; fail "/readyz answered $(status /readyz)"; }
# the database where KAIGO_DB says, the service user's, 0600 (kaigo's own umask and the unit's)
[ "$(stat -c '%u %a' "$ROOT/var/lib/kaigo/kaigo.db")" = "$KUID 600" ] ||
  fail "kaigo.db is $(stat -c '%u %a' "$ROOT/var/lib/kaigo/kaigo.db"), not kaigo's 0600"
[ "$(stat -c '%u %a' "$ROOT/var/lib/kaigo/kaigo.db.operator-token")" = "$KUID 600" ] || fail "the operator token's mode"
ok "kaigo serve as kaigo:kaigo from ExecStart: $URL, /healthz 200, /readyz 200, database in \$ROOT/var/lib/kaigo"
# ExecReload: SIGHUP reopens the log and keeps serving
eval "${RELOAD//\$MAINPID/$PID}"
sleep 0.3
kill -0 "$PID" 2>/dev/null || { show "$WORK/stderr"; fail "kaigo exited on ExecReload ($RELOAD)"; }
[ "$(status /healthz)" = 200 ] || fail "/healthz after ExecReload"
ok "ExecReload ($RELOAD): still serving"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
[ "$rc" -eq 0 ] || { show "$WORK/stderr"; fail "kaigo exited $rc on SIGTERM"; }
ok "SIGTERM: exit status 0"

# --- e. installed again, then purged ---------------------------------------------------------------------------------
echo '# an administrator was here' >>"$ROOT/etc/kaigo/kaigo.conf"
dpkg --root="$ROOT" --force-depends --force-script-chrootless -i "$PKG" >"$WORK/reinstall.log" 2>&1 ||
  { show "$WORK/reinstall.log"; fail "dpkg -i over the installed package"; }
grep -q '^# an administrator was here$' "$ROOT/etc/kaigo/kaigo.conf" || fail "reinstalling lost the conffile's edit"
[ "$(stat -c '%u:%g %a' "$ROOT/etc/kaigo/kaigo.conf")" = "0:$KGID 640" ] || fail "kaigo.conf's mode after reinstall"
[ "$(grep -c '^kaigo:' "$ROOT/etc/passwd")" -eq 1 ] || fail "reinstalling added a second user kaigo"
[ -s "$ROOT/var/lib/kaigo/kaigo.db" ] || fail "reinstalling touched the database"
ok "installed again: the conffile's edit, the user and the database kept"

dpkg --root="$ROOT" --force-script-chrootless -P kaigo >"$WORK/purge.log" 2>&1 ||
  { show "$WORK/purge.log"; fail "dpkg -P"; }
[ ! -e "$ROOT/etc/kaigo/kaigo.conf" ] || fail "purge left /etc/kaigo/kaigo.conf"
{ [ ! -e "$ROOT/usr/bin/kaigo" ] && [ ! -e "$UNIT" ]; } || fail "purge left the binary or the unit"
{ [ -d "$ROOT/var/lib/kaigo" ] && [ -s "$ROOT/var/lib/kaigo/kaigo.db" ] && [ -s "$ROOT/var/lib/kaigo/kaigo.db.audit" ]; } ||
  fail "purge removed /var/lib/kaigo, the database or its audit log"
[ ! -e "$ROOT/var/lib/systemd/deb-systemd-helper-enabled/kaigo.service.dsh-also" ] || fail "purge left deb-systemd-helper's state"
if dpkg-query --admindir="$ROOT/var/lib/dpkg" -W kaigo >/dev/null 2>&1; then
  dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${db:Status-Abbrev}' kaigo | grep -q '^pn' || fail "kaigo is not purged"
fi
host_state >"$WORK/host.after"
diff "$WORK/host.before" "$WORK/host.after" >&2 || fail "the test changed the host"
ok "purged: conffile, binary and unit gone; /var/lib/kaigo with the database and audit log left; host unchanged"
