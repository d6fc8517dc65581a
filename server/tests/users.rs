//! Manage users and Change your password (domain.md "Users"): a Level 1 user creates a Level 2
//! user whose temporary password must be changed before anything else; deactivation ends a
//! user's sessions at once and never takes yourself or the last Level 1 user; a password
//! change ends every other session; Level 2 users and other sponsors find none of it.

mod common;

use common::{html_text, location, seed_demo, spawn, TestApp};
use sqlx::PgPool;

async fn post(app: &TestApp, c: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = c.post(app.url(path)).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    let to = location(&r);
    // A redirect says where to; a refusal says why.
    (status, if to.is_empty() || status >= 400 { r.text().await.unwrap() } else { to })
}

fn temporary_password(html: &str) -> String {
    let at = html.find("data-testid=\"temporary-password\">").expect("the password is shown") + 33;
    html[at..at + 16].to_string()
}

async fn change(app: &TestApp, c: &reqwest::Client, current: &str, new: &str, confirm: &str) -> String {
    let (_, to) = post(app, c, "/api/account/change_password", &[("current_password", current), ("new_password", new), ("confirm_password", confirm)]).await;
    assert_eq!(to, "/change-password");
    app.page(c, "/change-password").await.1
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_new_level2_user_must_change_the_temporary_password_first(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let l1 = app.signed_in("l1.demo", "demo-password-1").await;
    let (status, html) = app.page(&l1, "/manage-users").await;
    assert_eq!(status, 200);
    assert!(html.contains("l2.demo") && html.contains("Level 2 user") && html.contains("Create a Level 2 user"), "{html}");
    let (_, workers) = app.page(&l1, "/").await;
    assert!(workers.contains("href=\"/manage-users\""), "Workers offers Manage users to a Level 1 user");

    // Wrong details: each told by its field, what was typed kept, nothing made.
    let users = |pool: PgPool| async move { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM users").fetch_one(&pool).await.unwrap() };
    let before = users(pool.clone()).await;
    let (_, to) = post(&app, &l1, "/api/users/create", &[("full_name", "Jane Smith"), ("email", "jane@"), ("user_id", "Jane_Smith")]).await;
    assert_eq!(to, "/manage-users/new");
    let (_, html) = app.page(&l1, &to).await;
    assert!(html.contains("id=\"email-error\"") && html.contains("id=\"user_id-error\"") && !html.contains("id=\"full_name-error\""), "{html}");
    assert!(html.contains(&html_text("Enter an email address in the right form, like name@example.com")));
    assert!(html.contains("The user ID can only have letters, digits, dots (.) and hyphens (-)"));
    assert!(html.contains("value=\"Jane Smith\"") && html.contains("value=\"Jane_Smith\""), "typed values kept");
    let (_, to) = post(&app, &l1, "/api/users/create", &[("full_name", "Jane Smith"), ("email", "jane@acme.example"), ("user_id", "L2.demo")]).await;
    let (_, html) = app.page(&l1, &to).await;
    assert!(html.contains("This user ID is taken: choose another"), "unique across the system, whatever the case");
    assert_eq!(users(pool.clone()).await, before);

    // Created: the temporary password is shown once.
    let form = [("full_name", "Jane  Smith"), ("email", "jane@acme.example"), ("user_id", "jane.smith")];
    let (_, to) = post(&app, &l1, "/api/users/create", &form).await;
    assert_eq!(to, "/manage-users/created");
    let (_, html) = app.page(&l1, &to).await;
    assert!(html.contains("User created") && html.contains("will not be shown again"), "{html}");
    let temporary = temporary_password(&html);
    assert!(temporary.chars().all(|c| c.is_ascii_alphanumeric()), "{temporary}");
    // A second click of Create makes nothing more.
    let (_, to) = post(&app, &l1, "/api/users/create", &form).await;
    let (_, again) = app.page(&l1, &to).await;
    assert!(again.contains("Temporary password already shown") || again.contains("This user ID is taken"), "{again}");
    assert!(!again.contains(&temporary));
    assert_eq!(users(pool.clone()).await, before + 1);
    let (level, must, name, by): (i16, bool, String, String) = sqlx::query_as(
        "SELECT u.level, u.must_change_password, u.full_name, c.user_id FROM users u JOIN users c ON c.id = u.created_by WHERE u.user_id = 'jane.smith'",
    )
    .fetch_one(&pool).await.unwrap();
    assert_eq!((level, must, name.as_str(), by.as_str()), (2, true, "Jane Smith", "l1.demo"));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.entity_id JOIN users b ON b.id = a.actor_user_id
         WHERE a.action = 'user_created' AND u.user_id = 'jane.smith' AND b.user_id = 'l1.demo'",
    )
    .fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1, "the audit names who did it to whom");

    // Jane signs in: the change of password comes first, whatever URL she types.
    let jane = app.client();
    let r = app.sign_in(&jane, "jane.smith", &temporary, "/view-cos").await;
    assert_eq!(location(&r), "/change-password");
    for page in ["/", "/view-cos", "/view-cos/advanced?status=used", "/manage-users"] {
        let r = jane.get(app.url(page)).send().await.unwrap();
        assert_eq!((r.status().as_u16(), location(&r)), (303, "/change-password".to_string()), "{page}");
    }
    let r = jane.post(app.url("/api/workers/attention")).header("accept", "application/json").send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = jane.get(app.url("/view-cos/advanced/export.csv")).send().await.unwrap();
    assert_ne!(r.status(), 200, "no export either");
    let (status, html) = app.page(&jane, "/change-password").await;
    assert_eq!(status, 200);
    assert!(html.contains("You signed in with a temporary password") && html.contains("Temporary password"), "{html}");

    // Each rule its own message; the passwords are never typed back.
    let html = change(&app, &jane, &temporary, "password1234", "password1234").await;
    assert!(html.contains("This password is too common or too easy to guess"), "{html}");
    assert!(!html.contains("password1234"));
    let html = change(&app, &jane, &temporary, "short", "short").await;
    assert!(html.contains("Your new password must be at least 12 characters"));
    let html = change(&app, &jane, &temporary, "hello-jane.smith-42", "hello-jane.smith-42").await;
    assert!(html.contains("Your new password must not contain your user ID"));
    let html = change(&app, &jane, &temporary, "river-copper-lantern", "river-copper-lanterns").await;
    assert!(html.contains("The passwords do not match"));
    let html = change(&app, &jane, "not-the-password", "river-copper-lantern", "river-copper-lantern").await;
    assert!(html.contains("Your current password is incorrect"));
    let html = change(&app, &jane, &temporary, "river-copper-lantern", "river-copper-lantern").await;
    assert!(html.contains("Your password has been changed"), "{html}");
    let (status, html) = app.page(&jane, "/").await;
    assert_eq!(status, 200, "now she can work");
    assert!(html.contains("Jane Smith") && !html.contains("href=\"/manage-users\""), "a Level 2 user is not offered Manage users");
    let (must,): (bool,) = sqlx::query_as("SELECT must_change_password FROM users WHERE user_id = 'jane.smith'").fetch_one(&pool).await.unwrap();
    assert!(!must);
    // The temporary password is gone; the new one signs in.
    let r = app.sign_in(&app.client(), "jane.smith", &temporary, "/").await;
    assert_eq!(location(&r), "/sign-in");
    app.signed_in("jane.smith", "river-copper-lantern").await;
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_password_change_ends_every_other_session(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let here = app.signed_in("l2.demo", "demo-password-2").await;
    let elsewhere = app.signed_in("l2.demo", "demo-password-2").await;
    let html = change(&app, &here, "demo-password-2", "demo-password-2", "demo-password-2").await;
    assert!(html.contains("at least 12 characters") || html.contains("must be different"), "{html}");
    let html = change(&app, &here, "demo-password-2", "amber-falcon-meadow", "amber-falcon-meadow").await;
    assert!(html.contains("Your password has been changed"));
    // This session carries on; the other has ended.
    assert_eq!(app.page(&here, "/").await.0, 200);
    let r = elsewhere.post(app.url("/api/workers/attention")).header("accept", "application/json").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = elsewhere.get(app.url("/view-cos")).send().await.unwrap();
    assert!(location(&r).starts_with("/sign-in"), "its next page asks to sign in");
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.actor_user_id WHERE a.action = 'password_changed' AND u.user_id = 'l2.demo'")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn deactivation_ends_sessions_keeps_cos_and_never_takes_yourself_or_the_last_level1(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l1_id, l2_id, l2_name): (i64, i64, i64, String) = sqlx::query_as(
        "SELECT a.sponsor_id, a.id, b.id, b.full_name FROM users a JOIN users b ON b.sponsor_id = a.sponsor_id WHERE a.user_id = 'l1.demo' AND b.user_id = 'l2.demo'",
    )
    .fetch_one(&pool).await.unwrap();
    let owned = |pool: PgPool, id: i64| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM cos_owners WHERE owner_id = $1").bind(id).fetch_one(&pool).await.unwrap()
    };
    let theirs = owned(pool.clone(), l2_id).await;
    assert!(theirs > 0);
    let app = spawn(pool.clone()).await;
    let l1 = app.signed_in("l1.demo", "demo-password-1").await;
    let l2 = app.signed_in("l2.demo", "demo-password-2").await;

    // Yourself: not offered, and a forged post is refused with the same words.
    let (_, html) = app.page(&l1, "/manage-users/user/l1.demo").await;
    assert!(html.contains("You cannot deactivate yourself") && !html.contains("/manage-users/user/l1.demo/deactivate"), "{html}");
    let (status, body) = post(&app, &l1, "/api/users/deactivate", &[("user_id", "l1.demo")]).await;
    assert_eq!(status, 403);
    assert!(body.contains("You cannot deactivate yourself"), "{body}");

    // The confirmation, then Deactivate: the user's session ends at once.
    let (status, html) = app.page(&l1, "/manage-users/user/l2.demo/deactivate").await;
    assert_eq!(status, 200);
    assert!(html.contains("Yes, deactivate") && html.contains(&format!("The {theirs} CoS they own stay theirs")), "{html}");
    let (_, to) = post(&app, &l1, "/api/users/deactivate", &[("user_id", "l2.demo")]).await;
    assert_eq!(to, "/manage-users/user/l2.demo?done=deactivated");
    let r = l2.post(app.url("/api/workers/attention")).header("accept", "application/json").send().await.unwrap();
    assert_eq!(r.status(), 401, "the session ended");
    let r = l2.get(app.url("/view-cos")).send().await.unwrap();
    assert!(location(&r).starts_with("/sign-in"));
    let r = app.sign_in(&app.client(), "l2.demo", "demo-password-2", "/").await;
    assert_eq!(location(&r), "/sign-in", "cannot sign in");
    // Sent twice: nothing more happens, and the audit has it once.
    post(&app, &l1, "/api/users/deactivate", &[("user_id", "l2.demo")]).await;
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'user_deactivated' AND entity_id = $1 AND actor_user_id = $2")
        .bind(l2_id).bind(l1_id).fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1);

    // Their CoS stay theirs; they are no one to transfer to any more.
    assert_eq!(owned(pool.clone(), l2_id).await, theirs);
    let cos: String = sqlx::query_scalar("SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE o.owner_id = $1 AND c.status = 'ASSIGNED' LIMIT 1")
        .bind(l1_id).fetch_one(&pool).await.unwrap();
    let (_, html) = app.page(&l1, &format!("/view-cos/{cos}/transfer")).await;
    assert!(!html.contains(&html_text(&l2_name)), "not in the transfer-to list");

    // "Transfer all their CoS": the existing bulk transfer, all of them at once.
    let (_, html) = app.page(&l1, "/manage-users/user/l2.demo").await;
    let link = format!("/view-cos/transfer-many?all=1&amp;owner={l2_id}&amp;back=");
    assert!(html.contains("Transfer all their CoS") && html.contains(&link), "{html}");
    let (_, html) = app.page(&l1, &format!("/view-cos/transfer-many?all=1&owner={l2_id}")).await;
    let state = {
        let at = html.find("name=\"state\" value=\"").unwrap() + 20;
        html[at..at + html[at..].find('"').unwrap()].to_string()
    };
    let (_, to) = post(&app, &l1, "/api/cos/transfer_many", &[("selection", &format!("all=1&owner={l2_id}")), ("to_user", &l1_id.to_string()), ("state", &state), ("back", "")]).await;
    assert!(to.contains("transferred-many"), "{to}");
    assert_eq!(owned(pool.clone(), l2_id).await, 0);

    // Reactivate: a new temporary password, to be changed at first sign-in.
    let (_, to) = post(&app, &l1, "/api/users/reactivate", &[("user_id", "l2.demo")]).await;
    assert_eq!(to, "/manage-users/created");
    let (_, html) = app.page(&l1, &to).await;
    assert!(html.contains("User reactivated"));
    let temporary = temporary_password(&html);
    let r = app.sign_in(&app.client(), "l2.demo", "demo-password-2", "/").await;
    assert_eq!(location(&r), "/sign-in", "the old password is gone");
    let c = app.client();
    let r = app.sign_in(&c, "l2.demo", &temporary, "/").await;
    assert_eq!(location(&r), "/change-password");
    let _ = acme;
}

