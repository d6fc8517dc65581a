-- Managing users (domain.md "Users").
-- session_epoch: a session is good only while it names the user's current epoch. Deactivating
-- a user or changing a password moves the epoch on, which ends every session of that user at
-- once, on every server, with no list of sessions to search (the user is read afresh on each
-- request anyway).
-- must_change_password: set with a temporary password (a new user, a reactivated one); until
-- the user chooses their own, they can do nothing else.
ALTER TABLE users
    ADD COLUMN session_epoch integer NOT NULL DEFAULT 0,
    ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
    ADD COLUMN created_by bigint,
    ADD COLUMN deactivated_at timestamptz,
    ADD CONSTRAINT users_created_by FOREIGN KEY (sponsor_id, created_by) REFERENCES users (sponsor_id, id);
