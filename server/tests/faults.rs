//! Bounded waits (issue 21): a full pool, a runaway query, too many exports at once and a
//! request that takes too long each get "The service is busy" (503 with Retry-After) within
//! seconds, change nothing, and leave the server working once the pressure is gone.

mod common;

use common::{hidden, seed_demo, spawn_with_pool, spawn_with_pool_size};
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
    let app = spawn_with_pool_size(pool.clone(), 1).await;
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

/// No deadlocks (issue 21): transfers of overlapping selections, of a batch among them, and
/// the expiry job run at once over the same CoS, round after round. Every statement that
/// locks many CoS takes them in order of id, and one that still loses a race is run again;
/// so each request is answered with its outcome or "changed meanwhile", never an error, and
/// the history agrees with the audit and with who owns each CoS.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn bulk_changes_over_the_same_cos_never_cross_into_an_error(pool: PgPool) {
    use common::{location, TODAY};
    seed_demo(&pool).await;
    let (acme, l1): (i64, i64) = sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();
    let (batch, batch_owner): (i64, i64) = sqlx::query_as(
        "SELECT b.id, b.owner_id FROM batches b JOIN cos c ON c.sponsor_id = b.sponsor_id AND c.batch_id = b.id
         WHERE b.sponsor_id = $1 GROUP BY b.id, b.owner_id HAVING count(*) > 3 ORDER BY b.id LIMIT 1",
    )
    .bind(acme).fetch_one(&pool).await.unwrap();
    // The batch's CoS and as many others, ASSIGNED ones among them for the expiry job.
    let picked: Vec<(i64, String)> = sqlx::query_as(
        "(SELECT id, cos_number FROM cos WHERE sponsor_id = $1 AND batch_id = $2)
         UNION (SELECT id, cos_number FROM cos WHERE sponsor_id = $1 AND status = 'ASSIGNED' AND batch_id IS DISTINCT FROM $2 ORDER BY id LIMIT 20)
         UNION (SELECT id, cos_number FROM cos WHERE sponsor_id = $1 AND status <> 'ASSIGNED' ORDER BY id DESC LIMIT 20)",
    )
    .bind(acme).bind(batch).fetch_all(&pool).await.unwrap();
    let ids: Vec<i64> = picked.iter().map(|p| p.0).collect();
    let users: Vec<i64> = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND active AND id <> $2 ORDER BY id LIMIT 3")
        .bind(acme).bind(batch_owner).fetch_all(&pool).await.unwrap();
    assert_eq!(users.len(), 3);
    // Two selections that overlap, listed in opposite orders.
    let all = picked.iter().map(|p| format!("cos={}", p.1)).collect::<Vec<_>>();
    let forward = all[..all.len() * 2 / 3].join("&");
    let backward = all[all.len() / 3..].iter().rev().cloned().collect::<Vec<_>>().join("&");
    let assigned: Vec<i64> = sqlx::query_scalar("SELECT id FROM cos WHERE id = ANY($1) AND status = 'ASSIGNED' ORDER BY id")
        .bind(&ids).fetch_all(&pool).await.unwrap();
    assert!(assigned.len() >= 10);
    // (A CoS expires three months after it was assigned, a table rule: both move.)
    let set_expiry = |ids: Vec<i64>, day: time::Date| {
        let pool = pool.clone();
        async move {
            sqlx::query("UPDATE cos SET date_assigned = ($2::date - interval '3 months')::date, expiry_date = $2 WHERE id = ANY($1) AND status = 'ASSIGNED'")
                .bind(ids).bind(day).execute(&pool).await.unwrap();
        }
    };
    set_expiry(ids.clone(), TODAY + time::Duration::days(60)).await;

    let history_from: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM ownership_history").fetch_one(&pool).await.unwrap();
    let audit_from: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM audit_log").fetch_one(&pool).await.unwrap();
    let app = common::spawn(pool.clone()).await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(app.signed_in("l1.demo", "demo-password-1").await);
    }
    let mut outcomes = Vec::new();
    for round in 0..6usize {
        // Some CoS fall due for expiry as the round starts.
        let due: Vec<i64> = assigned.iter().skip(round * 2).take(2).copied().collect();
        set_expiry(due, TODAY - time::Duration::days(1)).await;
        let mut forms = Vec::new();
        for (c, selection) in clients[..2].iter().zip([&forward, &backward]) {
            let (code, html) = app.page(c, &format!("/view-cos/transfer-many?{selection}")).await;
            assert_eq!(code, 200, "{html}");
            forms.push((selection.clone(), hidden(&html, "state")));
        }
        let version: i32 = sqlx::query_scalar("SELECT version FROM batches WHERE id = $1").bind(batch).fetch_one(&pool).await.unwrap();

        let mut tasks = Vec::new();
        for (i, (selection, state)) in forms.into_iter().enumerate() {
            let (c, url, to) = (clients[i].clone(), app.url("/api/cos/transfer_many"), users[(round + i) % 3]);
            tasks.push(tokio::spawn(async move {
                let r = c.post(url).form(&[("selection", selection.as_str()), ("to_user", &to.to_string()), ("state", &state), ("back", "")]).send().await.unwrap();
                (r.status().as_u16(), location(&r))
            }));
        }
        let (c, url, to) = (clients[2].clone(), app.url("/api/batches/transfer"), users[(round + 2) % 3]);
        tasks.push(tokio::spawn(async move {
            let r = c
                .post(url)
                .form(&[("batch_id", batch.to_string()), ("to_user", to.to_string()), ("version", version.to_string())])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), location(&r))
        }));
        let job = server::jobs::expire_cos(&pool, Some(TODAY));
        let expired = job.await.expect("the expiry job never fails");
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        assert_eq!(expired.unwrap_or(0), 2, "round {round}: the two due CoS expire");
    }

    for (status, to) in &outcomes {
        assert!(matches!(status, 302 | 303), "a redirect to the outcome: {outcomes:?}");
        let fine = to.contains("/transferred") || to.contains("problem=changed");
        assert!(fine, "every answer is an outcome: {outcomes:?}");
    }
    assert!(outcomes.iter().any(|(_, to)| to.contains("/transferred")), "{outcomes:?}");

    // The history says exactly what the audit says moved, each move starts from the owner
    // the one before left, and the last ends with the owner now.
    let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM ownership_history WHERE sponsor_id = $1 AND id > $2")
        .bind(acme).bind(history_from).fetch_one(&pool).await.unwrap();
    let audited: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(coalesce((details->>'moved')::bigint, (details->>'cos_moved')::bigint)), 0)::bigint FROM audit_log
         WHERE actor_user_id = $1 AND id > $2 AND action IN ('cos_transferred_many', 'batch_transferred')",
    )
    .bind(l1).bind(audit_from).fetch_one(&pool).await.unwrap();
    assert!(recorded > 0);
    assert_eq!(recorded, audited);
    // (In order of id, which is the order rows were written: each waited for the one before.)
    let broken: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT id, from_user_id, lag(to_user_id) OVER (PARTITION BY cos_id ORDER BY id) AS before
           FROM ownership_history WHERE sponsor_id = $1 AND cos_id = ANY($2)) h
         WHERE id > $3 AND before IS NOT NULL AND before <> from_user_id",
    )
    .bind(acme).bind(&ids).bind(history_from).fetch_one(&pool).await.unwrap();
    assert_eq!(broken, 0, "each move starts where the one before ended");
    let disagree: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cos_owners o WHERE o.cos_id = ANY($1) AND o.owner_id IS DISTINCT FROM
           (SELECT h.to_user_id FROM ownership_history h WHERE h.sponsor_id = o.sponsor_id AND h.cos_id = o.cos_id ORDER BY h.id DESC LIMIT 1)
           AND EXISTS (SELECT 1 FROM ownership_history h WHERE h.sponsor_id = o.sponsor_id AND h.cos_id = o.cos_id AND h.id > $2)",
    )
    .bind(&ids).bind(history_from).fetch_one(&pool).await.unwrap();
    assert_eq!(disagree, 0, "the last move ends with the owner now");
    let expired_twice: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT cos_id FROM cos_status_history WHERE cos_id = ANY($1) AND status = 'EXPIRED' GROUP BY cos_id HAVING count(*) > 1) x",
    )
    .bind(&ids).fetch_one(&pool).await.unwrap();
    assert_eq!(expired_twice, 0);
}

