//! The app over HTTP: sign-in, lockout, sessions, the Workers screen, cross-site refusal.

mod common;

use common::{location, seed_demo, spawn};
use sqlx::PgPool;

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn signing_in_opens_the_workers_screen(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool).await;
    let c = app.client();
    let r = app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/");
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP on localhost: {cookie}");
    assert!(cookie.contains("Max-Age=1800"), "a 30-minute idle timeout: {cookie}");

    let (status, html) = app.page(&c, "/").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<h1").count(), 1, "one h1 per page");
    assert!(html.contains("<h1>Workers</h1>"));
    assert!(html.contains("Acme Engineering Ltd"));
    assert!(html.contains("2XK7Q4M9B"));
    assert!(html.contains("Alex Morgan"));
    assert!(html.contains("Level 1 user"));
    assert!(html.contains("Sign out"));
    assert!(html.contains("Skip to main content"));
    // The functions a user came for come first, then what needs attention, then who they are.
    let (functions, attention, sponsor) =
        (html.find("What do you want to do?").unwrap(), html.find("What needs attention").unwrap(), html.find("sponsor-name").unwrap());
    assert!(functions < attention && attention < sponsor, "{functions} {attention} {sponsor}");
    // The user id is matched without regard to case or surrounding spaces.
    let c2 = app.client();
    let r = app.sign_in(&c2, "  L2.Demo ", "demo-password-2", "/").await;
    assert_eq!(location(&r), "/");
    let (_, html) = app.page(&c2, "/").await;
    assert!(html.contains("Level 2 user") && html.contains("Sam O&#39;Neill") || html.contains("Sam O'Neill"), "{html}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn each_sponsor_sees_only_itself(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool).await;
    let c = app.client();
    app.sign_in(&c, "other.l1", "demo-password-3", "/").await;
    let (_, html) = app.page(&c, "/").await;
    assert!(html.contains("Northern Lights Care Ltd"));
    assert!(!html.contains("Acme"), "another sponsor's name never appears");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_wrong_password_and_an_unknown_user_look_alike(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let mut pages = Vec::new();
    for (user, password) in [("l1.demo", "wrong"), ("nobody.here", "demo-password-1")] {
        let c = app.client();
        let r = app.sign_in(&c, user, password, "/").await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/sign-in");
        let (status, html) = app.page(&c, "/sign-in").await;
        assert_eq!(status, 200);
        assert!(html.contains("The user ID or password is incorrect."), "{html}");
        assert!(html.contains(&format!("value=\"{user}\"")), "the form keeps the user id");
        // Still not signed in.
        let (status, _) = app.page(&c, "/").await;
        assert_eq!(status, 303);
        // The notice is shown once.
        let (_, again) = app.page(&c, "/sign-in").await;
        assert!(!again.contains("incorrect"));
        pages.push(html.replace(user, "USER"));
    }
    // Compare what the user sees: the main region (nonces differ per response).
    let strip = |s: &str| s.split("<main").nth(1).unwrap().split("</main>").next().unwrap().to_string();
    assert_eq!(strip(&pages[0]), strip(&pages[1]));
    let failures: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(failures, 2, "both failures are audited");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn five_failures_lock_the_account_for_twenty_minutes(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.client();
    for n in 1..=4 {
        app.sign_in(&c, "l2.demo", "nope", "/").await;
        let (_, html) = app.page(&c, "/sign-in").await;
        assert!(html.contains("The user ID or password is incorrect."), "attempt {n}");
    }
    app.sign_in(&c, "l2.demo", "nope", "/").await;
    let (_, html) = app.page(&c, "/sign-in").await;
    assert!(html.contains("locked for 20 minutes"), "{html}");
    assert!(html.contains("Try again in 20 minutes"));

    // The right password does not get in while locked.
    let r = app.sign_in(&c, "l2.demo", "demo-password-2", "/").await;
    assert_eq!(location(&r), "/sign-in");
    let (_, html) = app.page(&c, "/sign-in").await;
    assert!(html.contains("locked"));
    let (status, _) = app.page(&c, "/").await;
    assert_eq!(status, 303);

    let minutes: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM locked_until - now())::float8 / 60 FROM users WHERE user_id = 'l2.demo'",
    )
    .fetch_one(&pool).await.unwrap();
    assert!((19.0..=20.0).contains(&minutes), "locked for {minutes} minutes");
    let locked: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'account_locked'")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(locked, 1);

    // Once the lock has passed, the right password works and the count starts again.
    sqlx::query("UPDATE users SET locked_until = now() - interval '1 second' WHERE user_id = 'l2.demo'")
        .execute(&pool).await.unwrap();
    let r = app.sign_in(&c, "l2.demo", "demo-password-2", "/").await;
    assert_eq!(location(&r), "/");
    let attempts: i32 = sqlx::query_scalar("SELECT failed_attempts FROM users WHERE user_id = 'l2.demo'")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(attempts, 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn parallel_failures_cannot_beat_the_limit(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (c, url) = (app.client(), app.url("/sign-in"));
            tokio::spawn(async move {
                c.post(url).form(&[("user_id", "l1.demo"), ("password", "bad")]).send().await.unwrap();
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let (locked, attempts): (bool, i32) = sqlx::query_as(
        "SELECT locked_until > now(), failed_attempts FROM users WHERE user_id = 'l1.demo'",
    )
    .fetch_one(&pool).await.unwrap();
    assert!(locked, "eight parallel failures lock the account");
    // Five locked it; the three after it were refused as locked and not counted.
    assert_eq!(attempts, 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_page_needs_a_session_and_sign_in_returns_you_there(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool).await;
    let c = app.client();
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/sign-in");
    let r = c.get(app.url("/view-cos?family_name=Smith&page=2")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert_eq!(to, "/sign-in?next=/view-cos%3Ffamily_name%3DSmith%26page%3D2");
    // The sign-in form carries the destination, and sign-in goes there.
    let (_, html) = app.page(&c, &to).await;
    assert!(html.contains("value=\"/view-cos?family_name=Smith&amp;page=2\""), "{html}");
    let r = app.sign_in(&c, "l1.demo", "demo-password-1", "/view-cos?family_name=Smith&page=2").await;
    assert_eq!(location(&r), "/view-cos?family_name=Smith&page=2");
    // Never off the site.
    let c2 = app.client();
    let r = app.sign_in(&c2, "l1.demo", "demo-password-1", "//evil.example/x").await;
    assert_eq!(location(&r), "/");
    // A server function without a session is refused.
    let r = app.client().post(app.url("/api/anything")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // An unknown page, signed in, is a 404 that says so.
    let (status, html) = app.page(&c, "/no-such-page").await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"));
    // It is a page like any other: it knows who is signed in.
    assert!(html.contains("Alex Morgan"), "{html}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn sign_in_gives_a_new_session_and_sign_out_ends_it(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.client();
    // A session exists before sign-in (it carries the failure notice).
    let r = app.sign_in(&c, "l1.demo", "wrong", "/").await;
    let before = r.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let r = app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let after = r.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    assert_ne!(before, after, "sign-in issues a new session id");

    // The old id is worth nothing.
    let stale = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap();
    let r = stale.get(app.url("/")).header("cookie", &before).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let r = stale.get(app.url("/")).header("cookie", &after).send().await.unwrap();
    assert_eq!(r.status(), 200);

    let r = c.post(app.url("/sign-out")).send().await.unwrap();
    assert_eq!(location(&r), "/sign-in");
    let (_, html) = app.page(&c, "/sign-in").await;
    assert!(html.contains("You have signed out."));
    let r = stale.get(app.url("/")).header("cookie", &after).send().await.unwrap();
    assert_eq!(r.status(), 303, "the signed-out session is gone");
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action IN ('sign_in', 'sign_out')")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 2);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn cross_site_posts_are_refused_whatever_the_path(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    for path in ["/sign-in", "/sign-out", "/api/me", "/anything/else"] {
        let r = c.post(app.url(path)).header("origin", "https://evil.example").send().await.unwrap();
        assert_eq!(r.status(), 403, "{path} with a foreign Origin");
        let r = c.post(app.url(path)).header("sec-fetch-site", "cross-site").send().await.unwrap();
        assert_eq!(r.status(), 403, "{path} with Sec-Fetch-Site: cross-site");
    }
    // Still signed in: the refused sign-out did nothing.
    let (status, _) = app.page(&c, "/").await;
    assert_eq!(status, 200);
    // A same-origin post is let through.
    let r = c.post(app.url("/sign-out")).header("origin", app.base.clone()).header("sec-fetch-site", "same-origin")
        .send().await.unwrap();
    assert_eq!(r.status(), 303);
    // A cross-site sign-in attempt does not count as a failure.
    let attempts: i32 = sqlx::query_scalar("SELECT failed_attempts FROM users WHERE user_id = 'l1.demo'")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(attempts, 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_current_user_function_answers_the_browser(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool).await;
    let c = app.client();
    let r = c.post(app.url("/api/me")).header("content-type", "application/x-www-form-urlencoded").header("accept", "application/json").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "null");
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let r = c.post(app.url("/api/me")).header("content-type", "application/x-www-form-urlencoded").header("accept", "application/json").send().await.unwrap();
    let body = r.text().await.unwrap();
    assert!(body.contains("\"sponsor_name\":\"Acme Engineering Ltd\""), "{body}");
    assert!(!body.contains("password"), "no secret leaves the server");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn health_answers(pool: PgPool) {
    let app = spawn(pool).await;
    let r = app.client().get(app.url("/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

/// Activity keeps a session alive by re-saving it, but at most once a minute: the requests in
/// between do not write to the database.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_session_is_saved_for_activity_not_on_every_request(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let expiry = || async {
        sqlx::query_scalar::<_, time::OffsetDateTime>("SELECT max(expiry_date) FROM tower_sessions.session").fetch_one(&pool).await.unwrap()
    };
    let at_sign_in = expiry().await;
    // The first request after signing in records the activity (a save with a later expiry).
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("set-cookie").is_some(), "the cookie's expiry moves with the save");
    let touched = expiry().await;
    assert!(touched > at_sign_in);
    for path in ["/", "/view-cos", "/work-addresses"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.headers().get("set-cookie").is_none(), "{path}: no save, no new cookie");
    }
    assert_eq!(expiry().await, touched, "no write for the requests within the minute");
}

/// Pages are compressed as they are sent: brotli to a browser, gzip to a client that prefers
/// it, nothing to one that asks for no coding; each decodes to the whole page.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_are_compressed_for_the_client(pool: PgPool) {
    use std::io::Read;
    seed_demo(&pool).await;
    let app = spawn(pool).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let get = |encoding: &'static str| {
        let r = c.get(app.url("/view-cos/advanced")).header("accept-encoding", encoding);
        async move { r.send().await.unwrap() }
    };

    // Pages differ only by their nonce, which is always as long: each decodes to as many bytes.
    let plain = get("identity").await;
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.text().await.unwrap();
    assert!(plain.contains("<h1>Advanced search"), "{plain}");

    let r = get("gzip, deflate, br, zstd").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "br");
    assert!(r.headers().get_all("vary").iter().any(|v| v.to_str().unwrap().to_ascii_lowercase().contains("accept-encoding")));
    let mut html = String::new();
    brotli::Decompressor::new(r.bytes().await.unwrap().as_ref(), 4096).read_to_string(&mut html).unwrap();
    assert!(html.contains("<h1>Advanced search") && html.len() == plain.len(), "{html}");

    let r = get("gzip;q=1, br;q=0.5").await;
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let mut html = String::new();
    flate2::read::GzDecoder::new(r.bytes().await.unwrap().as_ref()).read_to_string(&mut html).unwrap();
    assert!(html.contains("<h1>Advanced search") && html.len() == plain.len(), "{html}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_hydrate_only_their_islands_and_send_no_page_data(pool: PgPool) {
    // Islands mode: the page is the server's HTML, its interactive parts are `leptos-island`
    // elements (with their props), and no page data is sent for hydrating the rest.
    seed_demo(&pool).await;
    let app = spawn(pool).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let page = |path: &'static str| {
        let r = c.get(app.url(path));
        async move { r.send().await.unwrap().text().await.unwrap() }
    };

    let results = page("/view-cos?nationality=kenya").await;
    assert!(results.contains("CoS match your search"), "{results}");
    for island in ["TransferDialogHost_", "ResultsChangedBanner_", "FormHelpers_"] {
        assert!(results.contains(&format!("<leptos-island data-component=\"{island}")), "{island}: {results}");
    }
    // The rows name their CoS for the live banner, and the triggers their target for the dialog.
    assert!(results.contains("<tr data-cos=\"C"), "{results}");
    assert!(results.contains("id=\"transfer-all-open\"") && results.contains("data-transfer="), "{results}");
    assert!(!results.contains("__RESOLVED_RESOURCES["), "page data sent for hydrating: {results}");

    // The Workers panel is an island holding its figures, given as its props.
    let workers = page("/").await;
    assert!(workers.contains("<leptos-island data-component=\"AttentionPanel_"), "{workers}");
    assert!(workers.contains("data-props=") && workers.contains("What needs attention"), "{workers}");
    assert!(!workers.contains("__RESOLVED_RESOURCES["), "{workers}");
}
