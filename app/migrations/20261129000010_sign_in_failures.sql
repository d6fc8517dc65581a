-- Failed sign-ins under user IDs that name nobody, counted and locked exactly as a user's
-- own failures are (users.failed_attempts, users.locked_until): the locked message then
-- reads the same whether or not the user ID exists. Only the first failure of each run is
-- written to the append-only audit log, so guessing IDs cannot grow it without bound; rows
-- here are removed a day after their last failure (server/src/jobs.rs).
CREATE TABLE sign_in_failures (
    user_id         text PRIMARY KEY,
    failed_attempts integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    last_failed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_failed_at);
