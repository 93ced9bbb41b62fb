#!/usr/bin/env bash
# run-banner.sh DB LISTEN - print how to use the demo server started by `make run`.
set -euo pipefail
db=$1 listen=$2
. "$(dirname "$0")/db-lib.sh" # DB: a SQLite file or a postgresql:// URL with $KAIGO_STATE
tokfile=$(side .operator-token)
if [ ! -f "$tokfile" ]; then
  ( umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tokfile" ); echo >> "$tokfile"
fi
tok=$(head -c 64 "$tokfile")
api=$(cat "$(side .demo-token)")
insapi=$(cat "$(side .demo-insurer-token)" 2>/dev/null || echo "(make clean で作り直してください)")
read -r ins no birth code < "$(side .demo-person)"
k=build/default/kaigo
# a fresh one-time 本人確認 code each time (the last one may have been used)
code=$("$k" relationship code --db "$db" "$ins" "$no" 2>/dev/null || echo "$code")
cat <<MSG

  kaigo デモサーバ / demo server:  http://$listen     (合成データのみ / synthetic data only)

  0. ブラウザで / in a browser:  http://$listen/   (docs/ui.md)
     パスワードはすべて demo-Password-2026。確認コードは: $k totp <秘密鍵>
     本人 (the person)         demo-person   秘密鍵 DEMOPERSONDEMOPERSONDEMOPERSON22
     家族・代理人 (family)     demo-family   秘密鍵 DEMOFAMILYDEMOFAMILYDEMOFAMILY22
     ケアマネジャー (care mgr) demo-cm       秘密鍵 DEMOCAREMGRDEMOCAREMGRDEMOCAREM2   利用者一覧: /office/people
       (利用者一覧の「第6表を編集」で第6表を入力し、第7表を見ながら「提供票を送信」)
     通所介護 (provider)       demo-provider 秘密鍵 DEMOPROVIDERDEMOPROVIDERDEMOPR22   受信一覧の「実績を入力」
     医師 (doctor)             demo-doctor   秘密鍵 DEMODOCTORDEMODOCTORDEMODOCTOR22   意見書作成依頼: /clinic/requests
     事業所の事務 (provider)   demo-clerk    秘密鍵 DEMOCLERKDEMOCLERKDEMOCLERKDEMO2
       資格確認: 保険者番号 $ins / 被保険者番号 $no (本人確認の前は断られ、本人の「だれが見たか」に残ります)
       本人確認: 生年月日 $birth と、本人の画面「本人確認コード」で発行した番号

  1. 事業所ソフトとして (as provider software, API token of デモ居宅介護支援事業所):
     本人確認して担当事業所になる (本人確認 + register as 担当事業所, one-time paper code $code):
       curl -H 'Authorization: Bearer $api' -d '{"insurer_no":"$ins","insured_no":"$no","birth_date":"$birth","code":"$code"}' http://$listen/api/v1/relationships
     被保険者証を見る (read the card: consent + relationship checked, audited):
       curl -H 'Authorization: Bearer $api' 'http://$listen/api/v1/insurers/$ins/insured/$no/card?date=R8.11.1'

  2. 本人として (as the person: password + TOTP):
       curl -c /tmp/kaigo.jar -d '{"login":"demo-person","password":"demo-Password-2026","totp":"'\$($k totp DEMOPERSONDEMOPERSONDEMOPERSON22)'"}' http://$listen/api/v1/login
       curl -b /tmp/kaigo.jar http://$listen/api/v1/me/access-log     (誰がいつ見たか / who saw what)
       curl -b /tmp/kaigo.jar http://$listen/api/v1/me/consents       (同意・代理人・担当事業所)
     ほかのアカウント: demo-staff (市町村職員, review: 被保険者の検索・認定・印刷・事後確認・監査ログ・集計の画面),
       demo-doctor (医師, breakglass); 同じパスワード。
     TOTP秘密鍵: demo-staff DEMOSTAFFDEMOSTAFFDEMOSTAFFDEMO2, demo-doctor DEMODOCTORDEMODOCTORDEMODOCTOR22

  3. 市町村職員として要介護認定 (as the insurer: certification workflow, docs/certification.md):
       curl -H 'Authorization: Bearer $insapi' -d '{"kind":"区分変更","applied":"R8.11.2","consent":"all"}' http://$listen/api/v1/insurers/$ins/insured/$no/applications
       curl -H 'Authorization: Bearer $insapi' -d '{"date":"R8.11.3","investigator":"調査員 一郎"}' http://$listen/api/v1/insurers/$ins/insured/$no/applications/A20261102-1/survey
       $k cert worklist --db $db --insurer $ins          (決定期限までの残り日数順 / by days to the 30-day deadline)
       curl -H 'Authorization: Bearer $insapi' -d '{"kind":"yogu","date":"R8.11.5","amount":120000,"category":"腰掛便座"}' http://$listen/api/v1/insurers/$ins/insured/$no/ledger/claims
       $k ledger remaining --db $db $ins $no              (住宅改修・福祉用具の残り / what remains and why)

  ケアマネジャー (care manager): 今月の第6表から取扱件数 (caseload from this month's plans, docs/caseload.md):
       $k caseload --db $db --office 1270100017 --month $(TZ=Asia/Tokyo date +%Y-%m)

  4. 紙の書類 (paper documents with a signed QR, docs/paper.md):
       $k print card --db $db --person $ins/$no /tmp/kaigo-card.pdf      (被保険者証 / the card)
       $k verify /tmp/kaigo-card.pdf --db $db                             (QR を確かめる / check its QR)
       $k print cards --db $db --insurer $ins /tmp/kaigo-cards.pdf       (一括印刷 / batch, resumable)

  5. 運用者 (operator; master data only):  curl -H 'Authorization: Bearer $tok' http://$listen/api/v1/insurers
     監査ログの検証 (verify the audit log):  $k audit verify --db $db
     漏えい時の範囲特定 (leak scoping):      $k audit scope --db $db --org demo-kyotaku --from R8.11.1 --to R8.12.31
  停止は Ctrl-C (stop with Ctrl-C)

MSG
