//! Transfer many CoS at once (ticked in a list, or all that match a search): one
//! transaction, a history row per CoS, one audit event; a selection that changed since it
//! was shown is refused; sent twice, it lands once; a Level 2 user moves only their own.

mod common;

use common::{hidden, location, seed_demo, spawn, TestApp};
use sqlx::PgPool;

async fn post(app: &TestApp, c: &reqwest::Client, selection: &str, to: i64, state: &str) -> String {
    let r = c
        .post(app.url("/api/cos/transfer_many"))
        .form(&[("selection", selection), ("to_user", &to.to_string()), ("state", state), ("back", "family_name=x")])
        .send()
        .await
        .unwrap();
    location(&r)
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn ticked_cos_move_together(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l1): (i64, i64) = sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();
    let picked: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT DISTINCT ON (o.owner_id) c.id, c.cos_number, o.owner_id FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 ORDER BY o.owner_id, c.id LIMIT 3",
    )
    .bind(acme).fetch_all(&pool).await.unwrap();
    let to: i64 = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND active AND id <> ALL($2) ORDER BY id LIMIT 1")
        .bind(acme).bind(picked.iter().map(|p| p.2).collect::<Vec<_>>()).fetch_one(&pool).await.unwrap();
    let selection = picked.iter().map(|p| format!("cos={}", p.1)).collect::<Vec<_>>().join("&");
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;

    let (code, html) = app.page(&c, &format!("/view-cos/transfer-many?{selection}&back=family_name%3Dx")).await;
    assert_eq!(code, 200);
    assert!(html.contains("You have selected 3 CoS"), "{html}");
    let state = hidden(&html, "state");
    let history = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM ownership_history WHERE sponsor_id = $1").bind(acme).fetch_one(&pool).await.unwrap()
    };
    let before = history(pool.clone()).await;

    // A stale form: one of them changed meanwhile. Nothing moves.
    sqlx::query("UPDATE cos SET version = version + 1 WHERE id = $1").bind(picked[0].0).execute(&pool).await.unwrap();
    let to_page = post(&app, &c, &selection, to, &state).await;
    assert!(to_page.contains("problem=changed"), "{to_page}");
    assert_eq!(history(pool.clone()).await, before);

    // Or another user transferred one of them meanwhile: nothing moves either.
    let (_, html) = app.page(&c, &format!("/view-cos/transfer-many?{selection}")).await;
    let state = hidden(&html, "state");
    sqlx::query("UPDATE cos_owners SET version = version + 1 WHERE cos_id = $1").bind(picked[1].0).execute(&pool).await.unwrap();
    let to_page = post(&app, &c, &selection, to, &state).await;
    assert!(to_page.contains("problem=changed"), "{to_page}");
    assert_eq!(history(pool.clone()).await, before);

    // Shown afresh, it goes through.
    let (_, html) = app.page(&c, &format!("/view-cos/transfer-many?{selection}")).await;
    let state = hidden(&html, "state");
    let to_page = post(&app, &c, &selection, to, &state).await;
    assert!(to_page.starts_with("/view-cos/transferred-many?moved=3&"), "{to_page}");
    let (_, html) = app.page(&c, &to_page).await;
    assert!(html.contains("3 CoS are now owned by"), "{html}");
    let owners: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT owner_id FROM cos_owners WHERE cos_id = ANY($1)")
        .bind(picked.iter().map(|p| p.0).collect::<Vec<_>>()).fetch_all(&pool).await.unwrap();
    assert_eq!(owners, vec![to]);
    assert_eq!(history(pool.clone()).await, before + 3);
    let audits: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'cos_transferred_many' AND actor_user_id = $1")
        .bind(l1).fetch_one(&pool).await.unwrap();
    assert_eq!(audits, 1);

    // Sent twice: it lands on the same confirmation, and nothing moves twice.
    let again = post(&app, &c, &selection, to, &state).await;
    assert!(again.starts_with("/view-cos/transferred-many?moved=3&"), "{again}");
    assert_eq!(history(pool.clone()).await, before + 3);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn all_that_match_a_search_and_reach(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l2): (i64, i64) = sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = 'l2.demo'").fetch_one(&pool).await.unwrap();
    let to: i64 = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND active AND id <> $2 ORDER BY id LIMIT 1")
        .bind(acme).bind(l2).fetch_one(&pool).await.unwrap();
    let own_used: i64 = sqlx::query_scalar("SELECT count(*) FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id = $2 AND c.status = 'USED'")
        .bind(acme).bind(l2).fetch_one(&pool).await.unwrap();
    let all_used: i64 = sqlx::query_scalar("SELECT count(*) FROM cos WHERE sponsor_id = $1 AND status = 'USED'")
        .bind(acme).fetch_one(&pool).await.unwrap();
    assert!(own_used > 0 && all_used > own_used);
    let someone_elses: String = sqlx::query_scalar("SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id <> $2 LIMIT 1")
        .bind(acme).bind(l2).fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l2.demo", "demo-password-2", "/").await;

    // A Level 2 user who ticks (or forges) someone else's CoS finds nothing to move.
    let (_, html) = app.page(&c, &format!("/view-cos/transfer-many?cos={someone_elses}")).await;
    assert!(html.contains("None of the CoS you selected can be transferred by you now"), "{html}");
    let to_page = post(&app, &c, &format!("cos={someone_elses}"), to, "0-0").await;
    assert!(!to_page.contains("moved=1"), "{to_page}");
    let owner: i64 = sqlx::query_scalar("SELECT o.owner_id FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.cos_number = $1").bind(&someone_elses).fetch_one(&pool).await.unwrap();
    assert_ne!(owner, to);

    // "All matching" a search moves all of theirs that match, and no one else's.
    let selection = "all=1&status=used";
    let (_, html) = app.page(&c, &format!("/view-cos/transfer-many?{selection}")).await;
    assert!(html.contains(&format!("You have selected {own_used} CoS")), "{html}");
    let state = hidden(&html, "state");
    let to_page = post(&app, &c, selection, to, &state).await;
    assert!(to_page.starts_with(&format!("/view-cos/transferred-many?moved={own_used}&")), "{to_page}");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id = $2 AND c.status = 'USED'")
        .bind(acme).bind(l2).fetch_one(&pool).await.unwrap();
    assert_eq!(left, 0);
    let moved_total: i64 = sqlx::query_scalar("SELECT count(*) FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id = $2 AND c.status = 'USED'")
        .bind(acme).bind(to).fetch_one(&pool).await.unwrap();
    assert!(moved_total >= own_used);
}
