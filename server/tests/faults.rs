//! Bounded waits (issue 21): a full pool, a runaway query, too many exports at once and a
//! request that takes too long each get "The service is busy" (503 with Retry-After) within
//! seconds, change nothing, and leave the server working once the pressure is gone.

mod common;

use common::{seed_demo, spawn_with_pool};
use sqlx::PgPool;
use std::time::{Duration, Instant};

fn assert_busy(status: u16, retry_after: Option<&str>, body: &str, took: Duration, what: &str) {
    assert_eq!(status, 503, "{what}: {body}");
    assert_eq!(retry_after, Some(app::error::RETRY_AFTER_SECONDS), "{what}: Retry-After");
    assert!(body.contains("The service is busy. Try again in a moment."), "{what}: {body}");
    assert!(took < Duration::from_secs(8), "{what} answered after {took:?}");
}

async fn get(c: &reqwest::Client, url: String) -> (u16, Option<String>, String, Duration) {
    let t = Instant::now();
    let r = c.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (status, retry, common::markup(&r.text().await.unwrap()), t.elapsed())
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_pool_in_full_use_answers_busy_within_seconds_then_recovers(pool: PgPool) {
    seed_demo(&pool).await;
    let app_pool = server::startup::pool_options()
        .max_connections(2)
        .connect_with(server::startup::connect_options((*pool.connect_options()).clone()))
        .await
        .unwrap();
    let app = spawn_with_pool(pool.clone(), app_pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let number: String = sqlx::query_scalar(
        "SELECT c.cos_number FROM cos c JOIN users u ON u.sponsor_id = c.sponsor_id WHERE u.user_id = 'l1.demo' AND c.status = 'ASSIGNED' ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let owner = "SELECT o.owner_id FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.cos_number = $1";
    let owner_before: i64 = sqlx::query_scalar(owner).bind(&number).fetch_one(&pool).await.unwrap();

    // Every connection of the app's pool taken (as by long requests).
    let held = (app_pool.acquire().await.unwrap(), app_pool.acquire().await.unwrap());

    let (s, retry, body, took) = get(&c, app.url(&format!("/view-cos/{number}"))).await;
    assert_busy(s, retry.as_deref(), &body, took, "View CoS");
    let (s, retry, body, took) = get(&c, app.url("/view-cos/advanced?status=assigned")).await;
    assert_busy(s, retry.as_deref(), &body, took, "advanced search");
    let (s, retry, body, took) = get(&c, app.url("/view-cos/advanced/export.csv?status=assigned")).await;
    assert_busy(s, retry.as_deref(), &body, took, "export");
    let (s, retry, body, took) = get(&c, app.url(&format!("/view-cos/{number}/print"))).await;
    assert_busy(s, retry.as_deref(), &body, took, "print");

    // A change asked for now is refused as busy, and nothing changes.
    let to: i64 = sqlx::query_scalar("SELECT u.id FROM users u JOIN cos c ON c.sponsor_id = u.sponsor_id WHERE c.cos_number = $1 AND u.id <> $2 AND u.active ORDER BY u.id LIMIT 1")
        .bind(&number)
        .bind(owner_before)
        .fetch_one(&pool)
        .await
        .unwrap();
    let t = Instant::now();
    let r = c
        .post(app.url("/api/cos/transfer"))
        .header("accept", "application/json")
        .header("origin", app.base.clone())
        .form(&[("cos_number", number.as_str()), ("to_user", &to.to_string()), ("version", "1"), ("q", "")])
        .send()
        .await
        .unwrap();
    let (s, retry) = (r.status().as_u16(), r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned()));
    let body = r.text().await.unwrap();
    // The call is answered with the error itself; the page shows its words.
    assert_eq!((s, retry.as_deref()), (503, Some(app::error::RETRY_AFTER_SECONDS)), "{body}");
    assert_eq!(serde_json::from_str::<app::error::AppError>(&body).unwrap(), app::error::AppError::Busy);
    assert_eq!(app::error::AppError::Busy.to_string(), "The service is busy. Try again in a moment.");
    assert!(t.elapsed() < Duration::from_secs(8));

    drop(held);
    let (s, _, body, _) = get(&c, app.url(&format!("/view-cos/{number}"))).await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains(&number));
    let owner_after: i64 = sqlx::query_scalar(owner).bind(&number).fetch_one(&pool).await.unwrap();
    assert_eq!(owner_before, owner_after, "nothing moved while busy");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_runaway_statement_is_stopped_by_its_time_limit(pool: PgPool) {
    let app_pool = server::startup::pool_options()
        .max_connections(1)
        .connect_with(server::startup::connect_options((*pool.connect_options()).clone()))
        .await
        .unwrap();
    let shown: String = sqlx::query_scalar("SHOW statement_timeout").fetch_one(&app_pool).await.unwrap();
    assert_eq!(shown, app::db::STATEMENT_TIMEOUT);

    let t = Instant::now();
    let err = sqlx::query("SELECT pg_sleep(30)").execute(&app_pool).await.unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(10), "stopped after {:?}", t.elapsed());
    assert!(app::error::is_busy(&err), "{err}");
    assert_eq!(app::error::AppError::from(err), app::error::AppError::Busy);

    // The export, bulk transfers and expiry allow themselves longer, in their transaction only.
    let mut tx = app_pool.begin().await.unwrap();
    app::db::allow_long_statements(&mut tx).await.unwrap();
    let long: String = sqlx::query_scalar("SHOW statement_timeout").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(long, app::db::LONG_STATEMENT_TIMEOUT);
    tx.commit().await.unwrap();
    let after: String = sqlx::query_scalar("SHOW statement_timeout").fetch_one(&app_pool).await.unwrap();
    assert_eq!(after, app::db::STATEMENT_TIMEOUT, "the pooled connection is back to the short limit");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn exports_beyond_the_limit_wait_briefly_then_are_told_busy(pool: PgPool) {
    seed_demo(&pool).await;
    let app = common::spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    // Every turn taken, as by slow downloads.
    let turns = server::export::turns().clone().acquire_many_owned(server::export::MAX_EXPORTS as u32).await.unwrap();
    let (s, retry, body, took) = get(&c, app.url("/view-cos/advanced/export.csv?status=used")).await;
    assert_busy(s, retry.as_deref(), &body, took, "export with every turn taken");
    assert!(took >= server::export::EXPORT_WAIT, "it waited for a turn first ({took:?})");
    drop(turns);
    let r = c.get(app.url("/view-cos/advanced/export.csv?status=used")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().lines().count() > 1);
    // The turn is given back when the download ends: all of them are free again.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server::export::turns().available_permits(), server::export::MAX_EXPORTS);
}

#[tokio::test]
async fn a_request_over_its_time_limit_is_answered_busy() {
    use axum::routing::get as route;
    let slow = axum::Router::new()
        .route("/slow", route(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "late"
        }))
        .route("/quick", route(|| async { "on time" }))
        .layer(axum::middleware::from_fn_with_state(Duration::from_millis(300), server::middleware::time_limit));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, slow).await.unwrap() });
    let c = reqwest::Client::new();
    let (s, retry, body, took) = get(&c, format!("http://{addr}/slow")).await;
    assert_busy(s, retry.as_deref(), &body, took, "a slow request");
    let (s, _, body, _) = get(&c, format!("http://{addr}/quick")).await;
    assert_eq!((s, body.as_str()), (200, "on time"));
    server.abort();
}

