# gen-insurers.awk - data/insurers.tsv -> C table of the seed insurer master.
# Computes the 保険者番号 check digit (modulus 10, weights 2-1 from the right, products split).
BEGIN { FS = "\t"; n = 0; print "/* Generated from data/insurers.tsv by tools/gen-insurers.awk. Do not edit. */"; print "#include \"domain/insurers.h\""; print "const struct insurer_seed insurer_seeds[] = {" }
/^#/ || /^[ \t]*$/ { next }
{
    if ($1 !~ /^[0-9][0-9][0-9][0-9][0-9]$/ || NF < 3) { printf "gen-insurers: line %d: bad row\n", NR > "/dev/stderr"; bad = 1; exit 1 }
    sum = 0
    for (i = 5; i >= 1; i--) { w = ((5 - i) % 2 == 0) ? 2 : 1; p = substr($1, i, 1) * w; sum += int(p / 10) + p % 10 }
    cd = (10 - sum % 10) % 10
    printf "    {\"%s%d\", \"%s\", \"%s\"},\n", $1, cd, $2, $3
    n++
}
END { if (bad) exit 1; print "};"; print "const unsigned insurer_seeds_len = " n ";" }
