# gen-matrix-doc.awk - data/access-matrix.tsv -> docs/access-matrix.md (the table part).
BEGIN {
    FS = "\t"
    split("資格 認定調査票 主治医意見書 審査会資料 ケアプラン LIFE 住宅改修・福祉用具 給付実績 アクセス記録 書類照会 二次利用", cats, " ")
    word["-"] = "—"; word["own"] = "本人"; word["proxy"] = "代理範囲"; word["insurer"] = "法定(保険者)"
    word["care"] = "担当+同意"; word["request"] = "意見書依頼中"; word["local"] = "CLI(監査)"; word["paper"] = "書類の提示"
    word["optin"] = "本人の同意(仮名加工)"
    print "<!-- Generated from data/access-matrix.tsv by tools/gen-matrix-doc.awk; run tools/matrix-doc. Do not edit. -->"
    print ""
    printf "| 役割 |"; for (i = 1; i <= 11; i++) printf " %s |", cats[i]; print " 緊急時(break-glass) |"
    printf "|---|"; for (i = 1; i <= 11; i++) printf "---|"; print "---|"
}
/^#/ || /^[ \t]*$/ { next }
{
    printf "| %s (`%s`) |", $2, $1
    for (i = 3; i <= 13; i++) printf " %s |", word[$i]
    print " " ($14 == "yes" ? "可" : "—") " |"
}
