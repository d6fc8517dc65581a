-- Advanced search: keyset paging in each sort order, within one sponsor, and the filters
-- that are not served by an index already (chosen from EXPLAIN in make bench).
-- Status date order already has cos_status_date (sponsor_id, status_date DESC, id DESC).
CREATE INDEX cos_sponsor_number ON cos (sponsor_id, cos_number);
CREATE INDEX cos_sponsor_name ON cos (sponsor_id, sms_fold(coalesce(family_name, '')), sms_fold(coalesce(given_names, '')), id);
-- INCLUDE status: route and status together are counted from the index alone.
CREATE INDEX cos_route ON cos (sponsor_id, route_id, status_date DESC, id DESC) INCLUDE (status);
CREATE INDEX cos_nationality_folded ON cos (sponsor_id, sms_fold(nationality));
-- Passport numbers are matched without spaces, in capitals.
CREATE INDEX cos_passport_normal ON cos (sponsor_id, upper(replace(passport_number, ' ', '')));
