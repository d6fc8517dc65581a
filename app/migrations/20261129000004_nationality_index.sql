-- Search by nationality (basic and advanced) within one sponsor, ignoring case and accents.
CREATE INDEX cos_nationality_folded ON cos (sponsor_id, sms_fold(nationality));
