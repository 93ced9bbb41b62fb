-- 0007_caseload: a care manager's office reads its month from the stored 第6表 (cp.UPPLAN, keyed by
-- 対象年月): a partial index holds those rows only, by insurer and month, so the caseload scan reads one
-- month of one insurer's plans and other kinds pay nothing (kaigo caseload --db).
CREATE INDEX record_plans_month ON record_versions (insurer_no, kind, rkey, insured_no, version)
    WHERE kind = 'cp.UPPLAN';
