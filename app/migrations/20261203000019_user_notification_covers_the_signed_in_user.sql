-- Servers keep signed-in users in memory (`db::users::SignedInUsers`) and drop one when the
-- database announces a change to them: every column a signed-in user is read with must be
-- one the announcement watches, so it also covers the roles and the user ID.
CREATE OR REPLACE FUNCTION sms_users_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sms_changes',
                      json_build_object('sponsor', n.sponsor_id, 'kind', 'user', 'by', sms_actor(), 'ids', array_agg(n.id))::text)
    FROM new_rows n JOIN old_rows o ON o.sponsor_id = n.sponsor_id AND o.id = n.id
    WHERE (n.full_name, n.level, n.active, n.session_epoch, n.password_hash, n.must_change_password,
           n.is_authorising_officer, n.is_key_contact, n.user_id)
          IS DISTINCT FROM (o.full_name, o.level, o.active, o.session_epoch, o.password_hash, o.must_change_password,
                            o.is_authorising_officer, o.is_key_contact, o.user_id)
    GROUP BY n.sponsor_id;
    RETURN NULL;
END
$$;
