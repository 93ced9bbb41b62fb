# gen-rates.awk - data/rates.tsv -> C table (struct rate_row). Fails on malformed rows.
BEGIN { FS = "\t"; n = 0; print "/* Generated from data/rates.tsv by tools/gen-rates.awk. Do not edit. */"; print "#include \"domain/rates.h\""; print "const struct rate_row rate_rows[] = {" }
/^#/ || /^[ \t]*$/ { next }
{
    if (NF < 5) { printf "gen-rates: line %d: expected 5+ columns\n", NR > "/dev/stderr"; bad = 1; exit 1 }
    if ($3 !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ || $4 !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ || $5 !~ /^-?[0-9]+$/) {
        printf "gen-rates: line %d: bad date or value\n", NR > "/dev/stderr"; bad = 1; exit 1 }
    split($3, f, "-"); split($4, t, "-")
    gsub(/"/, "\\\"", $6)
    printf "    {\"%s\", \"%s\", {%d, %d, %d}, {%d, %d, %d}, %sLL, \"%s\"},\n", $1, $2, f[1], f[2], f[3], t[1], t[2], t[3], $5, $6
    n++
}
END { if (bad) exit 1; print "};"; print "const unsigned rate_rows_len = " n ";" }
