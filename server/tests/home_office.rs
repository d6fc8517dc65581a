//! The Home Office's commands from every starting status: what they may change, what they
//! refuse (changing nothing), the history they write, and the binary's exit codes.

mod common;

use common::seed_demo;
use server::home_office::{self, Refused};
use sqlx::PgPool;

#[derive(Debug, PartialEq, Eq, sqlx::FromRow)]
struct State {
    status: String,
    version: i32,
    history: i64,
}

async fn state(pool: &PgPool, number: &str) -> State {
    sqlx::query_as(
        "SELECT c.status, c.version, (SELECT count(*) FROM cos_status_history h WHERE h.cos_id = c.id) AS history
         FROM cos c WHERE c.cos_number = $1",
    )
    .bind(number).fetch_one(pool).await.unwrap()
}

/// A CoS of `sponsor` in `status` (with its expiry date).
async fn a_cos(pool: &PgPool, sponsor: &str, status: &str) -> (String, Option<time::Date>) {
    sqlx::query_as(
        "SELECT c.cos_number, c.expiry_date FROM cos c JOIN sponsors s ON s.id = c.sponsor_id
         WHERE s.name = $1 AND c.status = $2 ORDER BY c.id LIMIT 1",
    )
    .bind(sponsor).bind(status).fetch_one(pool).await.unwrap()
}

const ACME: &str = "Acme Engineering Ltd";
const NORTHERN: &str = "Northern Lights Care Ltd";