/// Exports that cannot starve the pool (issue 21): the export reads a chunk at a time and
/// gives its connection back between chunks, so a download its client has stopped reading
/// holds none. With a pool of one connection, View CoS answers while such an export waits;
/// read on to the end, the file has every match once, in list order, across many chunks.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_export_read_slowly_holds_no_connection(pool: PgPool) {
    use common::TODAY;
    use server::seed::{seed, Params};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // Acme with tens of thousands of CoS: more than any socket buffer holds as CSV.
    seed(&pool, &Params { cos: 42_000, largest: Some(40_000), ..Params::demo(TODAY) }).await.unwrap();
    let acme: i64 = sqlx::query_scalar("SELECT sponsor_id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();
    let expected: Vec<String> = sqlx::query_scalar("SELECT cos_number FROM cos WHERE sponsor_id = $1 ORDER BY status_date DESC, id DESC")
        .bind(acme).fetch_all(&pool).await.unwrap();
    assert!(expected.len() as i64 > 10 * app::db::advanced_search::EXPORT_CHUNK);
    let app = spawn_with_pool_size(pool.clone(), 1).await;
    let c = app.client();
    let r = app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let cookie = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned()).collect::<Vec<_>>().join("; ");

    // A client that reads the headers and a little more, then stops: a small receive buffer
    // (set before connecting) keeps the kernel from taking the file in on its behalf.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut slow = socket.connect(app.base.trim_start_matches("http://").parse().unwrap()).await.unwrap();
    slow.write_all(format!("GET /view-cos/advanced/export.csv HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut first = vec![0u8; 2048];
    let n = slow.read(&mut first).await.unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&first[..n]));
    // Time for the export to fill every buffer between it and the client.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let (s, _, body, took) = get(&c, app.url(&format!("/view-cos/{}", expected[0]))).await;
    assert_eq!(s, 200, "View CoS while an export waits on its client: {body}");
    assert!(took < Duration::from_secs(2), "took {took:?}");

    // Read to the end: every match once, in list order.
    let mut rest = Vec::new();
    slow.read_to_end(&mut rest).await.unwrap();
    let mut all = first[..n].to_vec();
    all.extend(rest);
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&all[..split]).to_ascii_lowercase();
    let mut body = all[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    let numbers: Vec<String> = csv::Reader::from_reader(&body[3..]).records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(numbers.len(), expected.len());
    assert!(numbers == expected, "every match once, in list order");

    // Sorted by name, whose chunks start after a (family, given, id) key: the same CoS, in the
    // list's order.
    let by_name: Vec<String> = sqlx::query_scalar(
        "SELECT cos_number FROM cos WHERE sponsor_id = $1 ORDER BY sms_fold(coalesce(family_name, '')), sms_fold(coalesce(given_names, '')), id",
    )
    .bind(acme).fetch_all(&pool).await.unwrap();
    let body = c.get(app.url("/view-cos/advanced/export.csv?sort=name")).send().await.unwrap().bytes().await.unwrap();
    let got: Vec<String> = csv::Reader::from_reader(&body[3..]).records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(got, by_name);
}

/// The body of a response sent in HTTP/1.1 chunks, joined.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n").expect("a chunk size line");
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap().split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}
