//! Several servers over one database, and live changes (issue 22): a sign-out, a deactivation
//! or a new user made through one server is seen by another within a second; each browser's
//! live stream (`GET /changes`) carries its sponsor's changes, whoever made them (a server,
//! the Home Office's command line), a Level 2 user's only about their own CoS, and another
//! sponsor's nothing.

mod common;

use common::{location, seed_demo, spawn, ServerProcess};
use sqlx::PgPool;
use std::time::{Duration, Instant};

/// The URL of the test's own database (DATABASE_URL names the cluster's main one).
async fn url_of(pool: &PgPool) -> String {
    let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (base, query) = url.split_once('?').map(|(b, q)| (b, format!("?{q}"))).unwrap_or((&url, String::new()));
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{name}{query}")
}

/// A client that keeps no cookies: each request carries the session it is given.
fn bare() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Signs in through `base`; the session cookie ("name=value").
async fn session_cookie(base: &str, login: &str, password: &str) -> String {
    let r = bare()
        .post(format!("{base}/sign-in"))
        .form(&[("user_id", login), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{login} signs in");
    let cookie = r.headers().get("set-cookie").expect("a session cookie").to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

async fn get(base: &str, cookie: &str, path: &str) -> reqwest::Response {
    bare().get(format!("{base}{path}")).header("cookie", cookie).header("accept", "text/html").send().await.unwrap()
}

async fn post(base: &str, cookie: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    bare().post(format!("{base}{path}")).header("cookie", cookie).header("accept", "text/html").form(form).send().await.unwrap()
}

/// How long until `base` refuses the bearer of `cookie` (sends them to sign in) (at most 5 s, else a failure).
async fn refused_after(base: &str, cookie: &str) -> Duration {
    let t = Instant::now();
    loop {
        let r = get(base, cookie, "/").await;
        if r.status() == 303 && location(&r).starts_with("/sign-in") {
            return t.elapsed();
        }
        let status = r.status();
        let body = r.text().await.unwrap();
        // Caught between the two reads of one request: the page itself says so.
        if status == 401 && body.contains("You need to <a href=\"/sign-in\">sign in</a>") {
            return t.elapsed();
        }
        assert_eq!(status, 200, "{}", &body[body.find("<main").unwrap_or(0)..]);
        assert!(t.elapsed() < Duration::from_secs(5), "{base} still takes the session after 5 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn what_one_server_changes_every_other_server_sees_within_a_second(pool: PgPool) {
    seed_demo(&pool).await;
    let url = url_of(&pool).await;
    let a = ServerProcess::start(&["serve"], &[("DATABASE_URL", url.clone())]).await;
    let b = ServerProcess::start(&["serve"], &[("DATABASE_URL", url)]).await;
    let (a, b) = (a.url(""), b.url(""));

    // Signed in through A, signed out through B: A refuses the session.
    let l1 = session_cookie(&a, "l1.demo", "demo-password-1").await;
    assert_eq!(get(&a, &l1, "/").await.status(), 200, "A has read (and keeps) the session");
    assert_eq!(get(&b, &l1, "/").await.status(), 200, "B takes the same session");
    let r = post(&b, &l1, "/sign-out", &[]).await;
    assert_eq!((r.status().as_u16(), location(&r).as_str()), (303, "/sign-in"));
    let took = refused_after(&a, &l1).await;
    assert!(took < Duration::from_secs(1), "A refused the signed-out session after {took:?}");

    // A user deactivated through A is refused by B.
    let l1 = session_cookie(&a, "l1.demo", "demo-password-1").await;
    let l2 = session_cookie(&b, "l2.demo", "demo-password-2").await;
    assert_eq!(get(&b, &l2, "/").await.status(), 200);
    let r = post(&a, &l1, "/api/users/deactivate", &[("user_id", "l2.demo")]).await;
    assert_eq!(location(&r), "/manage-users/user/l2.demo?done=deactivated");
    let took = refused_after(&b, &l2).await;
    assert!(took < Duration::from_secs(1), "B refused the deactivated user after {took:?}");

    // A user created through A is offered by B as someone to transfer a CoS to.
    let number: String = sqlx::query_scalar(
        "SELECT c.cos_number FROM cos c JOIN users u ON u.sponsor_id = c.sponsor_id
         WHERE u.user_id = 'l1.demo' AND c.status = 'ASSIGNED' ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let transfer = format!("/view-cos/{number}/transfer");
    let offered = get(&b, &l1, &transfer).await.text().await.unwrap();
    assert!(!offered.contains("Kim Jones"), "{offered}");
    let r = post(&a, &l1, "/api/users/create", &[("full_name", "Kim Jones"), ("email", "kim@acme.example"), ("user_id", "kim.jones")]).await;
    assert_eq!(location(&r), "/manage-users/created");
    let offered = get(&b, &l1, &transfer).await.text().await.unwrap();
    assert!(offered.contains("Kim Jones"), "B offers the new user: {offered}");
}

/// One server over the demo data, and a session signed in through it.
async fn one_server_signed_in(pool: &PgPool, login: &str, password: &str) -> (common::TestApp, String) {
    seed_demo(pool).await;
    let app = common::spawn(pool.clone()).await;
    let cookie = session_cookie(&app.base, login, password).await;
    (app, cookie)
}

/// Reads the page at `path` until it `shows` what is awaited: at most a second, else `fails`.
async fn shown_within_a_second(base: &str, cookie: &str, path: &str, shows: impl Fn(&str) -> bool, fails: &str) {
    let t = Instant::now();
    while !shows(&get(base, cookie, path).await.text().await.unwrap()) {
        assert!(t.elapsed() < Duration::from_secs(1), "{fails} after a second");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Each server keeps signed-in users in memory while it hears the change notifications: a
/// change made in the database by anything at all (here a plain statement, as an operator's
/// tool would make it) still reaches the next pages within a second.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_signed_in_user_changed_in_the_database_is_read_afresh_within_a_second(pool: PgPool) {
    let (app, l2) = one_server_signed_in(&pool, "l2.demo", "demo-password-2").await;
    let base = &app.base;
    let name = |page: &str| {
        let at = page.find("signed-in__name").expect("the header names the user");
        page[at..].split(['>', '<']).nth(1).unwrap_or_default().to_string()
    };
    // Read twice: the second from memory, if the server keeps it.
    for _ in 0..2 {
        let page = get(base, &l2, "/").await.text().await.unwrap();
        assert_ne!(name(&page), "Robin Renamed");
    }

    sqlx::query("UPDATE users SET full_name = 'Robin Renamed' WHERE user_id = 'l2.demo'").execute(&pool).await.unwrap();
    shown_within_a_second(base, &l2, "/", |page| name(page) == "Robin Renamed", "the header still has the old name").await;

    // The user's sessions ended in the database (their epoch moved on): refused.
    sqlx::query("UPDATE users SET session_epoch = session_epoch + 1 WHERE user_id = 'l2.demo'").execute(&pool).await.unwrap();
    let took = refused_after(base, &l2).await;
    assert!(took < Duration::from_secs(1), "the ended session was taken for {took:?}");
}

/// The routes and activity types are kept in memory too: one added in the database, however,
/// is offered by the advanced search within a second, and a search may name it.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_route_added_in_the_database_is_offered_within_a_second(pool: PgPool) {
    let (app, l1) = one_server_signed_in(&pool, "l1.demo", "demo-password-1").await;
    let base = &app.base;
    let form = get(base, &l1, "/view-cos/advanced").await.text().await.unwrap();
    assert!(form.contains(">Skilled Worker<"), "the routes are offered");
    assert!(!form.contains("Orchard Worker (added)"));

    let id: i16 = sqlx::query_scalar("INSERT INTO routes (name, category) VALUES ('Orchard Worker (added)', 'Temporary Worker') RETURNING id")
        .fetch_one(&pool)
        .await
        .unwrap();
    let offered = |page: &str| page.contains(">Orchard Worker (added)<");
    shown_within_a_second(base, &l1, "/view-cos/advanced", offered, "the new route is not offered").await;
    let results = get(base, &l1, &format!("/view-cos/advanced?route={id}")).await.text().await.unwrap();
    assert!(!results.contains("Select a route from the list."), "a search may name the new route");
}

/// A live stream as a browser's EventSource reads it, signed in as `login`.
struct Stream(common::EventStream, String);

impl Stream {
    async fn open(app: &common::TestApp, login: &str, password: &str) -> Stream {
        let cookie = session_cookie(&app.base, login, password).await;
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("cookie", cookie.parse().unwrap());
        let client = reqwest::Client::builder().default_headers(headers).build().unwrap();
        Stream(common::EventStream::open(&client, app.url("/changes")).await, cookie)
    }

    /// The data of the next change, or None if none comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<serde_json::Value> {
        let until = Instant::now() + wait;
        loop {
            let left = until.checked_duration_since(Instant::now())?;
            match self.0.next(left).await? {
                (None, data) => return Some(serde_json::from_str(&data).unwrap()),
                (Some(_), _) => continue,
            }
        }
    }
}

/// A CoS of `sponsor` not owned by any of `not` (user ids), and a user of the sponsor to move
/// it to who is none of them either.
async fn a_transfer(pool: &PgPool, sponsor: &str, not: &[&str], to: Option<&str>, skip: &str) -> (String, String, String) {
    sqlx::query_as(
        "SELECT c.cos_number, o.version::text, t.id::text
         FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         JOIN sponsors s ON s.id = c.sponsor_id
         JOIN users t ON t.sponsor_id = c.sponsor_id AND t.active AND t.id <> o.owner_id
         WHERE s.name = $1 AND c.status = 'ASSIGNED'
           AND o.owner_id NOT IN (SELECT id FROM users WHERE user_id = ANY($2))
           AND CASE WHEN $3::text IS NULL THEN t.user_id <> ALL($2) ELSE t.user_id = $3 END
           AND c.cos_number <> $4
         ORDER BY c.id, t.id LIMIT 1",
    )
    .bind(sponsor)
    .bind(not)
    .bind(to)
    .bind(skip)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn transfer(app: &common::TestApp, c: &reqwest::Client, (number, version, to): &(String, String, String)) {
    let r = c
        .post(app.url("/api/cos/transfer"))
        .form(&[("cos_number", number.as_str()), ("to_user", to), ("version", version), ("q", "")])
        .send()
        .await
        .unwrap();
    assert!(location(&r).contains("/transferred"), "{number} moved: {}", location(&r));
}

fn numbers(event: &serde_json::Value) -> Vec<String> {
    event["cos"].as_array().map(|a| a.iter().map(|n| n.as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn each_live_stream_carries_its_own_sponsors_changes_as_they_happen(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let mut level1 = Stream::open(&app, "l1.demo", "demo-password-1").await;
    let mut level2 = Stream::open(&app, "l2.demo", "demo-password-2").await;
    // The other sponsor's: one of its Level 2 users (its one Level 1 user makes its change).
    let mut elsewhere = Stream::open(&app, "user1.s2", server::seed::GENERATED_USER_PASSWORD).await;
    // Changes are made by other users than the streams' own: nobody hears of their own.
    let colleague: String = sqlx::query_scalar(
        "SELECT u.user_id FROM users u JOIN sponsors s ON s.id = u.sponsor_id
         WHERE s.name = 'Acme Engineering Ltd' AND u.level = 1 AND u.active AND u.user_id LIKE 'user%' ORDER BY u.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let acme = app.signed_in(&colleague, server::seed::GENERATED_USER_PASSWORD).await;

    // A transfer between two other users of the sponsor: the Level 1 user hears of it within
    // 2 s; the Level 2 user does not (it is not their CoS).
    let not_l2 = a_transfer(&pool, "Acme Engineering Ltd", &["l2.demo"], None, "").await;
    let t = Instant::now();
    transfer(&app, &acme, &not_l2).await;
    let event = level1.next(Duration::from_secs(2)).await.expect("the Level 1 user hears of the transfer");
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(event["kind"], "owner");
    assert_eq!(numbers(&event), vec![not_l2.0.clone()]);
    assert!(event.get("key").is_none() && event.to_string().len() < 300, "nothing but what changed: {event}");

    // A CoS moved to the Level 2 user: theirs now, so they hear of it, and of nothing before.
    let to_l2 = a_transfer(&pool, "Acme Engineering Ltd", &["l2.demo"], Some("l2.demo"), &not_l2.0).await;
    transfer(&app, &acme, &to_l2).await;
    let event = level2.next(Duration::from_secs(2)).await.expect("the Level 2 user hears of their new CoS");
    assert_eq!(numbers(&event), vec![to_l2.0.clone()], "the first thing a Level 2 user hears is about their own CoS");
    assert_eq!(numbers(&level1.next(Duration::from_secs(2)).await.unwrap()), vec![to_l2.0.clone()]);

    // The Home Office's command line, another process: the stream says so.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["home-office", "mark-used", &not_l2.0])
        .env("DATABASE_URL", url_of(&pool).await)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let event = level1.next(Duration::from_secs(2)).await.expect("the Level 1 user hears the CoS was used");
    assert_eq!((event["kind"].as_str(), numbers(&event)), (Some("cos"), vec![not_l2.0.clone()]));
    let heard = level2.next(Duration::from_millis(300)).await;
    assert!(heard.is_none(), "not the Level 2 user's CoS: {heard:?}");

    // The other sponsor's stream: the first thing it carries is its own sponsor's change.
    let northern = app.signed_in("other.l1", "demo-password-3").await;
    let theirs = a_transfer(&pool, "Northern Lights Care Ltd", &["user1.s2"], Some("user1.s2"), "").await;
    transfer(&app, &northern, &theirs).await;
    let event = elsewhere.next(Duration::from_secs(2)).await.expect("the other sponsor hears of its own change");
    assert_eq!(numbers(&event), vec![theirs.0.clone()], "nothing of Acme's reached another sponsor");
    assert!(level1.next(Duration::from_millis(300)).await.is_none(), "nor the other way");

    // Nobody is told of their own change: the Level 1 user moves a CoS; their stream stays
    // quiet, while the new owner's hears it.
    let own = app.signed_in("l1.demo", "demo-password-1").await;
    let mine = a_transfer(&pool, "Acme Engineering Ltd", &["l2.demo"], Some("l2.demo"), &to_l2.0).await;
    transfer(&app, &own, &mine).await;
    assert_eq!(numbers(&level2.next(Duration::from_secs(2)).await.expect("the new owner hears")), vec![mine.0.clone()]);
    let heard = level1.next(Duration::from_millis(500)).await;
    assert!(heard.is_none(), "told of their own transfer: {heard:?}");

    // Signed out, the stream says so (the browser then stops asking) and ends; signed out, a
    // new one is refused.
    let r = bare().post(app.url("/sign-out")).header("cookie", &level1.1).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let (name, _) = level1.0.next(Duration::from_secs(2)).await.expect("the stream is told the session ended");
    assert_eq!(name.as_deref(), Some("ended"));
    let again = bare().get(app.url("/changes")).header("cookie", &level1.1).header("accept", "text/event-stream").send().await.unwrap();
    assert_eq!(again.text().await.unwrap().trim(), "event: ended\ndata: {}", "a signed-out session hears nothing");
}

/// One notification per statement, not per CoS: a 10,000-CoS change is one message.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_change_of_many_cos_is_one_notification(pool: PgPool) {
    seed_demo(&pool).await;
    let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await.unwrap();
    listener.listen("sms_changes").await.unwrap();
    // Every ASSIGNED CoS of one owner to another user, in one statement.
    let moved = sqlx::query(
        "WITH pick AS (SELECT o.sponsor_id, o.owner_id FROM cos_owners o GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1),
              dest AS (SELECT u.id FROM users u JOIN pick p ON u.sponsor_id = p.sponsor_id AND u.id <> p.owner_id ORDER BY u.id LIMIT 1)
         UPDATE cos_owners o SET owner_id = (SELECT id FROM dest), version = o.version + 1
         FROM pick p WHERE o.sponsor_id = p.sponsor_id AND o.owner_id = p.owner_id",
    )
    .execute(&pool)
    .await
    .unwrap()
    .rows_affected();
    assert!(moved > 100, "{moved}");
    let n = tokio::time::timeout(Duration::from_secs(2), listener.recv()).await.unwrap().unwrap();
    let change: serde_json::Value = serde_json::from_str(n.payload()).unwrap();
    assert_eq!(change["kind"], "owner");
    assert_eq!(change["count"], moved as i64);
    assert!(change["cos"].is_null(), "over 100 CoS: counted, not listed");
    assert_eq!(change["owners"].as_array().unwrap().len(), 2);
    assert!(tokio::time::timeout(Duration::from_millis(300), listener.recv()).await.is_err(), "one notification only");
}
