-- 0005_exchange: kaigo as the ケアプランデータ連携 relay. Offices carry their 事業所番号 (the send unit's
-- file names name offices by it); a delivery is one person's part of a send unit addressed to one office,
-- downloaded and acknowledged by it. Keyed by insurer first like every personal table.
ALTER TABLE orgs ADD COLUMN office_no TEXT CHECK (office_no IS NULL OR length(office_no) = 10);
CREATE UNIQUE INDEX orgs_office_no ON orgs (office_no) WHERE office_no IS NOT NULL;

CREATE TABLE exchange_deliveries (
    insurer_no    TEXT NOT NULL REFERENCES insurers(insurer_no),
    insured_no    TEXT NOT NULL CHECK (length(insured_no) = 10),
    to_org        TEXT NOT NULL REFERENCES orgs(org_id),
    stamp         TEXT NOT NULL CHECK (length(stamp) = 14),
    what          TEXT NOT NULL,  -- month:YYYYMM | plan:YYYYMMDD | jsk:YYYYMM
    to_kind       TEXT NOT NULL,  -- the receiver's サービス種類コード in the file names ('' for v3)
    from_org      TEXT NOT NULL REFERENCES orgs(org_id),
    created_ms    INTEGER NOT NULL,
    downloaded_ms INTEGER,
    acked_ms      INTEGER,
    PRIMARY KEY (insurer_no, insured_no, to_org, stamp, what)
) WITHOUT ROWID;
CREATE INDEX exchange_inbox ON exchange_deliveries (to_org, acked_ms, stamp);
