//! Back goes where the user came from (issue 16): a CoS opened from a batch goes Back to that
//! batch, the batch to its search results, a CoS opened from the Workers screen to the Workers
//! screen; after a withdrawal the search it was found by is shown again, with its results.

mod common;

use common::{location, seed_demo, spawn};
use sqlx::PgPool;

fn href_of(html: &str, text: &str) -> String {
    // The href of the link whose text is `text` (the last one before it).
    let before = html.split(&format!(">{text}</a>")).next().unwrap();
    let start = before.rfind("href=\"").expect("a link") + 6;
    before[start..].split('"').next().unwrap().replace("&amp;", "&")
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn from_a_batch_back_to_it_and_on_to_its_search(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (id, reference, number): (i64, String, String) = sqlx::query_as(
        "SELECT b.id, b.reference, c.cos_number FROM batches b JOIN cos c ON c.sponsor_id = b.sponsor_id AND c.batch_id = b.id
         JOIN users u ON u.sponsor_id = b.sponsor_id AND u.user_id = 'l1.demo' ORDER BY b.created_at DESC, b.id DESC, c.cos_number LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    // The batch search lists it; its link carries the search.
    let (_, html) = app.page(&c, "/view-cos/batches?reference=").await;
    let to_batch = href_of(&html, &reference);
    assert_eq!(to_batch, format!("/view-cos/batches/{id}?q=reference%3D"));
    let (code, html) = app.page(&c, &to_batch).await;
    assert_eq!(code, 200);
    assert_eq!(href_of(&html, "Back"), "/view-cos/batches?reference=");
    // A CoS of the batch, opened from it, comes Back to it.
    let to_cos = href_of(&html, &number);
    assert!(to_cos.starts_with(&format!("/view-cos/{number}?q=")), "{to_cos}");
    let (code, html) = app.page(&c, &to_cos).await;
    assert_eq!(code, 200);
    // (The same address, whether or not its `=` is percent-encoded.)
    assert_eq!(href_of(&html, "Back").replace("%3D", "="), to_batch.replace("%3D", "="));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn from_the_workers_screen_back_to_it(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (_, html) = app.page(&c, "/").await;
    let Some(link) = html.split("href=\"/view-cos/C").nth(1) else {
        panic!("the attention table lists an expiring CoS: {html}");
    };
    let to = format!("/view-cos/C{}", link.split('"').next().unwrap());
    assert!(to.ends_with("?q=%2F"), "{to}");
    let (code, html) = app.page(&c, &to).await;
    assert_eq!(code, 200);
    assert_eq!(href_of(&html, "Back"), "/");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn after_a_withdrawal_the_search_is_shown_again(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (number, family): (String, String) = sqlx::query_as(
        "SELECT c.cos_number, c.family_name FROM cos c JOIN users u ON u.sponsor_id = c.sponsor_id AND u.user_id = 'l1.demo'
         WHERE c.status = 'ASSIGNED' ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let q = format!("family_name={}&list=1", family.replace(' ', "+"));
    let r = c
        .post(app.url("/api/cos/withdraw"))
        .form(&[("cos_number", number.as_str()), ("q", q.as_str())])
        .send()
        .await
        .unwrap();
    let to = location(&r);
    assert_eq!(to, format!("/sponsorship-duties/manage-live-cos?{q}&withdrawn={number}"));
    let (code, html) = app.page(&c, &to).await;
    assert_eq!(code, 200);
    assert!(html.contains(&format!("CoS {number} has been withdrawn.")), "{html}");
    assert!(html.contains("match your search") || html.contains("matches your search"), "the results are shown: {html}");
    assert!(html.contains(&format!(">{number}</a>")), "{html}");
}
