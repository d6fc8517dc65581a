-- Advanced search: keyset paging in each sort order, within one sponsor.
-- Status date order already has cos_status_date (sponsor_id, status_date DESC, id DESC).
CREATE INDEX cos_sponsor_number ON cos (sponsor_id, cos_number);
CREATE INDEX cos_sponsor_name ON cos (sponsor_id, sms_fold(coalesce(family_name, '')), sms_fold(coalesce(given_names, '')), id);
CREATE INDEX cos_route ON cos (sponsor_id, route_id, status_date DESC, id DESC);
