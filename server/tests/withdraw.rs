//! Manage live CoS → withdraw: only an ASSIGNED CoS, with its history row and audit event in
//! one transaction; the words for every other status; twice or at once lands once; reach.

mod common;

use common::{html_text, location, seed_demo, spawn, TestApp};
use sqlx::PgPool;

const SEARCH: &str = "/sponsorship-duties/manage-live-cos";
const ACME: &str = "Acme Engineering Ltd";

#[derive(Debug, PartialEq, Eq, sqlx::FromRow)]
struct State {
    status: String,
    version: i32,
    history: i64,
    audited: i64,
}

async fn state(pool: &PgPool, number: &str) -> State {
    sqlx::query_as(
        "SELECT c.status, c.version,
                (SELECT count(*) FROM cos_status_history h WHERE h.sponsor_id = c.sponsor_id AND h.cos_id = c.id) AS history,
                (SELECT count(*) FROM audit_log a WHERE a.action = 'cos_withdrawn' AND a.entity_id = c.id) AS audited
         FROM cos c WHERE c.cos_number = $1",
    )
    .bind(number)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A CoS of Acme in `status`, owned by `owner` (a user id login) when given.
async fn a_cos(pool: &PgPool, status: &str, owner: Option<&str>) -> String {
    sqlx::query_scalar(
        "SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id JOIN sponsors s ON s.id = c.sponsor_id JOIN users u ON u.id = o.owner_id
         WHERE s.name = $1 AND c.status = $2 AND ($3::text IS NULL OR u.user_id = $3) ORDER BY c.id LIMIT 1",
    )
    .bind(ACME)
    .bind(status)
    .bind(owner)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn post_withdraw(app: &TestApp, c: &reqwest::Client, number: &str, q: &str) -> reqwest::Response {
    c.post(app.url("/api/cos/withdraw"))
        .header("origin", app.base.clone())
        .form(&[("cos_number", number), ("q", q)])
        .send()
        .await
        .unwrap()
}



#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_assigned_cos_is_withdrawn_with_its_history_and_audit(pool: PgPool) {
    seed_demo(&pool).await;
    let number = a_cos(&pool, "ASSIGNED", None).await;
    let before = state(&pool, &number).await;
    let (allocation, assigned_this_year): (i32, i64) = sqlx::query_as(
        "SELECT s.allocation, (SELECT count(*) FROM cos c WHERE c.sponsor_id = s.id AND c.date_assigned >= date_trunc('year', now())::date)
         FROM sponsors s WHERE s.name = $1",
    )
    .bind(ACME).fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;

    // Workers → Sponsorship duties → Manage live CoS.
    let (_, html) = app.page(&c, "/").await;
    assert!(html.contains("href=\"/sponsorship-duties\""));
    let (code, html) = app.page(&c, "/sponsorship-duties").await;
    assert_eq!(code, 200);
    assert!(html.contains(&format!("href=\"{SEARCH}\"")) && html.contains("Manage live CoS"));

    // Search for a CoS: one match opens its Manage live CoS screen.
    let r = c.get(app.url(&format!("{SEARCH}?cos_number={number}"))).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert!(location(&r).starts_with(&format!("{SEARCH}/{number}?q=")), "{}", location(&r));

    let (code, html) = app.page(&c, &format!("{SEARCH}/{number}?q=cos_number%3D{number}")).await;
    assert_eq!(code, 200);
    assert!(html.contains("<h1>Manage live CoS</h1>"));
    assert!(html.contains(&format!("href=\"{SEARCH}/{number}/withdraw?q=cos_number%3D{number}\"")), "Withdraw CoS");
    assert!(html.contains(&format!("href=\"{SEARCH}?cos_number={number}\"")), "Back to the results");

    let (code, html) = app.page(&c, &format!("{SEARCH}/{number}/withdraw")).await;
    assert_eq!(code, 200);
    assert!(html.contains("<h1>Withdrawal confirmation</h1>"));
    for words in app::domain::withdrawal::CONSEQUENCES {
        assert!(html.contains(words), "{words}");
    }
    assert!(html.contains("action=\"/api/cos/withdraw\""));
    assert!(html.contains(&format!("href=\"{SEARCH}/{number}\"")), "Cancel");
    assert_eq!(state(&pool, &number).await, before, "looking changes nothing");

    let r = post_withdraw(&app, &c, &number, "").await;
    assert_eq!(r.status(), 302);
    assert_eq!(location(&r), format!("{SEARCH}?withdrawn={number}"));
    let after = state(&pool, &number).await;
    assert_eq!(after, State { status: "WITHDRAWN".into(), version: before.version + 1, history: before.history + 1, audited: 1 });
    let (from, actor, by, today): (String, String, String, bool) = sqlx::query_as(
        "SELECT h.from_status, h.actor_kind, u.user_id, h.changed_at = c.status_date AND (c.status_date AT TIME ZONE 'Europe/London')::date = (now() AT TIME ZONE 'Europe/London')::date
         FROM cos_status_history h JOIN cos c ON c.id = h.cos_id JOIN users u ON u.id = h.actor_user_id
         WHERE c.cos_number = $1 ORDER BY h.id DESC LIMIT 1",
    )
    .bind(&number).fetch_one(&pool).await.unwrap();
    assert_eq!((from.as_str(), actor.as_str(), by.as_str(), today), ("ASSIGNED", "USER", "l1.demo", true));
    let (allocation_after, assigned_after): (i32, i64) = sqlx::query_as(
        "SELECT s.allocation, (SELECT count(*) FROM cos c WHERE c.sponsor_id = s.id AND c.date_assigned >= date_trunc('year', now())::date)
         FROM sponsors s WHERE s.name = $1",
    )
    .bind(ACME).fetch_one(&pool).await.unwrap();
    assert_eq!((allocation_after, assigned_after), (allocation, assigned_this_year), "not returned to the allocation");

    // Back at Search for a CoS, which names the CoS withdrawn.
    let (code, html) = app.page(&c, &location(&r)).await;
    assert_eq!(code, 200);
    assert!(html.contains("<h1>Search for a CoS</h1>"));
    assert!(html.contains(&format!("CoS {number} has been withdrawn.")));

    // View CoS and the advanced search show it WITHDRAWN today.
    let today: time::Date = sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/London')::date").fetch_one(&pool).await.unwrap();
    let today = app::domain::dates::uk_date(today);
    let (_, html) = app.page(&c, &format!("/view-cos/{number}")).await;
    assert!(html.contains("WITHDRAWN"));
    assert!(html.contains(&today), "status date {today}");
    let (_, html) = app.page(&c, &format!("/view-cos/advanced?cos_number={number}&status=withdrawn")).await;
    assert!(html.contains(&format!(">{number}</a>")) && html.contains(&today), "advanced search lists it");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn no_other_status_can_be_withdrawn_and_a_forged_request_is_refused_with_the_same_words(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    for status in ["WORK IN PROGRESS", "READY TO GO", "USED", "EXPIRED", "WITHDRAWN", "CANCELLED"] {
        let number = a_cos(&pool, status, None).await;
        let before = state(&pool, &number).await;
        let why = app::domain::withdrawal::refusal(app::domain::Status::parse(status).unwrap()).unwrap();

        let (code, html) = app.page(&c, &format!("{SEARCH}/{number}")).await;
        assert_eq!(code, 200);
        assert!(html.contains(&html_text(why)), "{status}: says why");
        assert!(!html.contains("/withdraw"), "{status}: no Withdraw CoS");
        let (_, html) = app.page(&c, &format!("{SEARCH}/{number}/withdraw")).await;
        assert!(html.contains(&html_text(why)) && !html.contains("/api/cos/withdraw"), "{status}: no confirmation form");

        let r = post_withdraw(&app, &c, &number, "family_name=x").await;
        assert_eq!(r.status(), 302, "{status}");
        assert_eq!(location(&r), format!("{SEARCH}/{number}?q=family_name%3Dx&problem=status"));
        let (_, html) = app.page(&c, &location(&r)).await;
        assert!(html.contains("There is a problem") && html.contains(&html_text(why)), "{status}: refused with the same words");
        assert_eq!(state(&pool, &number).await, before, "{status}: nothing changed");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn submitted_twice_it_is_withdrawn_once_and_the_second_is_told(pool: PgPool) {
    seed_demo(&pool).await;
    let number = a_cos(&pool, "ASSIGNED", None).await;
    let before = state(&pool, &number).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let first = post_withdraw(&app, &c, &number, "").await;
    assert_eq!(location(&first), format!("{SEARCH}?withdrawn={number}"));
    let second = post_withdraw(&app, &c, &number, "").await;
    assert_eq!(location(&second), format!("{SEARCH}/{number}?problem=status"));
    let (_, html) = app.page(&c, &location(&second)).await;
    assert!(html.contains("it has already been withdrawn"));
    let after = state(&pool, &number).await;
    assert_eq!((after.history, after.audited, after.version), (before.history + 1, 1, before.version + 1));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn two_people_at_once_make_one_withdrawal(pool: PgPool) {
    seed_demo(&pool).await;
    // Owned by the Level 2 user, so both they and a Level 1 user may withdraw it.
    let number = a_cos(&pool, "ASSIGNED", Some("l2.demo")).await;
    let before = state(&pool, &number).await;
    let app = spawn(pool.clone()).await;
    let people = [
        app.signed_in("l1.demo", "demo-password-1").await,
        app.signed_in("l2.demo", "demo-password-2").await,
        app.signed_in("user3.s1", server::seed::GENERATED_USER_PASSWORD).await,
    ];
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let (c, url, base, number) = (people[i % 3].clone(), app.url("/api/cos/withdraw"), app.base.clone(), number.clone());
            tokio::spawn(async move {
                let r = c.post(url).header("origin", base).form(&[("cos_number", number.as_str()), ("q", "")]).send().await.unwrap();
                r.headers().get("location").unwrap().to_str().unwrap().to_string()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    let won = outcomes.iter().filter(|l| l.contains("withdrawn=")).count();
    let told = outcomes.iter().filter(|l| l.ends_with("problem=status")).count();
    assert_eq!((won, told), (1, 11), "{outcomes:?}");
    let after = state(&pool, &number).await;
    assert_eq!(after, State { status: "WITHDRAWN".into(), version: before.version + 1, history: before.history + 1, audited: 1 });
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn only_those_who_may_see_a_cos_may_withdraw_it(pool: PgPool) {
    seed_demo(&pool).await;
    let not_theirs = sqlx::query_scalar::<_, String>(
        "SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id JOIN sponsors s ON s.id = c.sponsor_id JOIN users u ON u.id = o.owner_id
         WHERE s.name = $1 AND c.status = 'ASSIGNED' AND u.user_id <> 'l2.demo' ORDER BY c.id LIMIT 1",
    )
    .bind(ACME).fetch_one(&pool).await.unwrap();
    let theirs = a_cos(&pool, "ASSIGNED", Some("l2.demo")).await;
    let before = state(&pool, &not_theirs).await;
    let app = spawn(pool.clone()).await;

    // A Level 2 user: not found for a CoS they do not own, on every screen and the post.
    let c = app.signed_in("l2.demo", "demo-password-2").await;
    for path in [format!("{SEARCH}/{not_theirs}"), format!("{SEARCH}/{not_theirs}/withdraw")] {
        let (code, html) = app.page(&c, &path).await;
        assert_eq!(code, 404, "{path}");
        assert!(!html.contains("Withdraw CoS"), "{path}");
    }
    let (_, html) = app.page(&c, &format!("{SEARCH}?cos_number={not_theirs}")).await;
    assert!(html.contains("No CoS match your search"));
    let r = post_withdraw(&app, &c, &not_theirs, "").await;
    assert_eq!(r.status(), 404);
    // …and may withdraw their own.
    let (code, html) = app.page(&c, &format!("{SEARCH}/{theirs}")).await;
    assert_eq!(code, 200);
    assert!(html.contains("Withdraw CoS"));

    // Another sponsor's user.
    let c = app.signed_in("other.l1", "demo-password-3").await;
    let (code, html) = app.page(&c, &format!("{SEARCH}/{not_theirs}")).await;
    assert_eq!(code, 404);
    assert!(!html.contains(ACME));
    assert_eq!(post_withdraw(&app, &c, &not_theirs, "").await.status(), 404);

    // Signed out: the screens go through sign-in; the post is refused.
    let c = app.client();
    let r = c.get(app.url(&format!("{SEARCH}/{not_theirs}"))).send().await.unwrap();
    assert!(location(&r).starts_with("/sign-in"), "{}", location(&r));
    let r = post_withdraw(&app, &c, &not_theirs, "").await;
    assert!(!location(&r).contains("withdrawn="));
    assert_ne!(r.status(), 200);

    // Cross-site: refused before anything runs.
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let r = c.post(app.url("/api/cos/withdraw")).header("origin", "https://evil.example")
        .form(&[("cos_number", not_theirs.as_str()), ("q", "")]).send().await.unwrap();
    assert_eq!(r.status(), 403);

    assert_eq!(state(&pool, &not_theirs).await, before);
}
