-- Change notifications (issue 22): every committed change a screen or a server's cache cares
-- about is announced on the channel `sms_changes`, from the transaction that made it, whoever
-- made it (a server, the expiry job, the Home Office's commands, psql). PostgreSQL delivers a
-- notification only once its transaction commits, and never one from a rolled-back change.
--
-- The payload names what changed, never who it is about: the sponsor, a kind, CoS numbers (at
-- most 100; beyond that only how many), the owners involved (internal ids, so a Level 2 user's
-- stream can be filtered to their own CoS), user or record ids, and `by`: the user who made
-- the change, when the app named them for the transaction (`db::acting_as`), so that their
-- own screens do not tell them of it as news. Triggers are per statement:
-- a 10,000-CoS batch transfer sends one notification per sponsor, previous owner and new owner,
-- not 10,000.

CREATE FUNCTION sms_actor() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('sms.actor', true), '')::bigint
$$;

CREATE FUNCTION sms_cos_payload(kind text, sponsor bigint, owners bigint[], numbers text[])
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'sponsor', sponsor,
        'kind', kind,
        'by', sms_actor(),
        'owners', (SELECT array_agg(DISTINCT o) FROM unnest(owners) o WHERE o IS NOT NULL),
        'count', cardinality(numbers),
        'cos', CASE WHEN cardinality(numbers) <= 100 THEN numbers END
    )::text
$$;

-- A CoS changed (status, dates, details): kind `cos`, grouped by its current owner.
CREATE FUNCTION sms_cos_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sms_changes',
                      sms_cos_payload('cos', n.sponsor_id, array[n.owner_id], array_agg(n.cos_number)))
    FROM (SELECT c.sponsor_id, c.cos_number, o.owner_id
          FROM new_rows c LEFT JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id) n
    GROUP BY n.sponsor_id, n.owner_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER cos_updated AFTER UPDATE ON cos
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_cos_updated();

-- A CoS made (its owner row is written after the CoS itself): kind `created`.
CREATE FUNCTION sms_cos_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sms_changes',
                      sms_cos_payload('created', n.sponsor_id, array[n.owner_id], array_agg(n.cos_number)))
    FROM (SELECT o.sponsor_id, o.owner_id, c.cos_number
          FROM new_rows o LEFT JOIN cos c ON c.sponsor_id = o.sponsor_id AND c.id = o.cos_id) n
    GROUP BY n.sponsor_id, n.owner_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER cos_created AFTER INSERT ON cos_owners
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_cos_created();

-- A CoS moved to another user: kind `owner`, with the previous and the new owner.
CREATE FUNCTION sms_cos_transferred() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sms_changes',
                      sms_cos_payload('owner', n.sponsor_id, array[n.was, n.now], array_agg(n.cos_number)))
    FROM (SELECT nr.sponsor_id, orow.owner_id AS was, nr.owner_id AS now, c.cos_number
          FROM new_rows nr
          JOIN old_rows orow ON orow.sponsor_id = nr.sponsor_id AND orow.cos_id = nr.cos_id
          JOIN cos c ON c.sponsor_id = nr.sponsor_id AND c.id = nr.cos_id
          WHERE orow.owner_id IS DISTINCT FROM nr.owner_id) n
    GROUP BY n.sponsor_id, n.was, n.now;
    RETURN NULL;
END
$$;
CREATE TRIGGER cos_transferred AFTER UPDATE ON cos_owners
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sms_cos_transferred();

-- A sponsor note or an activity report added to a CoS: kinds `note` and `activity`.
CREATE FUNCTION sms_cos_annotated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sms_changes',
                      sms_cos_payload(TG_ARGV[0], n.sponsor_id, array[n.owner_id], array_agg(n.cos_number)))
    FROM (SELECT r.sponsor_id, c.cos_number, o.owner_id
          FROM new_rows r
          JOIN cos c ON c.sponsor_id = r.sponsor_id AND c.id = r.cos_id
          LEFT JOIN cos_owners o ON o.sponsor_id = r.sponsor_id AND o.cos_id = r.cos_id) n
    GROUP BY n.sponsor_id, n.owner_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER sponsor_note_added AFTER INSERT ON sponsor_notes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_cos_annotated('note');
CREATE TRIGGER activity_reported AFTER INSERT ON activity_reports
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_cos_annotated('activity');

-- Batches, work addresses and users: kind and ids, per sponsor.
CREATE FUNCTION sms_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sms_changes',
                      json_build_object('sponsor', r.sponsor_id, 'kind', TG_ARGV[0], 'by', sms_actor(), 'ids', array_agg(r.id))::text)
    FROM new_rows r
    GROUP BY r.sponsor_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER batch_added AFTER INSERT ON batches
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_rows_changed('batch');
CREATE TRIGGER batch_changed AFTER UPDATE ON batches
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_rows_changed('batch');
CREATE TRIGGER work_address_added AFTER INSERT ON work_addresses
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_rows_changed('work_address');
CREATE TRIGGER work_address_changed AFTER UPDATE ON work_addresses
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_rows_changed('work_address');
CREATE TRIGGER work_address_removed AFTER DELETE ON work_addresses
    REFERENCING OLD TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_rows_changed('work_address');
CREATE TRIGGER user_added AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_rows_changed('user');

-- A user changed in a way others see: name, level, deactivated or reactivated, password or
-- sessions (the epoch). A sign-in's own bookkeeping (last sign-in, failed attempts) is not one.
CREATE FUNCTION sms_users_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sms_changes',
                      json_build_object('sponsor', n.sponsor_id, 'kind', 'user', 'by', sms_actor(), 'ids', array_agg(n.id))::text)
    FROM new_rows n JOIN old_rows o ON o.sponsor_id = n.sponsor_id AND o.id = n.id
    WHERE (n.full_name, n.level, n.active, n.session_epoch, n.password_hash, n.must_change_password)
          IS DISTINCT FROM (o.full_name, o.level, o.active, o.session_epoch, o.password_hash, o.must_change_password)
    GROUP BY n.sponsor_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER user_changed AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sms_users_updated();

-- Sessions: kept by the session store in tower_sessions.session, which it creates at start-up
-- if missing; made here first (as the store makes it) so the trigger has a table. A session
-- saved or deleted by one server must not be read from another server's memory: the
-- notification names it by a hash of its id (the id itself is the cookie's secret).
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE IF NOT EXISTS tower_sessions.session (
    id text PRIMARY KEY NOT NULL,
    data bytea NOT NULL,
    expiry_date timestamptz NOT NULL
);
CREATE FUNCTION sms_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sms_changes', json_build_object(
        'kind', 'session',
        'key', left(encode(sha256(convert_to(OLD.id, 'UTF8')), 'hex'), 16))::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER session_changed AFTER UPDATE OR DELETE ON tower_sessions.session
    FOR EACH ROW EXECUTE FUNCTION sms_session_changed();