/// Two Level 1 users deactivating each other at the same moment: one wins, and the sponsor
/// always keeps an active Level 1 user.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_last_level1_user_stays_whoever_clicks_first(pool: PgPool) {
    seed_demo(&pool).await;
    let acme: i64 = sqlx::query_scalar("SELECT sponsor_id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();
    // Acme's Level 1 users: l1.demo and one other; the rest made Level 2 for this test.
    let other: String = sqlx::query_scalar("SELECT user_id FROM users WHERE sponsor_id = $1 AND level = 1 AND user_id <> 'l1.demo' ORDER BY id LIMIT 1")
        .bind(acme).fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE users SET level = 2 WHERE sponsor_id = $1 AND level = 1 AND user_id NOT IN ('l1.demo', $2)").bind(acme).bind(&other).execute(&pool).await.unwrap();
    sqlx::query("UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE user_id = 'l1.demo') WHERE user_id = $1").bind(&other).execute(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    for round in 0..5 {
        sqlx::query("UPDATE users SET active = true WHERE user_id IN ('l1.demo', $1)").bind(&other).execute(&pool).await.unwrap();
        let a = app.signed_in("l1.demo", "demo-password-1").await;
        let b = app.signed_in(&other, "demo-password-1").await;
        let (fa, fb) = ([("user_id", other.as_str())], [("user_id", "l1.demo")]);
        let (ra, rb) = tokio::join!(post(&app, &a, "/api/users/deactivate", &fa), post(&app, &b, "/api/users/deactivate", &fb));
        let active: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE sponsor_id = $1 AND level = 1 AND active").bind(acme).fetch_one(&pool).await.unwrap();
        assert_eq!(active, 1, "round {round}: {ra:?} {rb:?}");
        assert!([ra.0, rb.0].iter().all(|s| *s < 500), "round {round}: {ra:?} {rb:?}");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn level2_users_and_other_sponsors_find_nothing(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let l2 = app.signed_in("l2.demo", "demo-password-2").await;
    let (_, workers) = app.page(&l2, "/").await;
    assert!(!workers.contains("href=\"/manage-users\""));
    for page in ["/manage-users", "/manage-users/new", "/manage-users/created", "/manage-users/user/l1.demo", "/manage-users/user/l1.demo/deactivate"] {
        assert_eq!(app.page(&l2, page).await.0, 404, "{page}");
    }
    let count = |pool: PgPool| async move { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM users WHERE active").fetch_one(&pool).await.unwrap() };
    let before = count(pool.clone()).await;
    for (path, form) in [
        ("/api/users/list", vec![]),
        ("/api/users/create", vec![("full_name", "Forged"), ("email", "f@example.com"), ("user_id", "forged")]),
        ("/api/users/deactivate", vec![("user_id", "l1.demo")]),
        ("/api/users/reactivate", vec![("user_id", "l1.demo")]),
    ] {
        assert_eq!(post(&app, &l2, path, &form).await.0, 404, "{path}");
    }
    let other = app.signed_in("other.l1", "demo-password-3").await;
    assert_eq!(app.page(&other, "/manage-users/user/l2.demo").await.0, 404);
    assert_eq!(post(&app, &other, "/api/users/deactivate", &[("user_id", "l2.demo")]).await.0, 404);
    let (_, html) = app.page(&other, "/manage-users").await;
    assert!(!html.contains("l2.demo"), "another sponsor's users are not listed");
    assert_eq!(count(pool.clone()).await, before);
}
