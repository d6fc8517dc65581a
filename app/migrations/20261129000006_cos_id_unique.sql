-- Every query and foreign key reaches a CoS by (sponsor_id, id), the primary key. The extra
-- UNIQUE (id) served none of them, and every change of a CoS's owner or status paid for one
-- more index entry (a 10,000-CoS batch transfer writes 10,000).
ALTER TABLE cos DROP CONSTRAINT cos_id_key;
