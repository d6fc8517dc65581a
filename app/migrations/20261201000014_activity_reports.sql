-- A report of migrant activity made in the product records the event's date, the day it was
-- due (10 working days on), how many working days late it was, and the values that changed
-- (new start date, work address, salary or hours), as label → value. Reports loaded with the
-- demo data have no event date.
ALTER TABLE activity_reports
    ADD COLUMN event_date date,
    ADD COLUMN due_date date,
    ADD COLUMN days_late integer NOT NULL DEFAULT 0 CHECK (days_late >= 0),
    ADD COLUMN changes jsonb NOT NULL DEFAULT '{}';
