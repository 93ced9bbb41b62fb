-- 0012_insurer_policy: when the insurer issues the paper 被保険者証 (issue #17 §3; 介護保険部会 2025-09:
-- at 要介護認定申請 rather than to everyone at 65 - the insurer's choice) and the day the insurer starts on the
-- 介護情報基盤 (ISO date, '' while not known), shown on the person's and the clerk's pages.
ALTER TABLE insurers ADD COLUMN card_issue TEXT NOT NULL DEFAULT 'age65'
    CHECK (card_issue IN ('age65', 'application'));
ALTER TABLE insurers ADD COLUMN platform_start TEXT NOT NULL DEFAULT ''
    CHECK (platform_start = '' OR length(platform_start) = 10);
