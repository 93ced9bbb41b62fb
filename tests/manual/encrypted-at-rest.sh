#!/bin/bash
# encrypted-at-rest.sh - kaigo's files on an encrypted ext4 directory (fscrypt, AES-256-XTS for
# contents, AES-256-CTS for names): the raw image must not hold a name, address or birth date
# that kaigo stored, and kaigo must work there unchanged. Needs root, loop mounts and a kernel
# with CONFIG_FS_ENCRYPTION (not CI: run by hand; docs/security.md records the last run).
# Usage: tests/manual/encrypted-at-rest.sh build/default/kaigo
#        ENCRYPT=0 tests/manual/… : the same without encryption, which must fail (the check can fail)
set -euo pipefail
BIN=$(realpath "${1:-build/default/kaigo}")
W=$(mktemp -d /tmp/kaigo-enc-XXXXXX)
IMG=$W/fs.img MNT=$W/mnt
trap 'umount "$MNT" 2>/dev/null || true; rm -rf "$W"' EXIT
truncate -s 256M "$IMG"
mkfs.ext4 -q -O encrypt -F "$IMG"
mkdir "$MNT" && mount -o loop "$IMG" "$MNT"
mkdir "$MNT/kaigo"
# a per-run passphrase: the key lives in the session keyring, never on the volume
PASS=$(head -c 24 /dev/urandom | base64)
if [ "${ENCRYPT:-1}" = 1 ]; then
  printf '%s' "$PASS" | e4crypt add_key -p 16 "$MNT/kaigo" >/dev/null
  e4crypt get_policy "$MNT/kaigo"
fi
D="$MNT/kaigo"
printf '%s\r\n' '保険者番号,被保険者番号,氏名,氏名カナ,生年月日,性別,郵便番号,住所,資格取得日,資格喪失日,交付年月日' \
  '122192,0000000001,暗号化　確認子,アンゴウカ　カクニンコ,昭和15年4月2日,2,290-0001,千葉県市原市暗号町1丁目1番1号,2005-04-01,,' > "$W/insured.csv"
"$BIN" import insured "$W/insured.csv" --db "$D/k.db" --quiet
"$BIN" card show --db "$D/k.db" 122192 0000000001 | grep -q 暗号化
"$BIN" audit verify --db "$D/k.db" >/dev/null
ls -l "$D"
sync
umount "$MNT"
found=0
for s in 暗号化 アンゴウカ 暗号町 0000000001; do
  if grep -a -q "$s" "$IMG"; then echo "FOUND in the raw image: $s"; found=1; fi
done
# the control: the CSV outside the encrypted directory is plain text, so grep can find it
grep -a -q 暗号化 "$W/insured.csv"
[ $found = 0 ] && echo "encrypted-at-rest: nothing kaigo stored is readable in the raw image"
exit $found
