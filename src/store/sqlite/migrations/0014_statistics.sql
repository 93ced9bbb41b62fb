-- 0014_statistics: the population of each insurer's area as dated data (issue #19 §2). The statistics'
-- suppression depends on it (介護DB 最小集計単位の原則: no counts under 2,000 people, minimum 20 under 25,000):
-- a row holds the population from its date on (住民基本台帳 as of that date); the latest row on or before the
-- statistics' month applies. No row: the insurer's statistics show nothing.
CREATE TABLE insurer_population (
    insurer_no  TEXT NOT NULL REFERENCES insurers(insurer_no),
    as_of       TEXT NOT NULL,          -- YYYY-MM-DD
    population  INTEGER NOT NULL CHECK (population >= 0),
    recorded_ms INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (insurer_no, as_of)
) WITHOUT ROWID;
