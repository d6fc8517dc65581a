-- Searches match passport numbers by their normal form (cos_passport_normal); the plain index
-- was used by nothing and cost every update of a CoS one more index entry to write.
DROP INDEX cos_passport;
