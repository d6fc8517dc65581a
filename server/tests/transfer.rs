//! Transfer a single CoS: the change, its history and audit, permissions, and what happens
//! when it is submitted twice or by many people at once.

mod common;

use common::{location, seed_demo, spawn, TestApp};
use sqlx::PgPool;

struct Cos {
    id: i64,
    number: String,
    owner: i64,
    version: i32,
}

async fn a_cos(pool: &PgPool, sql: &str) -> Cos {
    let (id, number, owner, version): (i64, String, i64, i32) = sqlx::query_as(sql).fetch_one(pool).await.unwrap();
    Cos { id, number, owner, version }
}

async fn user_id(pool: &PgPool, login: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE user_id = $1").bind(login).fetch_one(pool).await.unwrap()
}

async fn post_transfer(app: &TestApp, c: &reqwest::Client, number: &str, to: &str, version: i32) -> reqwest::Response {
    c.post(app.url("/api/cos/transfer"))
        .header("origin", app.base.clone())
        .form(&[("cos_number", number), ("to_user", to), ("version", &version.to_string()), ("q", "family_name=x")])
        .send()
        .await
        .unwrap()
}

async fn history_rows(pool: &PgPool, cos_id: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM ownership_history WHERE cos_id = $1").bind(cos_id).fetch_one(pool).await.unwrap()
}

