-- 0009_paper_identity: a care relationship may also be established by 本人確認 with paper (issue #6): the
-- provider presents a current 被保険者証's signed token and records the visual check it made. What it
-- relied on is kept with the relationship: "保険者番号/番号: visual check" (empty for the code path).
ALTER TABLE relationships ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