fn refused(r: Result<String, Refused>) -> String {
    match r {
        Err(Refused::Rule(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn mark_used_from_each_status(pool: PgPool) {
    seed_demo(&pool).await;

    // Allowed: ASSIGNED, and EXPIRED when the application was made by the expiry date.
    let (assigned, _) = a_cos(&pool, ACME, "ASSIGNED").await;
    let before = state(&pool, &assigned).await;
    let report = home_office::mark_used(&pool, &assigned.to_lowercase(), None).await.unwrap();
    assert!(report.contains("is now USED"), "{report}");
    assert_eq!(state(&pool, &assigned).await, State { status: "USED".into(), version: before.version + 1, history: before.history + 1 });
    let (from, actor): (String, String) = sqlx::query_as(
        "SELECT h.from_status, h.actor_kind FROM cos_status_history h JOIN cos c ON c.id = h.cos_id WHERE c.cos_number = $1 ORDER BY h.id DESC LIMIT 1",
    )
    .bind(&assigned).fetch_one(&pool).await.unwrap();
    assert_eq!((from.as_str(), actor.as_str()), ("ASSIGNED", "HOME_OFFICE"));

    let (expired, expiry) = a_cos(&pool, ACME, "EXPIRED").await;
    let expiry = expiry.unwrap();
    let before = state(&pool, &expired).await;
    assert!(refused(home_office::mark_used(&pool, &expired, None).await).contains("--applied-on"));
    assert!(refused(home_office::mark_used(&pool, &expired, Some(expiry + time::Duration::days(1))).await).contains("after it expired"));
    assert_eq!(state(&pool, &expired).await, before, "refused: nothing changed");
    home_office::mark_used(&pool, &expired, Some(expiry)).await.unwrap();
    assert_eq!(state(&pool, &expired).await.status, "USED");

    // Refused from every other status, with the rule in the message.
    for status in ["WORK IN PROGRESS", "READY TO GO", "USED", "WITHDRAWN", "CANCELLED"] {
        let (number, _) = a_cos(&pool, ACME, status).await;
        let before = state(&pool, &number).await;
        let why = refused(home_office::mark_used(&pool, &number, None).await);
        assert!(why.contains(&format!("is {status}")) && why.contains("from ASSIGNED, or from EXPIRED"), "{why}");
        assert_eq!(state(&pool, &number).await, before, "{status}: nothing changed");
    }
    assert!(refused(home_office::mark_used(&pool, "CNOSUCHCOS1", None).await).contains("There is no CoS"));
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'cos_used' AND actor_kind = 'HOME_OFFICE'").fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 2);
}

async fn counts(pool: &PgPool, sponsor: &str, route: Option<&str>) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT c.status, count(*) FROM cos c JOIN sponsors s ON s.id = c.sponsor_id JOIN routes r ON r.id = c.route_id
         WHERE s.name = $1 AND ($2::text IS NULL OR r.name = $2) GROUP BY 1 ORDER BY 1",
    )
    .bind(sponsor).bind(route).fetch_all(pool).await.unwrap()
}

async fn licence(pool: &PgPool, sponsor: &str) -> (String, String) {
    sqlx::query_as("SELECT licence_number, licence_status FROM sponsors WHERE name = $1").bind(sponsor).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn revoking_a_licence_cancels_every_cos_not_used(pool: PgPool) {
    seed_demo(&pool).await;
    let (number, _) = licence(&pool, NORTHERN).await;
    let before = counts(&pool, NORTHERN, None).await;
    let acme_before = counts(&pool, ACME, None).await;
    let history_before: i64 = sqlx::query_scalar("SELECT count(*) FROM cos_status_history WHERE status = 'CANCELLED'").fetch_one(&pool).await.unwrap();
    let to_cancel: i64 = before.iter().filter(|(s, _)| s != "USED" && s != "CANCELLED").map(|c| c.1).sum();
    assert!(to_cancel > 0);

    let report = home_office::revoke_licence(&pool, &number.to_lowercase()).await.unwrap();
    assert!(report.contains(&format!("{to_cancel} CoS cancelled")), "{report}");
    let after = counts(&pool, NORTHERN, None).await;
    let used = |c: &[(String, i64)]| c.iter().find(|x| x.0 == "USED").map_or(0, |x| x.1);
    let cancelled = |c: &[(String, i64)]| c.iter().find(|x| x.0 == "CANCELLED").map_or(0, |x| x.1);
    assert_eq!(used(&after), used(&before), "USED CoS stay USED");
    assert_eq!(cancelled(&after), cancelled(&before) + to_cancel);
    assert_eq!(after.len(), if used(&before) > 0 { 2 } else { 1 }, "nothing else is left: {after:?}");
    let history_after: i64 = sqlx::query_scalar("SELECT count(*) FROM cos_status_history WHERE status = 'CANCELLED' AND actor_kind = 'HOME_OFFICE'").fetch_one(&pool).await.unwrap();
    assert!(history_after >= history_before + to_cancel);
    let (_, status) = licence(&pool, NORTHERN).await;
    assert_eq!(status, "REVOKED");
    assert_eq!(counts(&pool, ACME, None).await, acme_before, "another sponsor is untouched");

    // Again: refused, nothing changes.
    assert!(refused(home_office::revoke_licence(&pool, &number).await).contains("already revoked"));
    assert_eq!(counts(&pool, NORTHERN, None).await, after);
    assert!(refused(home_office::revoke_licence(&pool, "9ZZZZZZZZ").await).contains("no sponsor"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn surrendering_a_route_cancels_its_cos_not_used(pool: PgPool) {
    seed_demo(&pool).await;
    let (number, _) = licence(&pool, ACME).await;
    let route = "Skilled Worker";
    let others_before: Vec<_> = counts(&pool, ACME, None).await;
    let before = counts(&pool, ACME, Some(route)).await;
    let to_cancel: i64 = before.iter().filter(|(s, _)| s != "USED" && s != "CANCELLED").map(|c| c.1).sum();
    let report = home_office::surrender_route(&pool, &number, "skilled worker").await.unwrap();
    assert!(report.contains(&format!("{to_cancel} CoS cancelled")), "{report}");
    let after = counts(&pool, ACME, Some(route)).await;
    assert!(after.iter().all(|(s, _)| s == "USED" || s == "CANCELLED"), "{after:?}");
    // The other routes are as they were.
    let all_after = counts(&pool, ACME, None).await;
    let total = |c: &[(String, i64)]| c.iter().map(|x| x.1).sum::<i64>();
    assert_eq!(total(&all_after), total(&others_before));
    let not_route_before: i64 = total(&others_before) - total(&before);
    let cancelled_outside: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cos c JOIN sponsors s ON s.id = c.sponsor_id JOIN routes r ON r.id = c.route_id
         WHERE s.name = $1 AND r.name <> $2 AND c.status = 'CANCELLED' AND c.status_date > now() - interval '1 minute'",
    )
    .bind(ACME).bind(route).fetch_one(&pool).await.unwrap();
    assert!(not_route_before > 0);
    assert_eq!(cancelled_outside, 0, "no CoS of another route cancelled");
    assert_eq!(licence(&pool, ACME).await.1, "ACTIVE", "the licence stays");
    assert!(refused(home_office::surrender_route(&pool, &number, "Space Tourist").await).contains("no route"));
}

/// The command line: a refusal is a message on stderr and exit code 2; nothing changes.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_commands_exit_non_zero_when_refused(pool: PgPool) {
    seed_demo(&pool).await;
    let db: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&pool).await.unwrap();
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (head, tail) = base.split_once('?').map_or((base.as_str(), ""), |(h, t)| (h, t));
    let url = format!("{}/{db}{}{tail}", &head[..head.rfind('/').unwrap()], if tail.is_empty() { "" } else { "?" });
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "error")
            .args(args)
            .output()
            .unwrap()
    };
    let (used, _) = a_cos(&pool, ACME, "USED").await;
    let before = state(&pool, &used).await;
    let out = run(&["home-office", "mark-used", &used]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("Refused: CoS {used} is USED")));
    assert_eq!(state(&pool, &used).await, before);

    let (assigned, _) = a_cos(&pool, ACME, "ASSIGNED").await;
    let out = run(&["home-office", "mark-used", &assigned]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is now USED"));
    assert_eq!(state(&pool, &assigned).await.status, "USED");

    let out = run(&["expire", "--today", "2020-01-01"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 CoS expired."));

    // A Level 1 user, granted by the Home Office: refused for a licence that names no one or a
    // user ID that is taken; otherwise the temporary password is printed once.
    let licence: String = sqlx::query_scalar("SELECT licence_number FROM sponsors WHERE name = 'Acme Engineering Ltd'").fetch_one(&pool).await.unwrap();
    let users = || async { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM users").fetch_one(&pool).await.unwrap() };
    let before = users().await;
    let out = run(&["home-office", "add-level1-user", "ZZ999999", "Ann Lee", "ann@acme.example", "ann.lee"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("There is no sponsor with licence number ZZ999999"));
    let out = run(&["home-office", "add-level1-user", &licence, "Ann Lee", "ann@acme.example", "L2.Demo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("The user ID l2.demo is taken"));
    let out = run(&["home-office", "add-level1-user", &licence, "Ann Lee", "not an email", "ann.lee"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(users().await, before);
    let out = run(&["home-office", "add-level1-user", &licence, "Ann Lee", "ann@acme.example", "ann.lee"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let password = stdout.split("Temporary password: ").nth(1).unwrap().lines().next().unwrap().to_string();
    assert_eq!(password.len(), 16);
    let (level, must, hash): (i16, bool, String) =
        sqlx::query_as("SELECT level, must_change_password, password_hash FROM users WHERE user_id = 'ann.lee'").fetch_one(&pool).await.unwrap();
    assert_eq!((level, must), (1, true));
    assert!(hash.starts_with("$argon2") && !hash.contains(&password));
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'user_created' AND actor_kind = 'HOME_OFFICE'").fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1);
}
