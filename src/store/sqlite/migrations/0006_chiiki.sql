-- 0006_chiiki: municipality → 地域区分 grade, imported master data (not personal): the unit price of a
-- service depends on where the office is (benefit-math.md §4). Keyed by the 全国地方公共団体コード and the
-- first day of the period; a re-import of the same period replaces it (kaigo import chiiki).
CREATE TABLE chiiki_grades (
    lg_code    TEXT NOT NULL CHECK (length(lg_code) = 6),
    name       TEXT NOT NULL,
    grade      INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 8),  -- 8 = その他
    valid_from TEXT NOT NULL,
    valid_to   TEXT NOT NULL,
    change_id  INTEGER NOT NULL REFERENCES changes(id),
    PRIMARY KEY (lg_code, valid_from)
) WITHOUT ROWID;
