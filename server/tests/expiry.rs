//! The expiry job on a clock the test controls: exactly the ASSIGNED CoS past their expiry
//! date, a history row each by the system, and two runs at once change nothing twice.

mod common;

use common::seed_demo;
use sqlx::PgPool;
use time::{macros::date, Date};

const DAY: Date = date!(2027 - 03 - 10);

/// (id, status) of every CoS, in id order.
async fn statuses(pool: &PgPool) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT id, status FROM cos ORDER BY id").fetch_all(pool).await.unwrap()
}

async fn assigned(pool: &PgPool, n: i64) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM cos WHERE status = 'ASSIGNED' ORDER BY id LIMIT $1").bind(n).fetch_all(pool).await.unwrap()
}

/// A CoS expires three months after it was assigned (a table rule): move both.
async fn set_expiry(pool: &PgPool, ids: &[i64], day: Date) {
    sqlx::query(
        "UPDATE cos SET date_assigned = ($2::date - interval '3 months')::date, expiry_date = $2
         WHERE id = ANY($1) AND date_assigned IS NOT NULL",
    )
    .bind(ids).bind(day).execute(pool).await.unwrap();
}

async fn set_all_expiry(pool: &PgPool, status_is_assigned: bool, day: Date) {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM cos WHERE (status = 'ASSIGNED') = $1").bind(status_is_assigned).fetch_all(pool).await.unwrap();
    set_expiry(pool, &ids, day).await;
}

async fn expired_rows(pool: &PgPool, id: i64) -> Vec<(String, String, Option<i64>)> {
    sqlx::query_as("SELECT from_status, actor_kind, actor_user_id FROM cos_status_history WHERE cos_id = $1 AND status = 'EXPIRED'")
        .bind(id).fetch_all(pool).await.unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn only_assigned_cos_past_their_expiry_date_expire(pool: PgPool) {
    seed_demo(&pool).await;
    // Every ASSIGNED CoS well inside its validity, then three either side of the boundary.
    set_all_expiry(&pool, true, DAY + time::Duration::days(60)).await;
    let ids = assigned(&pool, 3).await;
    let (yesterday, today, tomorrow) = (ids[0], ids[1], ids[2]);
    set_expiry(&pool, &[yesterday], DAY - time::Duration::days(1)).await;
    set_expiry(&pool, &[today], DAY).await;
    set_expiry(&pool, &[tomorrow], DAY + time::Duration::days(1)).await;
    // Other statuses with long-past expiry dates are never touched.
    set_all_expiry(&pool, false, DAY - time::Duration::days(400)).await;
    let before = statuses(&pool).await;

    assert_eq!(server::jobs::expire_cos(&pool, Some(DAY)).await.unwrap(), Some(1));
    let after = statuses(&pool).await;
    let changed: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).map(|(_, a)| a.clone()).collect();
    assert_eq!(changed, vec![(yesterday, "EXPIRED".to_string())], "only the CoS that expired yesterday");
    assert_eq!(expired_rows(&pool, yesterday).await, vec![("ASSIGNED".into(), "SYSTEM".into(), None)]);
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'cos_expired' AND actor_kind = 'SYSTEM' AND details->>'count' = '1'")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1);

    // The next day the one that expired "today" goes too; running again changes nothing more.
    assert_eq!(server::jobs::expire_cos(&pool, Some(DAY + time::Duration::days(1))).await.unwrap(), Some(1));
    assert_eq!(server::jobs::expire_cos(&pool, Some(DAY + time::Duration::days(1))).await.unwrap(), Some(0));
    let status: String = sqlx::query_scalar("SELECT status FROM cos WHERE id = $1").bind(today).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "EXPIRED");
    let status: String = sqlx::query_scalar("SELECT status FROM cos WHERE id = $1").bind(tomorrow).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "ASSIGNED");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn two_jobs_racing_expire_each_cos_once(pool: PgPool) {
    seed_demo(&pool).await;
    set_all_expiry(&pool, true, DAY + time::Duration::days(60)).await;
    let first = assigned(&pool, 40).await;
    let (by_jobs, by_statements) = first.split_at(20);
    set_expiry(&pool, by_jobs, DAY - time::Duration::days(2)).await;

    // Two servers' jobs at once: one takes the lock (or runs after the other); 20 in all.
    let (a, b) = tokio::join!(server::jobs::expire_cos(&pool, Some(DAY)), server::jobs::expire_cos(&pool, Some(DAY)));
    let done: i64 = [a.unwrap(), b.unwrap()].into_iter().flatten().sum();
    assert_eq!(done, 20);
    for id in by_jobs {
        assert_eq!(expired_rows(&pool, *id).await.len(), 1, "CoS {id}: one history row");
    }

    // Even without the lock the statement is safe: the second waits on the first's row locks,
    // then finds the CoS no longer ASSIGNED.
    set_expiry(&pool, by_statements, DAY - time::Duration::days(2)).await;
    let race = |pool: PgPool| async move {
        let mut tx = pool.begin().await.unwrap();
        let n: i64 = app::db::status_changes::expire_due(&mut tx, DAY).await.unwrap().iter().map(|e| e.1).sum();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        tx.commit().await.unwrap();
        n
    };
    let (a, b) = tokio::join!(race(pool.clone()), race(pool.clone()));
    assert_eq!(a + b, 20, "{a} + {b}");
    for id in by_statements {
        assert_eq!(expired_rows(&pool, *id).await.len(), 1, "CoS {id}: one history row");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_server_runs_the_job_at_start_up(pool: PgPool) {
    seed_demo(&pool).await;
    let id = assigned(&pool, 1).await[0];
    set_expiry(&pool, &[id], date!(2020 - 01 - 01)).await;
    let job = tokio::spawn(server::jobs::expire_cos_continuously(pool.clone(), std::time::Duration::from_secs(3600)));
    let mut status = String::new();
    for _ in 0..100 {
        status = sqlx::query_scalar("SELECT status FROM cos WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
        if status == "EXPIRED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    job.abort();
    assert_eq!(status, "EXPIRED");
}
