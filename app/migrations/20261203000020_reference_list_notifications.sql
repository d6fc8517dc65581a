-- The routes and activity types are kept in each server's memory (`ReferenceLists`): a change
-- to either, however it is made, is announced so that every server reads them again. No
-- sponsor: it reaches no browser's live stream.
CREATE FUNCTION sms_reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sms_changes', json_build_object('kind', 'reference', 'table', TG_TABLE_NAME)::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER routes_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON routes
    FOR EACH STATEMENT EXECUTE FUNCTION sms_reference_changed();
CREATE TRIGGER activity_types_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON activity_types
    FOR EACH STATEMENT EXECUTE FUNCTION sms_reference_changed();
