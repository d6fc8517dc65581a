-- Search for CoS: names match from their start, ignoring case and accents ("Rene" finds "René").
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (it reads a dictionary); pinning the dictionary makes this safe to
-- declare IMMUTABLE, so that it can back an index.
CREATE FUNCTION sms_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, t))
$$;

CREATE INDEX cos_family_name_folded ON cos (sponsor_id, sms_fold(family_name) text_pattern_ops);
CREATE INDEX cos_given_names_folded ON cos (sponsor_id, sms_fold(given_names) text_pattern_ops);
CREATE INDEX cos_passport ON cos (sponsor_id, passport_number);
CREATE INDEX cos_date_of_birth ON cos (sponsor_id, date_of_birth);