/// One connection per request (issue 21): every screen that reads in several parts — the
/// Workers panel, both searches, View CoS, a history, Transfer CoS for a selection — reads them
/// on the one connection it holds. With a pool of one connection, a request that held one and
/// waited for a second would wait for itself and be told busy after the acquire timeout.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_screen_answers_from_a_pool_of_one_connection(pool: PgPool) {
    seed_demo(&pool).await;
    let app_pool = server::startup::pool_options()
        .max_connections(1)
        .connect_with(server::startup::connect_options((*pool.connect_options()).clone()))
        .await
        .unwrap();
    let app = spawn_with_pool(pool.clone(), app_pool).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let numbers: Vec<String> = sqlx::query_scalar(
        "SELECT c.cos_number FROM cos c JOIN users u ON u.sponsor_id = c.sponsor_id WHERE u.user_id = 'l1.demo' ORDER BY c.id LIMIT 3",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let selection = numbers.iter().map(|n| format!("cos={n}")).collect::<Vec<_>>().join("&");
    let screens = [
        ("/".to_string(), "What needs attention"),
        ("/view-cos?family_name=a".to_string(), "Search results"),
        ("/view-cos/advanced?status=assigned".to_string(), "Search results"),
        (format!("/view-cos/{}", numbers[0]), numbers[0].as_str()),
        (format!("/view-cos/{}/ownership-history", numbers[0]), numbers[0].as_str()),
        (format!("/view-cos/transfer-many?{selection}"), "You have selected 3 CoS"),
    ];
    for (path, shows) in &screens {
        let (s, _, body, took) = get(&c, app.url(path)).await;
        assert_eq!(s, 200, "{path}: {body}");
        assert!(body.contains(shows), "{path} shows {shows:?}: {body}");
        assert!(took < Duration::from_secs(2), "{path} took {took:?}");
    }
}
