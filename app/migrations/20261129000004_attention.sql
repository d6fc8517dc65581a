-- "What needs attention" on the Workers screen.

-- One sponsor's ASSIGNED CoS by expiry date (expiring within 14 days). The expiry job, across
-- all sponsors, reads the same small partial index whole; nothing else used the old one.
DROP INDEX cos_expiry;
CREATE INDEX cos_expiry ON cos (sponsor_id, expiry_date) WHERE status = 'ASSIGNED';

-- The allocation used this year counts a sponsor's CoS by date assigned: carried in the status
-- index, it is an index-only scan, and no index is added for every update to maintain.
DROP INDEX cos_status;
CREATE INDEX cos_status ON cos (sponsor_id, status, status_date DESC) INCLUDE (date_assigned);
