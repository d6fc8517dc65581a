//! The demo generator against a real database: counts, every status, histories that follow
//! the allowed transitions, activity only on USED, and references that stay in one sponsor.

mod common;

use app::domain::{Actor, Status};
use common::{seed_demo, TODAY};
use server::seed::{self, Params};
use sqlx::PgPool;
use std::collections::HashMap;

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn demo_has_what_the_readme_promises(pool: PgPool) {
    let s = seed_demo(&pool).await;
    assert_eq!(s.cos, 3_000);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM cos").await, 3_000);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM sponsors").await, 2);

    let acme: i64 = sqlx::query_scalar("SELECT id FROM sponsors WHERE name = 'Acme Engineering Ltd' AND licence_number = '2XK7Q4M9B'")
        .fetch_one(&pool).await.unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).bind(acme).fetch_one(&pool).await.unwrap() }
    };
    assert!(count("SELECT count(*) FROM users WHERE sponsor_id = $1").await >= 5);
    assert!(count("SELECT count(*) FROM cos WHERE sponsor_id = $1").await > 150);
    assert!(count("SELECT count(*) FROM batches WHERE sponsor_id = $1").await >= 5);
    assert!(count("SELECT count(*) FROM work_addresses WHERE sponsor_id = $1").await >= 3);
    // Some CoS have other regular places of work, each one of the sponsor's own addresses.
    assert!(count("SELECT count(*) FROM cos WHERE sponsor_id = $1 AND other_work_addresses <> '[]'").await > 20);
    assert_eq!(
        count("SELECT count(*) FROM cos c, jsonb_array_elements(c.other_work_addresses) a WHERE c.sponsor_id = $1
               AND NOT EXISTS (SELECT 1 FROM work_addresses w WHERE w.sponsor_id = c.sponsor_id AND w.postcode = a->>'postcode')").await,
        0
    );
    assert_eq!(count("SELECT count(DISTINCT activity_type_id) FROM activity_reports WHERE sponsor_id = $1").await, 12);
    assert_eq!(count("SELECT count(DISTINCT status) FROM cos WHERE sponsor_id = $1").await, 7);
    assert_eq!(scalar(&pool, "SELECT count(DISTINCT route_id) FROM cos").await, 15);
    assert_eq!(scalar(&pool, "SELECT count(DISTINCT status) FROM cos").await, 7);

    // The demo sign-ins, where README.md says they are.
    let users: Vec<(String, i16, String)> = sqlx::query_as(
        "SELECT u.user_id, u.level, s.name FROM users u JOIN sponsors s ON s.id = u.sponsor_id
         WHERE u.user_id IN ('l1.demo', 'l2.demo', 'other.l1') ORDER BY u.user_id",
    )
    .fetch_all(&pool).await.unwrap();
    assert_eq!(users, vec![
        ("l1.demo".into(), 1, "Acme Engineering Ltd".into()),
        ("l2.demo".into(), 2, "Acme Engineering Ltd".into()),
        ("other.l1".into(), 1, "Northern Lights Care Ltd".into()),
    ]);
    let l2_owns: i64 = sqlx::query_scalar("SELECT count(*) FROM cos_owners o JOIN users u ON u.id = o.owner_id WHERE u.user_id = 'l2.demo'")
        .fetch_one(&pool).await.unwrap();
    assert!(l2_owns > 0, "l2.demo owns some CoS");
    // Accents and apostrophes survive the trip.
    assert!(scalar(&pool, "SELECT count(*) FROM cos WHERE family_name LIKE '%''%'").await > 0);
    assert!(scalar(&pool, "SELECT count(*) FROM cos WHERE given_names ~ '[éëöüçñłø]'").await > 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn histories_follow_the_allowed_transitions(pool: PgPool) {
    seed_demo(&pool).await;
    let rows: Vec<(i64, String, Option<String>, time::OffsetDateTime, String, Option<i64>)> = sqlx::query_as(
        "SELECT cos_id, status, from_status, changed_at, actor_kind, actor_user_id
         FROM cos_status_history ORDER BY cos_id, changed_at, id",
    )
    .fetch_all(&pool).await.unwrap();
    let cos: HashMap<i64, (String, time::OffsetDateTime)> = sqlx::query_as::<_, (i64, String, time::OffsetDateTime)>(
        "SELECT id, status, status_date FROM cos",
    )
    .fetch_all(&pool).await.unwrap()
    .into_iter().map(|(id, s, d)| (id, (s, d))).collect();

    let mut by_cos: HashMap<i64, Vec<_>> = HashMap::new();
    for r in rows {
        by_cos.entry(r.0).or_default().push(r);
    }
    assert_eq!(by_cos.len(), cos.len(), "every CoS has a status history");
    for (id, path) in &by_cos {
        let first = Status::parse(&path[0].1).unwrap();
        assert!(first.is_start(), "CoS {id} starts at {first}");
        assert!(path[0].2.is_none());
        for w in path.windows(2) {
            let (from, to) = (Status::parse(&w[0].1).unwrap(), Status::parse(&w[1].1).unwrap());
            let actor = match w[1].4.as_str() {
                "USER" => Actor::User,
                "SYSTEM" => Actor::System,
                "HOME_OFFICE" => Actor::HomeOffice,
                other => panic!("actor {other}"),
            };
            assert_eq!(from.check_change(to, actor), Ok(()), "CoS {id}: {from} -> {to} by {actor:?}");
            assert_eq!(w[1].2.as_deref(), Some(from.as_str()));
            assert!(w[1].3 > w[0].3, "CoS {id}: history goes forward in time");
        }
        let last = path.last().unwrap();
        let (status, date) = &cos[id];
        assert_eq!(&last.1, status, "CoS {id}: history ends in its status");
        assert_eq!(&last.3, date, "CoS {id}: status date is the last change");
        assert!(last.3.date() < TODAY, "nothing happens in the future");
    }

    // Activity only on USED CoS, after they were used.
    assert_eq!(scalar(&pool, "SELECT count(*) FROM activity_reports a JOIN cos c ON c.id = a.cos_id WHERE c.status <> 'USED'").await, 0);
    assert!(scalar(&pool, "SELECT count(*) FROM activity_reports").await > 0);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM activity_reports a JOIN cos c ON c.id = a.cos_id WHERE a.reported_at < c.status_date").await, 0);

    // Dates fit the statuses: ASSIGNED still in date, EXPIRED past it, drafts unassigned.
    let today = TODAY;
    let bad: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cos WHERE
            (status = 'ASSIGNED' AND expiry_date < $1)
         OR (status = 'EXPIRED' AND expiry_date >= $1)
         OR (status IN ('WORK IN PROGRESS', 'READY TO GO') AND date_assigned IS NOT NULL)
         OR (status IN ('ASSIGNED', 'WITHDRAWN', 'USED', 'EXPIRED') AND date_assigned IS NULL)",
    )
    .bind(today).fetch_one(&pool).await.unwrap();
    assert_eq!(bad, 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn ownership_and_batches_are_consistent(pool: PgPool) {
    seed_demo(&pool).await;
    // The last transfer of a CoS names its owner; each transfer starts where the last ended.
    let mismatched: i64 = scalar(&pool,
        "SELECT count(*) FROM cos c JOIN LATERAL (
             SELECT to_user_id FROM ownership_history o WHERE o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
             ORDER BY transferred_at DESC, id DESC LIMIT 1) last ON true
         WHERE last.to_user_id <> (SELECT o.owner_id FROM cos_owners o WHERE o.sponsor_id = c.sponsor_id AND o.cos_id = c.id)").await;
    assert_eq!(mismatched, 0);
    let broken_chain: i64 = scalar(&pool,
        "SELECT count(*) FROM (
             SELECT from_user_id, lag(to_user_id) OVER (PARTITION BY cos_id ORDER BY transferred_at, id) AS prev
             FROM ownership_history) t WHERE prev IS NOT NULL AND prev <> from_user_id").await;
    assert_eq!(broken_chain, 0);
    assert!(scalar(&pool, "SELECT count(*) FROM ownership_history").await > 0);
    assert!(scalar(&pool, "SELECT count(*) FROM ownership_history WHERE batch_id IS NOT NULL").await > 0);

    // Batches of 2 to 50 CoS of one route.
    let sizes: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT count(*), count(DISTINCT c.route_id) FROM cos c JOIN batches b ON b.sponsor_id = c.sponsor_id AND b.id = c.batch_id GROUP BY b.id",
    )
    .fetch_all(&pool).await.unwrap();
    assert!(!sizes.is_empty());
    for (n, routes) in sizes {
        assert!((2..=50).contains(&n), "batch of {n}");
        assert_eq!(routes, 1);
    }
    // 3 to 10 work addresses per sponsor.
    let addresses: Vec<i64> = sqlx::query_scalar("SELECT count(*) FROM work_addresses GROUP BY sponsor_id")
        .fetch_all(&pool).await.unwrap();
    assert!(addresses.iter().all(|n| (3..=10).contains(n)));

    // Loading skipped foreign-key triggers: prove no reference crosses a sponsor or dangles.
    for sql in [
        "SELECT count(*) FROM cos c LEFT JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id LEFT JOIN users u ON u.sponsor_id = o.sponsor_id AND u.id = o.owner_id WHERE u.id IS NULL",
        "SELECT count(*) FROM cos c LEFT JOIN users u ON u.sponsor_id = c.sponsor_id AND u.id = c.created_by WHERE u.id IS NULL",
        "SELECT count(*) FROM cos c LEFT JOIN batches b ON b.sponsor_id = c.sponsor_id AND b.id = c.batch_id WHERE c.batch_id IS NOT NULL AND b.id IS NULL",
        "SELECT count(*) FROM cos_status_history h LEFT JOIN cos c ON c.sponsor_id = h.sponsor_id AND c.id = h.cos_id WHERE c.id IS NULL",
        "SELECT count(*) FROM cos_status_history h LEFT JOIN users u ON u.sponsor_id = h.sponsor_id AND u.id = h.actor_user_id WHERE h.actor_user_id IS NOT NULL AND u.id IS NULL",
        "SELECT count(*) FROM ownership_history o LEFT JOIN users u ON u.sponsor_id = o.sponsor_id AND u.id = o.to_user_id WHERE u.id IS NULL",
        "SELECT count(*) FROM ownership_history o LEFT JOIN users u ON u.sponsor_id = o.sponsor_id AND u.id = o.by_user_id WHERE u.id IS NULL",
        "SELECT count(*) FROM activity_reports a LEFT JOIN cos c ON c.sponsor_id = a.sponsor_id AND c.id = a.cos_id WHERE c.id IS NULL",
        "SELECT count(*) FROM activity_reports a LEFT JOIN users u ON u.sponsor_id = a.sponsor_id AND u.id = a.reported_by WHERE u.id IS NULL",
        "SELECT count(*) FROM sponsor_notes n LEFT JOIN cos c ON c.sponsor_id = n.sponsor_id AND c.id = n.cos_id WHERE c.id IS NULL",
        "SELECT count(*) FROM batches b LEFT JOIN users u ON u.sponsor_id = b.sponsor_id AND u.id = b.owner_id WHERE u.id IS NULL",
    ] {
        assert_eq!(scalar(&pool, sql).await, 0, "{sql}");
    }
    // New rows get fresh ids after the load.
    let next: i64 = sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('cos', 'id'))").fetch_one(&pool).await.unwrap();
    assert_eq!(next, 3_001);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_larger_load_spreads_over_sponsors_and_refuses_a_second_run(pool: PgPool) {
    let p = Params { sponsors: 20, cos: 20_000, largest: Some(5_000), seed: 1, today: TODAY };
    let s = seed::seed(&pool, &p).await.unwrap();
    assert_eq!(s.cos, 20_000);
    assert_eq!(scalar(&pool, "SELECT max(n) FROM (SELECT count(*) AS n FROM cos GROUP BY sponsor_id) t").await, 5_000);
    assert_eq!(scalar(&pool, "SELECT count(DISTINCT sponsor_id) FROM cos").await, 20);
    assert_eq!(scalar(&pool, "SELECT count(DISTINCT licence_number) FROM sponsors").await, 20);
    let again = seed::seed(&pool, &p).await;
    assert!(again.is_err(), "seeding a database that holds data is refused");
    assert_eq!(scalar(&pool, "SELECT count(*) FROM cos").await, 20_000);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_database_refuses_a_change_the_domain_forbids(pool: PgPool) {
    seed_demo(&pool).await;
    let used: i64 = sqlx::query_scalar("SELECT id FROM cos WHERE status = 'USED' LIMIT 1").fetch_one(&pool).await.unwrap();
    let err = sqlx::query("UPDATE cos SET status = 'WITHDRAWN' WHERE id = $1").bind(used).execute(&pool).await;
    assert!(err.is_err(), "USED -> WITHDRAWN must be refused by the database");
    let assigned: i64 = sqlx::query_scalar("SELECT id FROM cos WHERE status = 'ASSIGNED' LIMIT 1").fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE cos SET status = 'WITHDRAWN' WHERE id = $1").bind(assigned).execute(&pool).await
        .expect("ASSIGNED -> WITHDRAWN is allowed");
    // The audit log is append-only.
    sqlx::query("INSERT INTO audit_log (actor_kind, action) VALUES ('SYSTEM', 'test')").execute(&pool).await.unwrap();
    assert!(sqlx::query("DELETE FROM audit_log").execute(&pool).await.is_err());
    assert!(sqlx::query("UPDATE audit_log SET action = 'x'").execute(&pool).await.is_err());
}
