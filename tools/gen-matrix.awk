# gen-matrix.awk - data/access-matrix.tsv -> C table (src/domain/gate.c includes its declaration).
# Refuses unknown roles, unknown cells and rows of the wrong width, so a typo fails the build.
BEGIN {
    FS = "\t"; n = 0
    split("person proxy insurer caremgr houkatsu provider facility clinician operator", roles, " ")
    for (i in roles) known[roles[i]] = "ROLE_" toupper(roles[i])
    cell["-"] = "RULE_DENY"; cell["own"] = "RULE_OWN"; cell["proxy"] = "RULE_PROXY"
    cell["insurer"] = "RULE_INSURER"; cell["care"] = "RULE_CARE"; cell["request"] = "RULE_REQUEST"
    cell["local"] = "RULE_LOCAL"; cell["paper"] = "RULE_PAPER"; cell["optin"] = "RULE_OPTIN"
    print "/* Generated from data/access-matrix.tsv by tools/gen-matrix.awk. Do not edit. */"
    print "#include \"domain/gate.h\""
    print "const struct matrix_row access_matrix[ROLE_COUNT] = {"
}
/^#/ || /^[ \t]*$/ { next }
{
    if (NF != 14) { printf "gen-matrix: line %d: %d columns, want 14\n", NR, NF > "/dev/stderr"; bad = 1; exit 1 }
    if (!($1 in known)) { printf "gen-matrix: line %d: unknown role %s\n", NR, $1 > "/dev/stderr"; bad = 1; exit 1 }
    if (seen[$1]++) { printf "gen-matrix: line %d: role %s twice\n", NR, $1 > "/dev/stderr"; bad = 1; exit 1 }
    line = "    [" known[$1] "] = {{RULE_DENY"
    for (i = 3; i <= 13; i++) {
        if (!($i in cell)) { printf "gen-matrix: line %d: unknown cell '%s'\n", NR, $i > "/dev/stderr"; bad = 1; exit 1 }
        line = line ", " cell[$i]
    }
    if ($14 != "yes" && $14 != "no") { printf "gen-matrix: line %d: bg must be yes or no\n", NR > "/dev/stderr"; bad = 1; exit 1 }
    printf "%s}, %s, \"%s\"},\n", line, ($14 == "yes" ? "true" : "false"), $2
    n++
}
END {
    if (bad) exit 1
    for (r in known) if (!(r in seen)) { printf "gen-matrix: role %s has no row\n", r > "/dev/stderr"; exit 1 }
    print "};"
}
