//! The transfer dialogs call the same server functions as the plain forms, asking for data
//! (as the browser's code does) instead of a page: they get the outcome, are sent nowhere,
//! and the transfer is the same one — history, audit, version check, once when sent twice.

mod common;

use common::{seed_demo, spawn, TestApp};
use serde_json::Value;
use sqlx::PgPool;

/// Calls a server function as the WebAssembly does: a form body, JSON back.
async fn call(app: &TestApp, c: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> (u16, Value, reqwest::header::HeaderMap) {
    let r = c
        .post(app.url(&format!("/api/{path}")))
        .header("accept", "application/json")
        .header("origin", app.base.clone())
        .form(form)
        .send()
        .await
        .unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text)), headers)
}

async fn user(pool: &PgPool, login: &str) -> (i64, i64) {
    sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = $1").bind(login).fetch_one(pool).await.unwrap()
}

async fn owner_of(pool: &PgPool, cos_id: i64) -> (i64, i32) {
    sqlx::query_as("SELECT owner_id, version FROM cos_owners WHERE cos_id = $1").bind(cos_id).fetch_one(pool).await.unwrap()
}

async fn count(pool: &PgPool, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql).bind(id).fetch_one(pool).await.unwrap()
}

fn sent_nowhere(headers: &reqwest::header::HeaderMap) {
    assert!(headers.get("location").is_none() && headers.get("serverfnredirect").is_none(), "{headers:?}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_single_cos_from_the_dialog(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l1) = user(&pool, "l1.demo").await;
    let (_, l2) = user(&pool, "l2.demo").await;
    let (id, number, owner, version): (i64, String, i64, i32) = sqlx::query_as(
        "SELECT c.id, c.cos_number, o.owner_id, o.version FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         WHERE c.sponsor_id = $1 AND o.owner_id NOT IN ($2, $3) ORDER BY c.id LIMIT 1",
    )
    .bind(acme).bind(l1).bind(l2).fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let history = "SELECT count(*) FROM ownership_history WHERE cos_id = $1";
    let before = count(&pool, history, id).await;

    // The dialog's form: the current owner and version, and the users to choose from.
    let (status, form, _) = call(&app, &c, "cos/transfer_form", &[("cos_number", &number)]).await;
    assert_eq!(status, 200);
    assert_eq!(form["version"], version);
    assert!(form["users"].as_array().unwrap().iter().any(|u| u[0] == l1));

    // Nobody chosen: told so, nothing moves.
    let (status, out, headers) = call(&app, &c, "cos/transfer", &[("cos_number", &number), ("to_user", ""), ("version", &version.to_string()), ("q", "")]).await;
    assert_eq!((status, out), (200, Value::String("Choose".into())));
    sent_nowhere(&headers);

    // To Alex Morgan: done, with the confirmation's words; sent twice, it lands once.
    for _ in 0..2 {
        let (status, out, headers) =
            call(&app, &c, "cos/transfer", &[("cos_number", &number), ("to_user", &l1.to_string()), ("version", &version.to_string()), ("q", "")]).await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["Done"]["text"], format!("CoS {number} is now owned by Alex Morgan."));
        assert_eq!(out["Done"]["visible"], true);
        sent_nowhere(&headers);
    }
    assert_eq!(owner_of(&pool, id).await, (l1, version + 1));
    assert_eq!(count(&pool, history, id).await, before + 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM audit_log WHERE action = 'cos_transferred' AND entity_id = $1", id).await, 1);

    // The version shown is stale now: a conflict naming the owner, and nothing moves.
    let (status, out, _) =
        call(&app, &c, "cos/transfer", &[("cos_number", &number), ("to_user", &l2.to_string()), ("version", &version.to_string()), ("q", "")]).await;
    assert_eq!(status, 200);
    assert_eq!(out["Changed"]["owner"], "Alex Morgan");
    assert_eq!(owner_of(&pool, id).await, (l1, version + 1));
    let _ = owner;

    // A Level 2 user who gives their own CoS away is told they can no longer see it.
    let (l2_cos, l2_number, l2_version): (i64, String, i32) = sqlx::query_as(
        "SELECT c.id, c.cos_number, o.version FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE o.owner_id = $1 ORDER BY c.id LIMIT 1",
    )
    .bind(l2).fetch_one(&pool).await.unwrap();
    let c2 = app.signed_in("l2.demo", "demo-password-2").await;
    let (status, out, _) =
        call(&app, &c2, "cos/transfer", &[("cos_number", &l2_number), ("to_user", &l1.to_string()), ("version", &l2_version.to_string()), ("q", "")]).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["Done"]["visible"], false);
    assert!(out["Done"]["text"].as_str().unwrap().contains("You no longer own it"), "{out}");
    assert_eq!(owner_of(&pool, l2_cos).await.0, l1);
    // ...and cannot move it again, or anyone else's.
    let (status, _, _) =
        call(&app, &c2, "cos/transfer", &[("cos_number", &l2_number), ("to_user", &l2.to_string()), ("version", &(l2_version + 1).to_string()), ("q", "")]).await;
    assert_eq!(status, 404);
    assert_eq!(owner_of(&pool, l2_cos).await.0, l1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_batch_from_the_dialog(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, _) = user(&pool, "l1.demo").await;
    let (batch, reference, owner, version, cos): (i64, String, i64, i32, i64) = sqlx::query_as(
        "SELECT b.id, b.reference, b.owner_id, b.version, count(c.id) FROM batches b JOIN cos c ON c.sponsor_id = b.sponsor_id AND c.batch_id = b.id
         WHERE b.sponsor_id = $1 GROUP BY b.id, b.reference, b.owner_id, b.version HAVING count(c.id) > 1 ORDER BY b.id LIMIT 1",
    )
    .bind(acme).fetch_one(&pool).await.unwrap();
    let (to, to_name): (i64, String) = sqlx::query_as("SELECT id, full_name FROM users WHERE sponsor_id = $1 AND active AND id <> $2 ORDER BY id LIMIT 1")
        .bind(acme).bind(owner).fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (b, t, v) = (batch.to_string(), to.to_string(), version.to_string());
    let a = [("batch_id", b.as_str()), ("to_user", t.as_str()), ("version", v.as_str())];
    let (status, out, headers) = call(&app, &c, "batches/transfer", &a).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["Done"]["text"], format!("Batch {reference} is now owned by {to_name}. {cos} CoS were moved with it."));
    sent_nowhere(&headers);
    let owners: i64 = count(&pool, "SELECT count(*) FROM cos c JOIN cos_owners o ON o.cos_id = c.id WHERE c.batch_id = $1 AND o.owner_id <> (SELECT owner_id FROM batches WHERE id = $1)", batch).await;
    assert_eq!(owners, 0, "every CoS moved with the batch");
    // Sent twice: lands once.
    let (_, out, _) = call(&app, &c, "batches/transfer", &a).await;
    assert!(out["Done"].is_object(), "{out}");
    assert_eq!(count(&pool, "SELECT count(*) FROM audit_log WHERE action = 'batch_transferred' AND entity_id = $1", batch).await, 1);

    // A stale version aimed elsewhere: a conflict naming the owner now.
    let (_, other) = user(&pool, "l2.demo").await;
    let other = other.to_string();
    let stale = [("batch_id", b.as_str()), ("to_user", other.as_str()), ("version", v.as_str())];
    let (_, out, _) = call(&app, &c, "batches/transfer", &stale).await;
    assert_eq!(out["Changed"]["owner"], to_name.as_str());
    let now: i64 = sqlx::query_scalar("SELECT owner_id FROM batches WHERE id = $1").bind(batch).fetch_one(&pool).await.unwrap();
    assert_eq!(now, to);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn ticked_cos_from_the_dialog(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, _) = user(&pool, "l1.demo").await;
    let picked: Vec<(i64, String)> = sqlx::query_as("SELECT id, cos_number FROM cos WHERE sponsor_id = $1 ORDER BY id LIMIT 3")
        .bind(acme).fetch_all(&pool).await.unwrap();
    let (to, to_name): (i64, String) = sqlx::query_as(
        "SELECT id, full_name FROM users WHERE sponsor_id = $1 AND active AND id NOT IN (SELECT owner_id FROM cos_owners WHERE cos_id = ANY($2)) ORDER BY id LIMIT 1",
    )
    .bind(acme).bind(picked.iter().map(|p| p.0).collect::<Vec<_>>()).fetch_one(&pool).await.unwrap();
    let selection = picked.iter().map(|p| format!("cos={}", p.1)).collect::<Vec<_>>().join("&");
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;

    let (status, form, _) = call(&app, &c, "cos/transfer_many_form", &[("selection", &selection)]).await;
    assert_eq!(status, 200, "{form}");
    assert_eq!(form["count"], 3);
    let state = form["state"].as_str().unwrap().to_string();

    // One of them moves meanwhile: a conflict, and nothing of the three moves.
    sqlx::query("UPDATE cos_owners SET version = version + 1 WHERE cos_id = $1").bind(picked[0].0).execute(&pool).await.unwrap();
    let to_s = to.to_string();
    let (_, out, headers) = call(&app, &c, "cos/transfer_many", &[("selection", &selection), ("to_user", &to_s), ("state", &state), ("back", "")]).await;
    assert!(out["Changed"].is_object(), "{out}");
    sent_nowhere(&headers);
    for (id, _) in &picked {
        assert_ne!(owner_of(&pool, *id).await.0, to);
    }

    // Read again, then all three move, once.
    let (_, form, _) = call(&app, &c, "cos/transfer_many_form", &[("selection", &selection)]).await;
    let state = form["state"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let (status, out, _) = call(&app, &c, "cos/transfer_many", &[("selection", &selection), ("to_user", &to_s), ("state", &state), ("back", "")]).await;
        assert_eq!(status, 200);
        assert_eq!(out["Done"]["text"], format!("3 CoS are now owned by {to_name}."));
    }
    for (id, _) in &picked {
        assert_eq!(owner_of(&pool, *id).await.0, to);
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM audit_log WHERE action = 'cos_transferred_many' AND sponsor_id = $1", acme).await, 1);
}
