//! Advanced search: each filter and combinations checked against a plain Rust filter over
//! the same rows; keyset paging with no duplicates or gaps while rows change between pages;
//! the CSV export over HTTP; reach; bad filters.

mod common;

use app::api::advanced_search::{ssr, AdvancedOutcome};
use app::db::users::KnownUsers;
use app::domain::advanced_search::{query_pairs, AdvancedForm};
use app::domain::{permissions::Actor, Level};
use common::{seed_demo, spawn};
use sqlx::PgPool;
use time::{Date, OffsetDateTime};

#[derive(sqlx::FromRow, Clone, Debug)]
struct Row {
    id: i64,
    cos_number: String,
    route_id: i16,
    status: String,
    status_date: OffsetDateTime,
    uk_day: Date,
    owner_id: i64,
    nationality: Option<String>,
    activities: Vec<i16>,
}

async fn rows(pool: &PgPool, sponsor: i64) -> Vec<Row> {
    sqlx::query_as(
        "SELECT c.id, c.cos_number, c.route_id, c.status, c.status_date,
                (c.status_date AT TIME ZONE 'Europe/London')::date AS uk_day, o.owner_id, c.nationality,
                coalesce(array_agg(a.activity_type_id) FILTER (WHERE a.id IS NOT NULL), '{}') AS activities
         FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         LEFT JOIN activity_reports a ON a.sponsor_id = c.sponsor_id AND a.cos_id = c.id
         WHERE c.sponsor_id = $1 GROUP BY c.sponsor_id, c.id, o.owner_id",
    )
    .bind(sponsor)
    .fetch_all(pool)
    .await
    .unwrap()
}