const ACME_NOT_L2: &str = "SELECT c.id, c.cos_number, o.owner_id, o.version FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id JOIN sponsors s ON s.id = c.sponsor_id
    WHERE s.name = 'Acme Engineering Ltd' AND o.owner_id <> (SELECT id FROM users WHERE user_id = 'l2.demo') ORDER BY c.id LIMIT 1";

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_transfer_moves_the_cos_and_writes_history_and_audit(pool: PgPool) {
    seed_demo(&pool).await;
    let cos = a_cos(&pool, ACME_NOT_L2).await;
    let before = history_rows(&pool, cos.id).await;
    let to = user_id(&pool, "l2.demo").await;
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;

    // The Transfer screen offers the other active users, not the owner.
    let (code, html) = app.page(&c, &format!("/view-cos/{}/transfer", cos.number)).await;
    assert_eq!(code, 200);
    assert!(html.contains("<h1>Transfer a single CoS</h1>"));
    assert!(html.contains(&format!("<option value=\"{to}\">")));
    assert!(!html.contains(&format!("<option value=\"{}\">", cos.owner)));

    let r = post_transfer(&app, &c, &cos.number, &to.to_string(), cos.version).await;
    assert_eq!(r.status(), 302);
    assert_eq!(location(&r), format!("/view-cos/{}/transferred?q=family_name%3Dx", cos.number));
    let (owner, version): (i64, i32) = sqlx::query_as("SELECT owner_id, version FROM cos_owners WHERE cos_id = $1").bind(cos.id).fetch_one(&pool).await.unwrap();
    assert_eq!(owner, to);
    assert_eq!(version, cos.version + 1);
    assert_eq!(history_rows(&pool, cos.id).await, before + 1);
    let (from, by): (i64, i64) = sqlx::query_as("SELECT from_user_id, by_user_id FROM ownership_history WHERE cos_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(cos.id).fetch_one(&pool).await.unwrap();
    assert_eq!((from, by), (cos.owner, user_id(&pool, "l1.demo").await));
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'cos_transferred' AND entity_id = $1")
        .bind(cos.id).fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1);

    let (code, html) = app.page(&c, &location(&r)).await;
    assert_eq!(code, 200);
    assert!(html.contains("The CoS has been transferred"));
    assert!(html.contains("Sam O'Neill") || html.contains("Sam O&#39;Neill"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn submitting_twice_transfers_once(pool: PgPool) {
    seed_demo(&pool).await;
    let cos = a_cos(&pool, ACME_NOT_L2).await;
    let before = history_rows(&pool, cos.id).await;
    let to = user_id(&pool, "l2.demo").await.to_string();
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    for _ in 0..2 {
        let r = post_transfer(&app, &c, &cos.number, &to, cos.version).await;
        assert!(location(&r).contains("/transferred"), "{}", location(&r));
    }
    assert_eq!(history_rows(&pool, cos.id).await, before + 1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn of_many_transfers_at_once_exactly_one_wins(pool: PgPool) {
    seed_demo(&pool).await;
    let cos = a_cos(&pool, ACME_NOT_L2).await;
    let before = history_rows(&pool, cos.id).await;
    let targets: Vec<i64> = sqlx::query_scalar("SELECT u.id FROM users u JOIN sponsors s ON s.id = u.sponsor_id WHERE s.name = 'Acme Engineering Ltd' AND u.id <> $1")
        .bind(cos.owner).fetch_all(&pool).await.unwrap();
    assert!(targets.len() >= 3);
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (c, url, base, number) = (c.clone(), app.url("/api/cos/transfer"), app.base.clone(), cos.number.clone());
            let to = targets[i % targets.len()].to_string();
            let version = cos.version.to_string();
            tokio::spawn(async move {
                let r = c.post(url).header("origin", base)
                    .form(&[("cos_number", number.as_str()), ("to_user", to.as_str()), ("version", version.as_str()), ("q", "")])
                    .send().await.unwrap();
                r.headers().get("location").unwrap().to_str().unwrap().to_string()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    assert_eq!(history_rows(&pool, cos.id).await, before + 1, "one change, one history row");
    let (owner, version): (i64, i32) = sqlx::query_as("SELECT owner_id, version FROM cos_owners WHERE cos_id = $1").bind(cos.id).fetch_one(&pool).await.unwrap();
    assert_eq!(version, cos.version + 1);
    let winners = outcomes.iter().filter(|l| l.contains("/transferred")).count();
    let told = outcomes.iter().filter(|l| l.contains("problem=changed")).count();
    // Every request for the winning user lands on the confirmation; the rest are told.
    let for_winner = (0..16).filter(|i| targets[i % targets.len()] == owner).count();
    assert_eq!(winners, for_winner, "{outcomes:?}");
    assert_eq!(told, 16 - for_winner, "{outcomes:?}");
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'cos_transferred'").fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_stale_form_is_told_who_owns_the_cos_now(pool: PgPool) {
    seed_demo(&pool).await;
    let cos = a_cos(&pool, ACME_NOT_L2).await;
    let users: Vec<i64> = sqlx::query_scalar("SELECT u.id FROM users u JOIN sponsors s ON s.id = u.sponsor_id WHERE s.name = 'Acme Engineering Ltd' AND u.id <> $1 ORDER BY u.id")
        .bind(cos.owner).fetch_all(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    post_transfer(&app, &c, &cos.number, &users[0].to_string(), cos.version).await;
    let r = post_transfer(&app, &c, &cos.number, &users[1].to_string(), cos.version).await;
    let to = location(&r);
    assert!(to.contains("problem=changed"), "{to}");
    let (_, html) = app.page(&c, &to).await;
    let name: String = sqlx::query_scalar("SELECT full_name FROM users WHERE id = $1").bind(users[0]).fetch_one(&pool).await.unwrap();
    assert!(html.contains("changed while you were looking at it"));
    assert!(html.contains(&name.replace('\'', "&#39;")) || html.contains(&name));
    let owner: i64 = sqlx::query_scalar("SELECT owner_id FROM cos_owners WHERE cos_id = $1").bind(cos.id).fetch_one(&pool).await.unwrap();
    assert_eq!(owner, users[0]);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn no_user_chosen_or_a_foreign_user_changes_nothing(pool: PgPool) {
    seed_demo(&pool).await;
    let cos = a_cos(&pool, ACME_NOT_L2).await;
    let before = history_rows(&pool, cos.id).await;
    let foreign = user_id(&pool, "other.l1").await;
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    for to in ["".to_string(), foreign.to_string(), "abc".to_string()] {
        let r = post_transfer(&app, &c, &cos.number, &to, cos.version).await;
        assert!(location(&r).contains("problem=choose"), "{to}: {}", location(&r));
    }
    let (_, html) = app.page(&c, &format!("/view-cos/{}/transfer?problem=choose", cos.number)).await;
    assert!(html.contains("Select the user to transfer the CoS to."));
    assert_eq!(history_rows(&pool, cos.id).await, before);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn only_those_who_may_see_a_cos_may_transfer_it(pool: PgPool) {
    seed_demo(&pool).await;
    let cos = a_cos(&pool, ACME_NOT_L2).await;
    let before = history_rows(&pool, cos.id).await;
    let l2 = user_id(&pool, "l2.demo").await;
    let foreign = user_id(&pool, "other.l1").await;
    let app = spawn(pool.clone()).await;

    // A Level 2 user and a CoS they do not own: the screen and the post both say "not found".
    let c = app.client();
    app.sign_in(&c, "l2.demo", "demo-password-2", "/").await;
    let (code, _) = app.page(&c, &format!("/view-cos/{}/transfer", cos.number)).await;
    assert_eq!(code, 404);
    let r = post_transfer(&app, &c, &cos.number, &l2.to_string(), cos.version).await;
    assert_ne!(r.status().as_u16(), 200);
    assert!(!location(&r).contains("/transferred"));

    // Another sponsor's user.
    let c = app.client();
    app.sign_in(&c, "other.l1", "demo-password-3", "/").await;
    let (code, html) = app.page(&c, &format!("/view-cos/{}/transfer", cos.number)).await;
    assert_eq!(code, 404);
    assert!(!html.contains("Acme"));
    let r = post_transfer(&app, &c, &cos.number, &foreign.to_string(), cos.version).await;
    assert!(!location(&r).contains("/transferred"));

    // Cross-site: refused before anything runs.
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let r = c.post(app.url("/api/cos/transfer")).header("origin", "https://evil.example")
        .form(&[("cos_number", cos.number.as_str()), ("to_user", &l2.to_string()), ("version", &cos.version.to_string()), ("q", "")])
        .send().await.unwrap();
    assert_eq!(r.status(), 403);

    assert_eq!(history_rows(&pool, cos.id).await, before);
    let owner: i64 = sqlx::query_scalar("SELECT owner_id FROM cos_owners WHERE cos_id = $1").bind(cos.id).fetch_one(&pool).await.unwrap();
    assert_eq!(owner, cos.owner);
}
