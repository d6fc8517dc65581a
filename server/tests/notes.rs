//! Manage live CoS → "Add a sponsor note": only on an ASSIGNED CoS, up to 2,000 characters,
//! once when sent twice, by those who reach the CoS; shown on View CoS.

mod common;

use common::{html_text, location, seed_demo, spawn};
use sqlx::PgPool;

async fn a_cos(pool: &PgPool, status: &str) -> (i64, String) {
    sqlx::query_as(
        "SELECT c.id, c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         JOIN users u ON u.sponsor_id = c.sponsor_id AND u.user_id = 'l2.demo'
         WHERE c.status = $1 AND o.owner_id <> u.id ORDER BY c.id LIMIT 1",
    )
    .bind(status)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn notes(pool: &PgPool, cos: i64) -> Vec<(String, String)> {
    sqlx::query_as("SELECT n.note, u.user_id FROM sponsor_notes n JOIN users u ON u.id = n.added_by WHERE n.cos_id = $1 ORDER BY n.id")
        .bind(cos)
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_note_is_added_once_to_an_assigned_cos_only(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (id, number) = a_cos(&pool, "ASSIGNED").await;
    let before = notes(&pool, id).await.len();
    let post = |note: String| {
        let (c, url, number) = (c.clone(), app.url("/api/cos/add_note"), number.clone());
        async move { c.post(url).form(&[("cos_number", number), ("note", note), ("q", String::new())]).send().await.unwrap() }
    };

    let (code, html) = app.page(&c, &format!("/sponsorship-duties/manage-live-cos/{number}/note")).await;
    assert_eq!(code, 200);
    assert!(html_text(&html).contains("Add a sponsor note"));

    // Empty, or too long: told by the field, what was typed kept, nothing added.
    for (note, message) in [("   ", "Enter the note"), (&"x".repeat(2001) as &str, "The note must be 2,000 characters or fewer; it has 2001")] {
        let r = post(note.to_string()).await;
        assert_eq!(location(&r), format!("/sponsorship-duties/manage-live-cos/{number}/note"));
        let (_, html) = app.page(&c, &location(&r)).await;
        assert!(html_text(&html).contains(message), "{message}");
        if note.len() > 10 {
            assert!(html.contains(&"x".repeat(2001)), "typed text kept");
        }
    }
    assert_eq!(notes(&pool, id).await.len(), before);

    // Added, once though sent twice, by whom; shown on View CoS.
    for _ in 0..2 {
        let r = post("Start date moved to 3 March at the worker's request.\r\nAgreed by HR.".into()).await;
        assert_eq!(location(&r), format!("/sponsorship-duties/manage-live-cos/{number}?noted=1"));
    }
    let after = notes(&pool, id).await;
    assert_eq!(after.len(), before + 1);
    assert_eq!(after.last().unwrap(), &("Start date moved to 3 March at the worker's request.\nAgreed by HR.".to_string(), "l1.demo".to_string()));
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'sponsor_note_added' AND entity_id = $1")
        .bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1);
    let (_, html) = app.page(&c, &format!("/view-cos/{number}")).await;
    assert!(html_text(&html).contains("Agreed by HR."));
    let (_, html) = app.page(&c, &format!("/sponsorship-duties/manage-live-cos/{number}?noted=1")).await;
    assert!(html_text(&html).contains("Your sponsor note has been added."));

    // A USED CoS: the screen says why, and a forged post adds nothing.
    let (used, used_number) = a_cos(&pool, "USED").await;
    let (code, html) = app.page(&c, &format!("/sponsorship-duties/manage-live-cos/{used_number}/note")).await;
    assert_eq!(code, 200);
    assert!(html_text(&html).contains("A sponsor note can only be added to an ASSIGNED CoS. This CoS is USED."));
    assert!(!html.contains("action=\"/api/cos/add_note\""));
    let before = notes(&pool, used).await.len();
    let r = c.post(app.url("/api/cos/add_note")).form(&[("cos_number", used_number.as_str()), ("note", "Forged"), ("q", "")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(notes(&pool, used).await.len(), before);

    // A Level 2 user on someone else's CoS, and another sponsor: not found, nothing added.
    for (login, password) in [("l2.demo", "demo-password-2"), ("other.l1", "demo-password-3")] {
        let c = app.signed_in(login, password).await;
        let r = c.post(app.url("/api/cos/add_note")).form(&[("cos_number", number.as_str()), ("note", "Forged"), ("q", "")]).send().await.unwrap();
        assert_eq!(r.status(), 404, "{login}");
        assert_eq!(app.page(&c, &format!("/sponsorship-duties/manage-live-cos/{number}/note")).await.0, 404, "{login}");
    }
    assert!(notes(&pool, id).await.iter().all(|n| n.0 != "Forged"));
}
