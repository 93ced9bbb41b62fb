-- 0004_certification: the 要介護認定 workflow, its documents, LIFE feedback and the ledger are
-- versioned person records (record_versions) of the kinds application, chosa, ikensho, life and
-- ledger; nothing new is mutable. The certification worklist reads every current application
-- of an insurer: a partial index holds those rows only (imports of other kinds pay nothing).
CREATE INDEX record_applications ON record_versions (insurer_no, kind, insured_no, rkey, version)
    WHERE kind = 'application';
