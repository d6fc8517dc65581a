//! The holes a hostile user tried (issue 15), each closed: open redirects, sign-in floods,
//! huge bodies, input that used to panic, wildcards through folding, bad cursors, headers,
//! sessions that outlive sign-out, and printing that flooded the audit log.

mod common;

use common::{location, seed_demo, spawn, spawn_with_settings};
use server::startup::Settings;
use sqlx::PgPool;

async fn acme_cos(pool: &PgPool) -> (i64, String) {
    sqlx::query_as("SELECT c.sponsor_id, c.cos_number FROM cos c JOIN users u ON u.sponsor_id = c.sponsor_id WHERE u.user_id = 'l1.demo' ORDER BY c.id LIMIT 1")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn sign_in_never_sends_you_off_the_site(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool).await;
    for next in ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example", "/\r\n/evil.example",
        " //evil.example", "https://evil.example", "/\u{3000}/evil.example"] {
        let c = app.client();
        let r = app.sign_in(&c, "l1.demo", "demo-password-1", next).await;
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(location(&r), "/", "{next:?}");
        // Nor does a failed attempt carry it back to the form.
        let r = app.sign_in(&app.client(), "l1.demo", "wrong", next).await;
        assert_eq!(location(&r), "/sign-in", "{next:?}");
    }
    let c = app.client();
    let r = app.sign_in(&c, "l1.demo", "demo-password-1", "/view-cos?family_name=Smith").await;
    assert_eq!(location(&r), "/view-cos?family_name=Smith");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn sign_in_is_throttled_by_user_id_and_by_address(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    // One user ID, many tries: one over the minute's allowance is refused before any check.
    let mut statuses = Vec::new();
    for _ in 0..server::throttle::PER_USER_PER_MINUTE {
        let r = app.sign_in(&app.client(), "No.Such.User", "guess", "/").await;
        statuses.push(r.status().as_u16());
    }
    let allowed = server::throttle::PER_USER_PER_MINUTE as usize;
    assert!(statuses[..allowed].iter().all(|s| *s == 303), "{statuses:?}");
    let r = app.sign_in(&app.client(), "no.such.user", "guess", "/").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers().get("retry-after").unwrap(), "60");
    let body = r.text().await.unwrap();
    assert!(body.contains("Too many attempts to sign in"), "{body}");
    // The right password for another user from the same address still works.
    let r = app.sign_in(&app.client(), "l1.demo", "demo-password-1", "/").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/");
    // Many user IDs from one address: refused once the address has had its 60 (the tries
    // above count, less what a minute's allowance gave back while they ran).
    let mut refused = 0;
    for n in 0..60 {
        let r = app.sign_in(&app.client(), &format!("guess{n}"), "guess", "/").await;
        refused += (r.status() == 429) as u32;
    }
    assert!(refused >= 10, "{refused} refused of 60 after {} tries", statuses.len() + 2);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_unknown_user_id_locks_like_a_real_one_and_is_audited_once(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let mut seen = Vec::new();
    for user in ["l2.demo", "nobody.at.all"] {
        let c = app.client();
        for _ in 0..6 {
            app.sign_in(&c, user, "wrong", "/").await;
        }
        let (_, html) = app.page(&c, "/sign-in").await;
        let main = html.split("<main").nth(1).unwrap().split("</main>").next().unwrap().replace(user, "USER");
        seen.push(main);
    }
    assert!(seen[0].contains("locked for 20 minutes"), "{}", seen[0]);
    assert_eq!(seen[0], seen[1], "the locked message does not tell which user IDs exist");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor_kind = 'ANONYMOUS' AND action = 'sign_in_failed'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1, "six failures under an unknown ID, one audit event");
    let (failed, locked): (i32, bool) =
        sqlx::query_as("SELECT failed_attempts, locked_until > now() FROM sign_in_failures WHERE user_id = 'nobody.at.all'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((failed, locked), (0, true), "locked at five; the sixth refused as locked, uncounted");
    // Old rows are forgotten a day after the last failure, once any lock has passed.
    sqlx::query("UPDATE sign_in_failures SET last_failed_at = now() - interval '2 days', locked_until = now() - interval '1 day'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(app::db::users::forget_old_unknown_failures(&pool).await.unwrap(), 1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_huge_body_is_refused_before_it_is_read(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (_, number) = acme_cos(&pool).await;
    let selection = vec![format!("cos={number}"); 10_000].join("&");
    let r = c
        .post(app.url("/api/cos/transfer_many"))
        .form(&[("selection", selection.as_str()), ("to_user", "1"), ("state", "x"), ("back", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let r = c.post(app.url("/sign-in")).form(&[("user_id", "l1.demo"), ("password", &"x".repeat(100_000))]).send().await.unwrap();
    assert_eq!(r.status(), 413);
    // Over the cap of ticked CoS but under the body limit: a message, not a long parse.
    let selection = vec![format!("cos={number}"); 501].join("&");
    let r = c
        .post(app.url("/api/cos/transfer_many_form"))
        .header("accept", "application/json")
        .form(&[("selection", selection.as_str())])
        .send()
        .await
        .unwrap();
    let body = r.text().await.unwrap();
    assert!(body.contains("no more than 500"), "{body}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn input_that_used_to_panic_gets_an_answer(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (_, number) = acme_cos(&pool).await;
    // A line break in a selection went raw into the Location header.
    let r = c
        .post(app.url("/api/cos/transfer_many"))
        .form(&[("selection", format!("cos={number}&x=a\nb").as_str()), ("to_user", "nobody"), ("state", "x"), ("back", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302, "{:?}", r.text().await);
    let to = location(&r);
    assert!(to.starts_with("/view-cos/transfer-many?") && to.contains("%0A") && to.ends_with("problem=choose"), "{to}");
    // And in Radio and Next's Back.
    let r = c.get(app.url("/view-cos/advanced/open?back=%2Fview-cos%2Fadvanced%3F%0Aevil")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/view-cos/advanced?%0Aevil");
    // A postcode sliced by byte position.
    for postcode in ["A€A", "€€€€€", "M€1 3HE"] {
        let r = c
            .post(app.url("/api/work_addresses/save"))
            .header("accept", "application/json")
            .form(&[("id", ""), ("version", ""), ("identifier", "Trap"), ("line1", "1 Road"), ("line2", ""), ("line3", ""),
                ("town", "Leeds"), ("county", ""), ("postcode", postcode)])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success() || r.status().is_redirection() || r.status().is_client_error(), "{postcode}: {}", r.status());
    }
    let saved: i64 = sqlx::query_scalar("SELECT count(*) FROM work_addresses WHERE identifier = 'Trap'").fetch_one(&pool).await.unwrap();
    assert_eq!(saved, 0);
    // A NUL in a search filter, in the export and in a page.
    let r = c.get(app.url("/view-cos/advanced/export.csv?family_name=a%00b")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let (status, html) = app.page(&c, "/view-cos/advanced?family_name=a%00b").await;
    assert!(status < 500 && html.contains("hidden characters"), "{status}");
    let (status, _) = app.page(&c, "/view-cos?family_name=a%00b").await;
    assert!(status < 500, "{status}");
    let (status, _) = app.page(&c, "/view-cos/batches?reference=a%00b").await;
    assert!(status < 500, "{status}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn wildcards_in_a_name_match_only_themselves(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    // Fullwidth percent, underscore and backslash fold to % _ \: still matched literally.
    for name in ["%EF%BC%85", "%EF%BC%BF", "%EF%BC%BC", "%25", "_", "S%EF%BC%85"] {
        let (status, html) = app.page(&c, &format!("/view-cos/advanced?family_name={name}")).await;
        assert_eq!(status, 200, "{name}");
        assert!(html.contains("No CoS match your search"), "{name} matched something");
    }
    // A folded prefix still matches: Lévesque is found as "LEV".
    let (acme, _) = acme_cos(&pool).await;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM cos WHERE sponsor_id = $1 AND sms_fold(family_name) LIKE 'lev%'")
        .bind(acme).fetch_one(&pool).await.unwrap();
    let (_, html) = app.page(&c, "/view-cos/advanced?family_name=L%C3%89V").await;
    match n {
        0 => assert!(html.contains("No CoS match your search")),
        1 => {}
        n => assert!(html.contains(&format!("{n} CoS match")) || html.contains(&n.to_string()), "{n}"),
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_bad_cursor_is_a_message_not_a_failure(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    for q in ["after=1~abc", "before=5~2026-13-45T99:00:00.000000Z", "sort=cos_number&after=1~%00", "sort=name&before=1~a%00"] {
        let (status, html) = app.page(&c, &format!("/view-cos/advanced?{q}")).await;
        assert!(status < 500, "{q}: {status}");
        assert!(html.contains("That page of results does not exist"), "{q}");
        let r = c.get(app.url(&format!("/view-cos/advanced/export.csv?{q}"))).send().await.unwrap();
        assert!(r.status().as_u16() < 500, "{q}: export {}", r.status());
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_response_carries_the_security_headers(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let r = c.get(app.url("/view-cos")).send().await.unwrap();
    let h = r.headers().clone();
    let html = r.text().await.unwrap();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'") && !csp.contains("unsafe-inline"), "{csp}");
    // The inline hydration script carries the nonce the policy names.
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
    assert_eq!(h.get("cache-control").unwrap(), "no-store");
    assert!(h.get("strict-transport-security").is_none(), "plain HTTP: no HSTS");
    // Each page its own nonce.
    let r = c.get(app.url("/view-cos")).send().await.unwrap();
    assert_ne!(r.headers().get("content-security-policy").unwrap().to_str().unwrap(), csp);
    // Server functions, the export and the PDF are never cached either.
    let r = c.post(app.url("/api/me")).header("content-type", "application/x-www-form-urlencoded").header("accept", "application/json").send().await.unwrap();
    assert_eq!(r.headers().get("cache-control").unwrap(), "no-store");
    let r = c.get(app.url("/view-cos/advanced/export.csv")).send().await.unwrap();
    assert!(r.headers().get("cache-control").unwrap().to_str().unwrap().contains("no-store"));
    let (_, number) = acme_cos(&pool).await;
    let r = c.get(app.url(&format!("/view-cos/{number}/print"))).send().await.unwrap();
    assert!(r.headers().get("cache-control").unwrap().to_str().unwrap().contains("no-store"));
    assert_eq!(r.headers().get("x-content-type-options").unwrap(), "nosniff");

    // Over HTTPS: HSTS, and the cookie bound to this host.
    let secure = spawn_with_settings(pool, Settings {
        secure_cookies: true,
        public_origin: Some("https://sms.example".into()),
        idle_minutes: 30,
        absolute_seconds: 3600,
    })
    .await;
    let r = secure.sign_in(&secure.client(), "l1.demo", "demo-password-1", "/").await;
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-sms_session=") && cookie.contains("Secure") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.to_lowercase().contains("domain="), "{cookie}");
    assert!(r.headers().get("strict-transport-security").unwrap().to_str().unwrap().starts_with("max-age="));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_signed_out_session_stays_signed_out(pool: PgPool) {
    use tower_sessions::session::{Id, Record};
    use tower_sessions::session_store::SessionStore;
    let store = server::startup::session_store(&pool).await.unwrap();
    let store = server::sessions::EndedStaysEnded::new(store, std::time::Duration::from_secs(60));
    let mut record = Record {
        id: Id::default(),
        data: [("user".to_string(), serde_json::json!({ "id": 1, "sponsor_id": 1 }))].into_iter().collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(30),
    };
    store.create(&mut record).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_some());
    // Sign-out deletes it; a request that was in flight then saves its copy.
    store.delete(&record.id).await.unwrap();
    store.save(&record).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none(), "not brought back");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session").fetch_one(&pool).await.unwrap();
    assert_eq!(rows, 0, "nor written to the database");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_session_ends_at_its_absolute_lifetime_however_busy(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn_with_settings(pool, Settings { secure_cookies: false, public_origin: None, idle_minutes: 30, absolute_seconds: 2 })
        .await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (status, _) = app.page(&c, "/").await;
    assert_eq!(status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, _) = app.page(&c, "/").await;
    assert_eq!(status, 303, "signed out after its lifetime");
    let r = c.post(app.url("/api/me")).header("content-type", "application/x-www-form-urlencoded").header("accept", "application/json").send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "null");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn printing_again_and_again_is_audited_once_a_minute(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (_, number) = acme_cos(&pool).await;
    let prints: Vec<_> = (0..6)
        .map(|_| {
            let (c, url) = (c.clone(), app.url(&format!("/view-cos/{number}/print")));
            tokio::spawn(async move { c.get(url).send().await.unwrap().status().as_u16() })
        })
        .collect();
    for p in prints {
        assert_eq!(p.await.unwrap(), 200);
    }
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'print_cos'").fetch_one(&pool).await.unwrap();
    assert!((1..=2).contains(&audited), "{audited} events for six prints (two if a minute turned)");
    // Another user printing it is their own event.
    let other = app.signed_in("l2.demo", "demo-password-2").await;
    let own: String = sqlx::query_scalar("SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id JOIN users u ON u.id = o.owner_id WHERE u.user_id = 'l2.demo' LIMIT 1")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(other.get(app.url(&format!("/view-cos/{own}/print"))).send().await.unwrap().status(), 200);
    let by_l2: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.actor_user_id WHERE a.action = 'print_cos' AND u.user_id = 'l2.demo'")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(by_l2, 1);
}

/// The transfer-many check value tells apart two states whose version sums agree.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_selection_check_value_cannot_collide(pool: PgPool) {
    seed_demo(&pool).await;
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT c.sponsor_id, c.id, c.cos_number FROM cos c JOIN users u ON u.sponsor_id = c.sponsor_id WHERE u.user_id = 'l1.demo' ORDER BY c.id LIMIT 2",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let sponsor = rows[0].0;
    let sel = app::domain::selection::Selection::from_query(&format!("cos={}&cos={}", rows[0].2, rows[1].2)).unwrap();
    let state = || async {
        let mut conn = pool.acquire().await.unwrap();
        app::db::cos::selection_state(&mut conn, sponsor, None, &sel, false).await.unwrap()
    };
    let before = state().await;
    // One ownership moves on a version, the other back one: the sum is unchanged.
    sqlx::query("UPDATE cos_owners SET version = version + 1 WHERE cos_id = $1").bind(rows[0].1).execute(&pool).await.unwrap();
    sqlx::query("UPDATE cos_owners SET version = version - 1 WHERE cos_id = $1").bind(rows[1].1).execute(&pool).await.unwrap();
    let after = state().await;
    assert_eq!(before.0, after.0);
    assert_ne!(before.1, after.1, "a changed selection is noticed");
}