fn form(q: &str) -> AdvancedForm {
    let pairs = query_pairs(q);
    AdvancedForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The search as its server function runs it, in an app that has not yet seen any user.
async fn run(pool: &PgPool, actor: &Actor, form: &AdvancedForm) -> Result<AdvancedOutcome, app::error::AppError> {
    ssr::run(pool, &KnownUsers::default(), actor, form).await
}

/// Every CoS number the search lists, reading page after page through the cursors.
async fn all_pages(pool: &PgPool, actor: &Actor, q: &str) -> (Vec<String>, i64) {
    let mut seen = Vec::new();
    let mut next_q = q.to_string();
    loop {
        match run(pool, actor, &form(&next_q)).await.unwrap() {
            AdvancedOutcome::Invalid(e) => panic!("{q}: {e:?}"),
            AdvancedOutcome::Results { hits, total, next, .. } => {
                seen.extend(hits.into_iter().map(|h| h.cos_number));
                match next {
                    Some(cursor) => next_q = format!("{q}&per_page=100&{cursor}"),
                    None => return (seen, total),
                }
            }
        }
        next_q = next_q.replace("&per_page=100&per_page=100", "&per_page=100");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn each_filter_and_combinations_match_a_plain_filter(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l1): (i64, i64) =
        sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();
    let actor = Actor { user_id: l1, sponsor_id: acme, level: Level::One };
    let all = rows(&pool, acme).await;
    let some = &all[all.len() / 3];
    let route = some.route_id;
    let owner = some.owner_id;
    let activity: i16 = *all.iter().flat_map(|r| &r.activities).next().expect("some activity reported");
    let (from, to) = (some.uk_day - time::Duration::days(40), some.uk_day);
    let nationality = some.nationality.clone().unwrap();
    let d = |d: Date| format!("{:02}/{:02}/{}", d.day(), d.month() as u8, d.year());

    type Check = Box<dyn Fn(&Row) -> bool>;
    let n2 = nationality.clone();
    let cases: Vec<(String, Check)> = vec![
        (format!("route={route}"), Box::new(move |r: &Row| r.route_id == route)),
        ("status=assigned".into(), Box::new(|r: &Row| r.status == "ASSIGNED")),
        ("status=used&status=expired&status=withdrawn".into(), Box::new(|r: &Row| ["USED", "EXPIRED", "WITHDRAWN"].contains(&r.status.as_str()))),
        (format!("owner={owner}"), Box::new(move |r: &Row| r.owner_id == owner)),
        (format!("activity={activity}"), Box::new(move |r: &Row| r.activities.contains(&activity))),
        (format!("changed_from={}&changed_to={}", d(from), d(to)), Box::new(move |r: &Row| r.uk_day >= from && r.uk_day <= to)),
        (format!("changed_from={}", d(to)), Box::new(move |r: &Row| r.uk_day >= to)),
        (format!("route={route}&status=assigned&owner={owner}"), Box::new(move |r: &Row| r.route_id == route && r.status == "ASSIGNED" && r.owner_id == owner)),
        (format!("nationality={}&status=used", nationality.to_lowercase().replace(' ', "+")), Box::new(move |r: &Row| r.nationality.as_deref() == Some(n2.as_str()) && r.status == "USED")),
        ("".into(), Box::new(|_: &Row| true)),
    ];
    for (q, check) in cases {
        let mut expected: Vec<&Row> = all.iter().filter(|r| check(r)).collect();
        expected.sort_by(|a, b| (b.status_date, b.id).cmp(&(a.status_date, a.id)));
        let expected: Vec<String> = expected.into_iter().map(|r| r.cos_number.clone()).collect();
        let (got, total) = all_pages(&pool, &actor, &q).await;
        assert_eq!(total as usize, expected.len(), "count for {q:?}");
        assert_eq!(got, expected, "rows and order for {q:?}");
    }

    // Sorted by CoS number and by name: every row once, in order.
    let (by_number, _) = all_pages(&pool, &actor, "sort=cos_number").await;
    let mut numbers: Vec<String> = all.iter().map(|r| r.cos_number.clone()).collect();
    numbers.sort();
    assert_eq!(by_number, numbers);
    let (by_name, _) = all_pages(&pool, &actor, "sort=name").await;
    assert_eq!(by_name.len(), all.len());
    let mut unique = by_name.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), all.len(), "no duplicates");
    let families: Vec<String> = sqlx::query_scalar(
        "SELECT sms_fold(coalesce(family_name, '')) FROM cos WHERE cos_number = ANY($1) ORDER BY array_position($1, cos_number)",
    )
    .bind(&by_name).fetch_all(&pool).await.unwrap();
    let ordered: Vec<bool> = sqlx::query_scalar("SELECT a <= b FROM unnest($1::text[]) WITH ORDINALITY x(a, i) JOIN unnest($1::text[]) WITH ORDINALITY y(b, j) ON j = i + 1")
        .bind(&families).fetch_all(&pool).await.unwrap();
    assert!(ordered.iter().all(|b| *b), "names in order");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn keyset_pages_have_no_gaps_or_duplicates_while_rows_change(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l1): (i64, i64) =
        sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();
    let actor = Actor { user_id: l1, sponsor_id: acme, level: Level::One };
    let q = "status=assigned&status=used&sort=cos_number";
    let before: Vec<String> = sqlx::query_scalar("SELECT cos_number FROM cos WHERE sponsor_id = $1 AND status IN ('ASSIGNED', 'USED') ORDER BY cos_number")
        .bind(acme).fetch_all(&pool).await.unwrap();
    let mut seen: Vec<String> = Vec::new();
    let mut page_q = format!("{q}&per_page=50");
    let mut pages = 0;
    loop {
        let AdvancedOutcome::Results { hits, next, .. } = run(&pool, &actor, &form(&page_q)).await.unwrap() else { panic!() };
        let last = hits.last().map(|h| h.cos_number.clone());
        seen.extend(hits.into_iter().map(|h| h.cos_number));
        pages += 1;
        // Between pages, someone changes rows already listed (moves them to the end of the
        // status-date order): keyset paging is not thrown by it.
        if let Some(last) = last {
            sqlx::query("UPDATE cos SET status_date = now(), version = version + 1 WHERE sponsor_id = $1 AND cos_number <= $2 AND status IN ('ASSIGNED', 'USED')")
                .bind(acme).bind(&last).execute(&pool).await.unwrap();
        }
        match next {
            Some(c) => page_q = format!("{q}&per_page=50&{c}"),
            None => break,
        }
    }
    assert!(pages > 3, "several pages ({pages})");
    assert_eq!(seen, before, "every row once, in order");

    // Previous goes back to exactly the page before.
    let AdvancedOutcome::Results { hits: p1, next, .. } = run(&pool, &actor, &form(q)).await.unwrap() else { panic!() };
    let AdvancedOutcome::Results { previous, .. } = run(&pool, &actor, &form(&format!("{q}&{}", next.unwrap()))).await.unwrap() else { panic!() };
    let AdvancedOutcome::Results { hits: back, previous: none, .. } = run(&pool, &actor, &form(&format!("{q}&{}", previous.unwrap()))).await.unwrap() else { panic!() };
    assert_eq!(back, p1);
    assert!(none.is_none(), "the first page has no previous page");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn bad_filters_and_reach(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l2): (i64, i64) =
        sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = 'l2.demo'").fetch_one(&pool).await.unwrap();
    let other_user: i64 = sqlx::query_scalar("SELECT id FROM users WHERE user_id = 'other.l1'").fetch_one(&pool).await.unwrap();
    let l2_actor = Actor { user_id: l2, sponsor_id: acme, level: Level::Two };
    for (q, field) in [
        ("changed_from=29/11/2026&changed_to=01/11/2026", "changed_to"),
        ("changed_from=31/02/2026", "changed_from"),
        ("status=lost", "statuses"),
        ("route=999", "route"),
        ("activity=999", "activity"),
        (&*format!("owner={other_user}"), "owner"),
        ("per_page=1000", "per_page"),
    ] {
        match run(&pool, &l2_actor, &form(q)).await.unwrap() {
            AdvancedOutcome::Invalid(e) => assert!(e.iter().any(|(f, _)| f == field), "{q}: {e:?}"),
            other => panic!("{q} was searched: {other:?}"),
        }
    }
    // A Level 1 user may name any user of their own sponsor, and no one else's.
    let l1 = Actor { user_id: sqlx::query_scalar("SELECT id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap(), sponsor_id: acme, level: Level::One };
    match run(&pool, &l1, &form(&format!("owner={other_user}"))).await.unwrap() {
        AdvancedOutcome::Invalid(e) => assert!(e.iter().any(|(f, _)| f == "owner"), "{e:?}"),
        other => panic!("another sponsor's user was searched for: {other:?}"),
    }
    assert!(matches!(run(&pool, &l1, &form(&format!("owner={l2}"))).await.unwrap(), AdvancedOutcome::Results { .. }));
    // A Level 2 user lists only their own CoS.
    let own: Vec<String> = sqlx::query_scalar("SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id = $2")
        .bind(acme).bind(l2).fetch_all(&pool).await.unwrap();
    let (listed, total) = all_pages(&pool, &l2_actor, "").await;
    assert_eq!(total as usize, own.len());
    let (mut a, mut b) = (listed, own);
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn export_csv_streams_every_match(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l2): (i64, i64) =
        sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = 'l2.demo'").fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE cos SET family_name = 'Smith, \"Jr\"', given_names = E'Zoë\\nAnn' WHERE sponsor_id = $1 AND id = (SELECT min(id) FROM cos WHERE sponsor_id = $1 AND status = 'USED')")
        .bind(acme).execute(&pool).await.unwrap();
    let expected: Vec<String> = sqlx::query_scalar("SELECT cos_number FROM cos WHERE sponsor_id = $1 AND status = 'USED' ORDER BY status_date DESC, id DESC")
        .bind(acme).fetch_all(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let r = c.get(app.url("/view-cos/advanced/export.csv?status=used&after=1~x&page=9")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"cos-search-"));
    let body = r.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&body[3..]);
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), server::export::HEADINGS.to_vec());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let numbers: Vec<String> = records.iter().map(|r| r[0].to_string()).collect();
    assert_eq!(numbers, expected, "every match, in list order, whatever page the link was on");
    assert!(records.iter().any(|r| &r[1] == "Smith, \"Jr\"" && &r[2] == "Zoë\nAnn"), "quoted and whole");
    // Each row's route and owner, as the database has them.
    let names: std::collections::HashMap<String, (String, String)> = sqlx::query_as::<_, (String, String, String)>(
        "SELECT c.cos_number, r.name, u.full_name FROM cos c JOIN routes r ON r.id = c.route_id
         JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id JOIN users u ON u.sponsor_id = o.sponsor_id AND u.id = o.owner_id
         WHERE c.sponsor_id = $1 AND c.status = 'USED'",
    )
    .bind(acme).fetch_all(&pool).await.unwrap().into_iter().map(|(n, route, owner)| (n, (route, owner))).collect();
    for r in &records {
        assert_eq!((&r[3], &r[6]), (names[&r[0]].0.as_str(), names[&r[0]].1.as_str()), "{}", &r[0]);
    }
    // Each CoS's reports of migrant activity: how many, and the latest, as the database has them.
    let reported: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT c.cos_number, count(*) OVER (PARTITION BY c.id), t.name, to_char(a.reported_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD')
         FROM cos c JOIN activity_reports a ON a.sponsor_id = c.sponsor_id AND a.cos_id = c.id JOIN activity_types t ON t.id = a.activity_type_id
         WHERE c.sponsor_id = $1 AND c.status = 'USED' ORDER BY c.id, a.reported_at DESC, a.id DESC",
    )
    .bind(acme).fetch_all(&pool).await.unwrap();
    let mut latest = std::collections::HashMap::new();
    for (number, n, name, on) in reported {
        latest.entry(number).or_insert((n.to_string(), name, on));
    }
    assert!(latest.len() > 10, "the demo data has reported CoS");
    for r in &records {
        let want = latest.get(&r[0]).cloned().unwrap_or(("0".into(), String::new(), String::new()));
        assert_eq!((&r[9], &r[10], &r[11]), (want.0.as_str(), want.1.as_str(), want.2.as_str()), "{}", &r[0]);
    }

    // Bad filters: nothing is exported. Level 2: only their own. Another sponsor: nothing of Acme's.
    let r = c.get(app.url("/view-cos/advanced/export.csv?changed_from=31/02/2026")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let l2c = app.client();
    app.sign_in(&l2c, "l2.demo", "demo-password-2", "/").await;
    let body = l2c.get(app.url("/view-cos/advanced/export.csv")).send().await.unwrap().bytes().await.unwrap();
    let own: i64 = sqlx::query_scalar("SELECT count(*) FROM cos_owners WHERE sponsor_id = $1 AND owner_id = $2").bind(acme).bind(l2).fetch_one(&pool).await.unwrap();
    assert_eq!(csv::Reader::from_reader(&body[3..]).records().count() as i64, own);
    let other = app.client();
    app.sign_in(&other, "other.l1", "demo-password-3", "/").await;
    let body = other.get(app.url("/view-cos/advanced/export.csv?status=used")).send().await.unwrap().text().await.unwrap();
    assert!(expected.iter().all(|n| !body.contains(n.as_str())));
    // Signed out: no data.
    let anon = app.client();
    let r = anon.get(app.url("/view-cos/advanced/export.csv")).send().await.unwrap();
    assert_eq!(r.status(), 303);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_browser_can_call_the_search_with_no_status_ticked(pool: PgPool) {
    // The hydrated page calls the server function with the form url-encoded; an empty list
    // of statuses is then simply absent.
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let (status, body) = call_search(&app, &c, "form[route]=&form[page]=1").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Results"), "{body}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_owner_is_checked_against_the_sponsor_however_often_named(pool: PgPool) {
    // The app remembers who belongs to which sponsor; what it remembers must never let one
    // sponsor's search name another's user, nor refuse a user added since.
    seed_demo(&pool).await;
    let user = |login: &'static str| {
        let pool = pool.clone();
        async move {
            let (sponsor_id, user_id): (i64, i64) =
                sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = $1").bind(login).fetch_one(&pool).await.unwrap();
            Actor { user_id, sponsor_id, level: Level::One }
        }
    };
    let (acme, other, l2) = (user("l1.demo").await, user("other.l1").await, user("l2.demo").await);
    let known = KnownUsers::default();
    let owner_refused = |outcome: AdvancedOutcome| matches!(&outcome, AdvancedOutcome::Invalid(e) if e.iter().any(|(f, _)| f == "owner"));
    for _ in 0..2 {
        let own = ssr::run(&pool, &known, &acme, &form(&format!("owner={}", l2.user_id))).await.unwrap();
        assert!(matches!(own, AdvancedOutcome::Results { .. }), "{own:?}");
        // Known as the other sponsor's user, still refused to this one.
        let theirs = ssr::run(&pool, &known, &other, &form(&format!("owner={}", other.user_id))).await.unwrap();
        assert!(matches!(theirs, AdvancedOutcome::Results { .. }), "{theirs:?}");
        assert!(owner_refused(ssr::run(&pool, &known, &acme, &form(&format!("owner={}", other.user_id))).await.unwrap()));
        assert!(owner_refused(ssr::run(&pool, &known, &other, &form(&format!("owner={}", l2.user_id))).await.unwrap()));
    }
    // Refused while no such user exists; found once added.
    let new_id: i64 = sqlx::query_scalar("SELECT max(id) + 100 FROM users").fetch_one(&pool).await.unwrap();
    let new_owner = form(&format!("owner={new_id}"));
    let named = || ssr::run(&pool, &known, &acme, &new_owner);
    assert!(owner_refused(named().await.unwrap()));
    sqlx::query("INSERT INTO users (sponsor_id, id, user_id, full_name, level) VALUES ($1, $2, 'new.starter', 'New Starter', 2)")
        .bind(acme.sponsor_id).bind(new_id).execute(&pool).await.unwrap();
    let found = named().await.unwrap();
    assert!(matches!(&found, AdvancedOutcome::Results { total: 0, .. }), "{found:?}");
    // What makes remembering safe: a user is never deleted nor moved to another sponsor (the
    // new starter is named by nothing else, so only that rule stands in the way).
    let deleted = sqlx::query("DELETE FROM users WHERE id = $1").bind(new_id).execute(&pool).await.expect_err("deleted");
    assert!(deleted.to_string().contains("cannot be deleted"), "{deleted}");
    let moved = sqlx::query("UPDATE users SET sponsor_id = $2 WHERE id = $1")
        .bind(new_id).bind(other.sponsor_id).execute(&pool).await.expect_err("moved");
    assert!(moved.to_string().contains("cannot move to another sponsor"), "{moved}");
    let (sponsor, active): (i64, bool) =
        sqlx::query_as("SELECT sponsor_id, active FROM users WHERE id = $1").bind(new_id).fetch_one(&pool).await.unwrap();
    assert_eq!((sponsor, active), (acme.sponsor_id, true));
    // Made inactive instead, which is allowed, and still an owner that can be searched for.
    sqlx::query("UPDATE users SET active = false WHERE id = $1").bind(new_id).execute(&pool).await.unwrap();
    assert!(matches!(named().await.unwrap(), AdvancedOutcome::Results { .. }));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn radio_and_next_go_straight_to_the_chosen_cos(pool: PgPool) {
    seed_demo(&pool).await;
    let number: String = sqlx::query_scalar("SELECT c.cos_number FROM cos c JOIN users u ON u.sponsor_id = c.sponsor_id WHERE u.user_id = 'l1.demo' ORDER BY c.id LIMIT 1")
        .fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.client();
    let next = format!("/view-cos/advanced/open?back=%2Fview-cos%2Fadvanced%3Fstatus%3Dused&open={number}");
    // Signed out: to sign in first, and back here after.
    let r = c.get(app.url(&next)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/sign-in?next="));
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let r = c.get(app.url(&next)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/view-cos/{number}?q=%2Fview-cos%2Fadvanced%3Fstatus%3Dused"));
    let page = c.get(app.url(&to)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = common::markup(&page.text().await.unwrap());
    assert!(html.contains(&format!("<h1>View CoS <span class=\"nowrap\">{number}</span></h1>")), "{html}");
}

/// The search server function called as the hydrated page calls it: (status, body).
async fn call_search(app: &common::TestApp, c: &reqwest::Client, form: &str) -> (u16, String) {
    let r = c
        .post(app.url("/api/cos/advanced-search"))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_search_follows_the_user_as_they_are_now_not_as_they_signed_in(pool: PgPool) {
    // The search starts as the session's user while that user is read afresh: a change of
    // level or a deactivation since sign-in must still decide what comes back.
    seed_demo(&pool).await;
    let (acme, l1): (i64, i64) = sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let search = || call_search(&app, &c, "form[page]=1");
    let total = |body: &str| -> i64 {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        v["Results"]["total"].as_i64().unwrap_or_else(|| panic!("{body}"))
    };
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM cos WHERE sponsor_id = $1").bind(acme).fetch_one(&pool).await.unwrap();
    let own: i64 = sqlx::query_scalar("SELECT count(*) FROM cos_owners WHERE sponsor_id = $1 AND owner_id = $2").bind(acme).bind(l1).fetch_one(&pool).await.unwrap();
    assert!(own < all);

    let (status, body) = search().await;
    assert_eq!((status, total(&body)), (200, all), "Level 1 sees every CoS of the sponsor");

    // The user is read afresh by the count's own statement, and only as a user of the sponsor
    // being searched.
    let everything = form("").parse().unwrap();
    let counted = |sponsor: i64| app::db::advanced_search::count_and_level(&pool, sponsor, None, &everything, l1);
    assert_eq!(counted(acme).await.unwrap(), (all, Some(1)));
    let other: i64 = sqlx::query_scalar("SELECT id FROM sponsors WHERE id <> $1 LIMIT 1").bind(acme).fetch_one(&pool).await.unwrap();
    assert_eq!(counted(other).await.unwrap().1, None, "another sponsor's search never reads this user");

    sqlx::query("UPDATE users SET level = 2 WHERE id = $1").bind(l1).execute(&pool).await.unwrap();
    let (status, body) = search().await;
    assert_eq!((status, total(&body)), (200, own), "made Level 2 since signing in: only their own");
    let (status, body) = call_search(&app, &c, "form[changed_from]=31/02/2026").await;
    assert_eq!(status, 200);
    assert!(body.contains("Invalid") && body.contains("changed_from"), "bad filters still get their message\n{body}");

    sqlx::query("UPDATE users SET active = false WHERE id = $1").bind(l1).execute(&pool).await.unwrap();
    let (status, body) = search().await;
    assert_eq!(status, 401, "deactivated since signing in: no results\n{body}");
    assert!(!body.contains("Results"), "{body}");
    let (status, body) = call_search(&app, &c, "form[changed_from]=31/02/2026").await;
    assert_eq!(status, 401, "deactivated: not even a message about the filters\n{body}");
    assert!(!body.contains("Invalid"), "{body}");
}

/// Each status to tick carries what it means, as hint text tied to its checkbox.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn each_status_says_what_it_means(pool: PgPool) {
    seed_demo(&pool).await;
    let app = common::spawn(pool).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (code, html) = app.page(&c, "/view-cos/advanced").await;
    assert_eq!(code, 200);
    // The filters are a disclosure, open as the page arrives (it works without JavaScript).
    let details = html.split("<details").nth(1).and_then(|d| d.split('>').next()).unwrap_or_default();
    assert!(details.contains("class=\"filters\"") && details.split_whitespace().any(|a| a == "open" || a.starts_with("open=")), "{details}");
    assert!(html.contains(">Filters</summary>"), "{html}");
    for s in app::domain::Status::ALL {
        let id = format!("status-{}", s.slug());
        assert!(html.contains(&format!("aria-describedby=\"{id}-hint\"")), "{id}");
        let hint = html.split(&format!("id=\"{id}-hint\"")).nth(1).unwrap_or_default();
        let text = hint.split_once('>').map_or("", |(_, t)| t).split('<').next().unwrap_or_default().replace("&#39;", "'");
        assert_eq!(text, s.meaning(), "{id}");
    }
}
