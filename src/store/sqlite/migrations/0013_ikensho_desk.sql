-- 0013_ikensho_desk: the doctor's 意見書作成依頼 inbox (issue #18 §3). A request names the application it
-- belongs to (so the 医療機関 answers that application), and the institution may keep a draft of its
-- opinion before it submits it: one per request, replaced on each save, deleted when the opinion is
-- submitted. The draft is the institution's own writing about the person; it is read back only after
-- the gate has allowed the institution the person's 主治医意見書 (an open request) and that read is audited.
ALTER TABLE ikensho_requests ADD COLUMN app_id TEXT NOT NULL DEFAULT '';
-- when the requested institution's opinion for the application was recorded (0 = not yet): the inbox's status
ALTER TABLE ikensho_requests ADD COLUMN answered_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ikensho_requests_org ON ikensho_requests (org_id, opened_ms);
CREATE TABLE ikensho_drafts (
    insurer_no TEXT NOT NULL,
    insured_no TEXT NOT NULL,
    app_id     TEXT NOT NULL,
    org_id     TEXT NOT NULL REFERENCES orgs(org_id),
    body       TEXT NOT NULL,  -- the opinion as the API takes it (docs/certification.md §3), possibly incomplete
    saved_ms   INTEGER NOT NULL,
    saved_by   TEXT NOT NULL,
    PRIMARY KEY (insurer_no, insured_no, app_id, org_id)
);
-- The care manager's month of a person's 第6表 (issue #18 §1 plan states): a draft saved from the editor
-- (作成中: the form's fields as typed, not sent to anyone; deleted when the month is sent) and the day the plan was
-- handed to the person (交付済). One row per person, office and month.
CREATE TABLE plan_months (
    insurer_no  TEXT NOT NULL,
    insured_no  TEXT NOT NULL,
    org_id      TEXT NOT NULL REFERENCES orgs(org_id),
    month       TEXT NOT NULL,            -- YYYYMM
    draft_body  TEXT,                     -- JSON [[name, value], …] of the editor's form, or NULL
    draft_ms    INTEGER NOT NULL DEFAULT 0,
    draft_by    TEXT NOT NULL DEFAULT '',
    issued_ms   INTEGER NOT NULL DEFAULT 0,
    issued_by   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (insurer_no, insured_no, org_id, month)
);
-- モニタリング (居宅介護支援 運営基準 第13条第14号): the care manager's visits to the person, recorded from the 第6表
-- editor; the caseload's monitoring due dates (data/rates.tsv monitor_home_months) start from the last home visit.
-- kind 'home' (居宅を訪問して面接) or 'video' (テレビ電話装置等, with its conditions confirmed at the visit).
CREATE TABLE monitoring_visits (
    insurer_no  TEXT NOT NULL,
    insured_no  TEXT NOT NULL,
    org_id      TEXT NOT NULL REFERENCES orgs(org_id),
    visited_on  TEXT NOT NULL CHECK (length(visited_on) = 10),
    kind        TEXT NOT NULL CHECK (kind IN ('home', 'video')),
    recorded_ms INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (insurer_no, insured_no, org_id, visited_on, kind)
);
