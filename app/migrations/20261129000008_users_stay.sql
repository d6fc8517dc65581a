-- A user belongs to one sponsor for good, and leaves by being made inactive, never by being
-- deleted: their name stays on the CoS, histories and audit entries they touched. The server
-- remembers which users belong to which sponsor (db::users::KnownUsers) and relies on this.
CREATE FUNCTION users_stay() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'user % cannot be deleted: make them inactive instead', OLD.user_id;
    END IF;
    RAISE EXCEPTION 'user % cannot move to another sponsor', OLD.user_id;
END $$;

CREATE TRIGGER users_not_deleted BEFORE DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION users_stay();
CREATE TRIGGER users_keep_sponsor BEFORE UPDATE OF sponsor_id, id ON users
    FOR EACH ROW WHEN (OLD.sponsor_id <> NEW.sponsor_id OR OLD.id <> NEW.id)
    EXECUTE FUNCTION users_stay();
