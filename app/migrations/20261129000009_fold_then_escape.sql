-- A name prefix for LIKE: folded first (lower case, accents off), then its wildcards escaped.
-- Escaping before folding let fullwidth ％ ＿ ＼ through as % _ \ (unaccent maps them), so
-- "％" matched every name and walked the whole index.
CREATE FUNCTION sms_fold_prefix(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT replace(replace(replace(sms_fold(t), '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;
