//! Create and assign CoS over HTTP: drafts saved, completed, refused, edited against a stale
//! version, sent twice, deleted; assignment with its history, audit and the allocation that
//! can never be overspent, even by many users at once; who may touch whose drafts.

mod common;

use common::{html_text, location, seed_demo, spawn, TestApp};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

fn uk(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// Every field of a CoS that can be assigned today.
fn complete() -> Vec<(String, String)> {
    let today = OffsetDateTime::now_utc().date();
    [
        ("family_name", "Okafor".to_string()), ("given_names", "Chidi".into()), ("nationality", "Nigeria".into()),
        ("place_of_birth", "Lagos".into()), ("country_of_birth", "Nigeria".into()), ("date_of_birth", "27/03/1990".into()),
        ("gender", "Male".into()), ("country_of_residence", "Nigeria".into()), ("passport_number", "A1234567".into()),
        ("passport_issue_date", uk(today - Duration::days(400))), ("passport_expiry_date", uk(today + Duration::days(3000))),
        ("passport_place_of_issue", "Abuja".into()), ("home_address", "12 Marina Road, Lagos, Nigeria".into()),
        ("work_start_date", uk(today + Duration::days(30))), ("work_end_date", uk(today + Duration::days(800))),
        ("weekly_hours", "37.5".into()), ("work_address_line1", "1 Piccadilly".into()), ("work_address_town", "Manchester".into()),
        ("work_address_postcode", "M1 3HE".into()), ("job_title", "Software developer".into()), ("soc_code", "2134".into()),
        ("job_description", "Builds and runs the firm's systems".into()), ("gross_salary", "52000".into()),
        ("certify_maintenance", "yes".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

async fn skilled_worker(pool: &PgPool) -> i16 {
    sqlx::query_scalar("SELECT id FROM routes WHERE name = 'Skilled Worker'").fetch_one(pool).await.unwrap()
}

/// Posts "Save" of a new CoS (`number` empty) or an edit; returns where it was sent.
async fn save(app: &TestApp, c: &reqwest::Client, number: &str, version: i32, route: i16, token: &str, fields: &[(String, String)]) -> String {
    let mut form = vec![
        ("cos_number".to_string(), number.to_string()),
        ("version".to_string(), version.to_string()),
        ("route".to_string(), route.to_string()),
        ("batch".to_string(), String::new()),
        ("token".to_string(), token.to_string()),
    ];
    form.extend(fields.iter().map(|(k, v)| (format!("cos[{k}]"), v.clone())));
    let r = c.post(app.url("/api/create/save")).form(&form).send().await.unwrap();
    assert!(r.status().is_redirection(), "{}: {}", r.status(), r.text().await.unwrap());
    location(&r)
}

fn token() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn cos_row(pool: &PgPool, number: &str) -> (i64, String, i32, i64) {
    sqlx::query_as(
        "SELECT c.id, c.status, c.version, o.owner_id FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.cos_number = $1",
    )
    .bind(number)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn number_of(saved: &str) -> String {
    saved.trim_start_matches("/create-cos/").trim_end_matches("/saved").to_string()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_draft_is_saved_completed_and_assigned(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let route = skilled_worker(&pool).await;
    let l1: i64 = sqlx::query_scalar("SELECT id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();

    // The form of a new CoS carries a one-time key and offers the pre-stored addresses.
    let (code, html) = app.page(&c, &format!("/create-cos/new?route={route}")).await;
    assert_eq!(code, 200);
    assert!(html_text(&html).contains("Create a CoS"), "{html}");
    assert!(html.contains("Pre-stored address"));

    // Saved with only a name: WORK IN PROGRESS, listing what is missing.
    let first = token();
    let to = save(&app, &c, "", 0, route, &first, &[("family_name".into(), "Okafor".into())]).await;
    assert!(to.starts_with("/create-cos/C") && to.ends_with("/saved"), "{to}");
    let number = number_of(&to);
    let (id, status, version, owner) = cos_row(&pool, &number).await;
    assert_eq!((status.as_str(), owner), ("WORK IN PROGRESS", l1));
    let (_, html) = app.page(&c, &to).await;
    let text = html_text(&html);
    assert!(text.contains("CoS saved") && text.contains(&number) && text.contains("WORK IN PROGRESS"), "{text}");
    assert!(text.contains("Given names") && !text.contains(">Assign<"), "{text}");

    // The same form sent again (a double click) makes no second CoS.
    let before = count(&pool, "SELECT count(*) FROM cos").await;
    let again = save(&app, &c, "", 0, route, &first, &[("family_name".into(), "Okafor".into())]).await;
    assert_eq!(again, to);
    assert_eq!(count(&pool, "SELECT count(*) FROM cos").await, before);

    // Completed by an edit: READY TO GO, with its history.
    let to = save(&app, &c, &number, version, route, "", &complete()).await;
    assert_eq!(to, format!("/create-cos/{number}/saved"));
    let (_, status, version2, _) = cos_row(&pool, &number).await;
    assert_eq!(status, "READY TO GO");
    let history: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT status, from_status FROM cos_status_history WHERE cos_id = $1 ORDER BY id").bind(id).fetch_all(&pool).await.unwrap();
    assert_eq!(history, vec![("WORK IN PROGRESS".into(), None), ("READY TO GO".into(), Some("WORK IN PROGRESS".into()))]);

    // An edit from a stale form changes nothing and keeps what was typed.
    let mut stale = complete();
    stale[0].1 = "Stale".into();
    let to = save(&app, &c, &number, version, route, "", &stale).await;
    assert_eq!(to, format!("/view-cos/{number}/edit"));
    let (_, html) = app.page(&c, &to).await;
    assert!(html_text(&html).contains("This CoS changed while you were editing it"));
    assert!(html.contains("value=\"Stale\""));
    assert_eq!(cos_row(&pool, &number).await.2, version2);

    // Assign: the confirmation shows the fee and the allocation left.
    let (from, to_year) = (format!("{}-01-01", OffsetDateTime::now_utc().year()), format!("{}-01-01", OffsetDateTime::now_utc().year() + 1));
    let used = |pool: PgPool, f: String, t: String| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM cos c JOIN sponsors s ON s.id = c.sponsor_id WHERE s.name = 'Acme Engineering Ltd' AND date_assigned >= $1::date AND date_assigned < $2::date")
            .bind(f).bind(t).fetch_one(&pool).await.unwrap()
    };
    let used_before = used(pool.clone(), from.clone(), to_year.clone()).await;
    // The Workers screen's figure for the allocation used, before and after.
    let workers_used = |html: String| -> i64 {
        let at = html.find("Assigned so far</dt><dd>").unwrap() + "Assigned so far</dt><dd>".len();
        html[at..at + html[at..].find('<').unwrap()].parse().unwrap()
    };
    assert_eq!(workers_used(app.page(&c, "/").await.1), used_before, "the Workers screen shows the allocation used");
    let (code, html) = app.page(&c, &format!("/view-cos/{number}/assign")).await;
    assert_eq!(code, 200);
    let text = html_text(&html);
    assert!(text.contains("Confirm CoS details before assigning") && text.contains("£525") && text.contains("Okafor"), "{text}");
    for _ in 0..2 {
        let r = c.post(app.url("/api/create/assign")).form(&[("cos_number", number.as_str()), ("version", &version2.to_string())]).send().await.unwrap();
        assert_eq!(location(&r), format!("/view-cos/{number}/assigned"));
    }
    let (status, assigned, expiry): (String, Option<time::Date>, Option<time::Date>) =
        sqlx::query_as("SELECT status, date_assigned, expiry_date FROM cos WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "ASSIGNED");
    assert!(assigned.is_some() && expiry > assigned);
    assert_eq!(used(pool.clone(), from, to_year).await, used_before + 1, "one CoS of the allocation, once");
    assert_eq!(workers_used(app.page(&c, "/").await.1), used_before + 1, "the Workers screen's figure moved with it");
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM audit_log WHERE action = 'cos_assigned' AND entity_id = {id}")).await, 1);
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM cos_status_history WHERE cos_id = {id} AND status = 'ASSIGNED'")).await, 1);
    let (_, html) = app.page(&c, &format!("/view-cos/{number}/assigned")).await;
    assert!(html_text(&html).contains("CoS assigned"));

    // A CoS that is not ASSIGNED is never announced as assigned, and one that is USED is never
    // assigned again.
    let used: String = sqlx::query_scalar(
        "SELECT c.cos_number FROM cos c JOIN sponsors s ON s.id = c.sponsor_id WHERE s.name = 'Acme Engineering Ltd' AND c.status = 'USED' LIMIT 1",
    )
    .fetch_one(&pool).await.unwrap();
    let (_, html) = app.page(&c, &format!("/view-cos/{used}/assigned")).await;
    assert!(html_text(&html).contains("This CoS is USED, not ASSIGNED."));
    let r = c.post(app.url("/api/create/assign")).form(&[("cos_number", used.as_str()), ("version", "1")]).send().await.unwrap();
    assert_eq!(r.status(), 403);

    // An ASSIGNED CoS is never edited or deleted, whatever is posted.
    let r = c.post(app.url("/api/create/delete")).form(&[("cos_number", number.as_str()), ("version", "99")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let mut form = vec![("cos_number".to_string(), number.clone()), ("version".into(), "0".into()), ("route".into(), route.to_string()),
        ("batch".into(), String::new()), ("token".into(), String::new())];
    form.push(("cos[family_name]".into(), "Forged".into()));
    let r = c.post(app.url("/api/create/save")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(cos_row(&pool, &number).await.1, "ASSIGNED");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn what_is_wrong_is_refused_by_its_field_and_nothing_is_saved(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l2.demo", "demo-password-2").await;
    let route = skilled_worker(&pool).await;
    let before = count(&pool, "SELECT count(*) FROM cos").await;
    let mut fields = complete();
    for (k, v) in [("soc_code", "9999"), ("weekly_hours", "200"), ("date_of_birth", "31/02/1990"), ("country_of_birth", "Narnia")] {
        fields.iter_mut().find(|f| f.0 == k).unwrap().1 = v.into();
    }
    let to = save(&app, &c, "", 0, route, &token(), &fields).await;
    assert_eq!(to, format!("/create-cos/new?route={route}"));
    assert_eq!(count(&pool, "SELECT count(*) FROM cos").await, before);
    let (_, html) = app.page(&c, &to).await;
    let text = html_text(&html);
    assert!(text.contains("Enter the 4-digit code of a SOC 2020 unit group"), "{text}");
    assert!(text.contains("Weekly hours must be more than 0 and no more than 168"));
    assert!(text.contains("Enter date of birth as a real date"));
    assert!(text.contains("Enter country of birth as ISO 3166 names it"));
    assert!(html.contains("value=\"9999\"") && html.contains("value=\"Okafor\""), "typed values kept");
    // Shown once: the form read again is empty.
    let (_, html) = app.page(&c, &to).await;
    assert!(!html.contains("value=\"9999\""));

    // A pre-stored address chosen: the CoS keeps a copy of it.
    let (address, line1): (i64, String) = sqlx::query_as(
        "SELECT w.id, w.line1 FROM work_addresses w JOIN users u ON u.sponsor_id = w.sponsor_id WHERE u.user_id = 'l2.demo' ORDER BY w.id LIMIT 1",
    )
    .fetch_one(&pool).await.unwrap();
    let mut fields = complete();
    fields.retain(|(k, _)| !k.starts_with("work_address"));
    fields.push(("address_id".into(), address.to_string()));
    for (k, v) in [("other1_line1", "2 Quay Street"), ("other1_town", "Bristol"), ("other1_postcode", "bs1 4dj")] {
        fields.push((k.into(), v.into()));
    }
    let to = save(&app, &c, "", 0, route, &token(), &fields).await;
    let number = number_of(&to);
    let (status, copied, others): (String, String, String) =
        sqlx::query_as("SELECT status, work_address_line1, other_work_addresses::text FROM cos WHERE cos_number = $1").bind(&number).fetch_one(&pool).await.unwrap();
    assert_eq!((status.as_str(), copied), ("READY TO GO", line1));
    assert!(others.contains("\"postcode\": \"BS1 4DJ\"") && others.contains("Bristol"), "{others}");
    // The edit form shows it back, with a way to remove it and room for another.
    let (_, html) = app.page(&c, &format!("/view-cos/{number}/edit")).await;
    assert!(html.contains("id=\"other1_town\"") && html.contains("value=\"Bristol\"") && html.contains("id=\"other2_line1\""));
    assert!(html_text(&html).contains("Remove other address 1 when I save"));
    // Each other address offers the pre-stored ones too.
    assert!(html.contains("id=\"other1_address_id\"") && html.contains("id=\"other2_address_id\""));

    // An other regular work address from the pre-stored ones: copied in as it is now.
    let (second, town2): (i64, String) = sqlx::query_as(
        "SELECT w.id, w.town FROM work_addresses w JOIN users u ON u.sponsor_id = w.sponsor_id WHERE u.user_id = 'l2.demo' ORDER BY w.id DESC LIMIT 1",
    )
    .fetch_one(&pool).await.unwrap();
    let mut fields = complete();
    fields.push(("other1_address_id".into(), second.to_string()));
    let to = save(&app, &c, "", 0, route, &token(), &fields).await;
    let number = number_of(&to);
    let others: String = sqlx::query_scalar("SELECT other_work_addresses::text FROM cos WHERE cos_number = $1").bind(&number).fetch_one(&pool).await.unwrap();
    assert!(others.contains(&format!("\"town\": \"{town2}\"")), "{others}");

    // Another sponsor's address, forged into an other address: told by that field, nothing saved.
    let theirs: i64 = sqlx::query_scalar(
        "SELECT w.id FROM work_addresses w WHERE w.sponsor_id <> (SELECT sponsor_id FROM users WHERE user_id = 'l2.demo') LIMIT 1",
    )
    .fetch_one(&pool).await.unwrap();
    let before = count(&pool, "SELECT count(*) FROM cos").await;
    let mut fields = complete();
    fields.push(("other2_address_id".into(), theirs.to_string()));
    let to = save(&app, &c, "", 0, route, &token(), &fields).await;
    assert_eq!(to, format!("/create-cos/new?route={route}"));
    assert_eq!(count(&pool, "SELECT count(*) FROM cos").await, before);
    let (_, html) = app.page(&c, &to).await;
    assert!(html.contains("id=\"other2_address_id-error\""), "the message is by the field");
    assert!(html_text(&html).contains("Select one of your pre-stored addresses, or type the address"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn who_may_touch_whose_drafts(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let route = skilled_worker(&pool).await;
    let l1 = app.signed_in("l1.demo", "demo-password-1").await;
    let l2 = app.signed_in("l2.demo", "demo-password-2").await;
    let other = app.signed_in("other.l1", "demo-password-3").await;
    let theirs = number_of(&save(&app, &l1, "", 0, route, &token(), &complete()).await);
    let (_, _, version, _) = cos_row(&pool, &theirs).await;

    // A Level 2 user and another sponsor's user: not found, and nothing changes.
    for c in [&l2, &other] {
        for page in ["edit", "assign", "delete"] {
            let (code, _) = app.page(c, &format!("/view-cos/{theirs}/{page}")).await;
            assert_eq!(code, 404, "{page}");
        }
        let r = c.post(app.url("/api/create/assign")).form(&[("cos_number", theirs.as_str()), ("version", &version.to_string())]).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let r = c.post(app.url("/api/create/delete")).form(&[("cos_number", theirs.as_str()), ("version", &version.to_string())]).send().await.unwrap();
        assert_eq!(r.status(), 404);
        // Nor can they copy it.
        let (code, html) = app.page(c, &format!("/create-cos/new?copy={theirs}")).await;
        assert_eq!(code, 404);
        assert!(!html.contains("Software developer"));
    }
    assert_eq!(cos_row(&pool, &theirs).await.1, "READY TO GO");

    // The Level 2 user's own draft: they edit and delete it; only an audit event is left.
    let own = number_of(&save(&app, &l2, "", 0, route, &token(), &[("family_name".into(), "Mine".into())]).await);
    let (id, _, v, _) = cos_row(&pool, &own).await;
    let (code, html) = app.page(&l2, &format!("/view-cos/{own}/delete")).await;
    assert_eq!(code, 200, "{html}");
    // A stale delete changes nothing.
    let r = l2.post(app.url("/api/create/delete")).form(&[("cos_number", own.as_str()), ("version", &(v + 1).to_string())]).send().await.unwrap();
    assert_eq!(location(&r), format!("/view-cos/{own}/delete?problem=changed"));
    let r = l2.post(app.url("/api/create/delete")).form(&[("cos_number", own.as_str()), ("version", &v.to_string())]).send().await.unwrap();
    assert_eq!(location(&r), format!("/create-cos/deleted?cos={own}"));
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM cos WHERE id = {id}")).await, 0);
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM cos_status_history WHERE cos_id = {id}")).await, 0);
    let audited: String = sqlx::query_scalar("SELECT details->>'cos_number' FROM audit_log WHERE action = 'cos_deleted' AND entity_id = $1")
        .bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(audited, own);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn many_users_assigning_at_once_never_overspend_the_allocation(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let route = skilled_worker(&pool).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let sponsor: i64 = sqlx::query_scalar("SELECT sponsor_id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();
    let used = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM cos WHERE sponsor_id = $1 AND date_assigned >= date_trunc('year', now() AT TIME ZONE 'Europe/London')::date",
        )
        .bind(sponsor).fetch_one(&pool).await.unwrap()
    };
    for round in 0..3 {
        // 20 READY TO GO CoS, and room for 5 more this year.
        let mut ready = Vec::new();
        for _ in 0..20 {
            let n = number_of(&save(&app, &c, "", 0, route, &token(), &complete()).await);
            let v = cos_row(&pool, &n).await.2;
            ready.push((n, v));
        }
        let before = used(pool.clone()).await;
        sqlx::query("UPDATE sponsors SET allocation = $2 WHERE id = $1").bind(sponsor).bind((before + 5) as i32).execute(&pool).await.unwrap();
        let answers = futures::future::join_all(ready.iter().map(|(n, v)| {
            let (c, url) = (c.clone(), app.url("/api/create/assign"));
            async move { c.post(url).form(&[("cos_number", n.as_str()), ("version", &v.to_string())]).send().await.unwrap() }
        }))
        .await;
        let mut assigned = 0;
        for (r, (n, _)) in answers.iter().zip(&ready) {
            let to = location(r);
            if to == format!("/view-cos/{n}/assigned") {
                assigned += 1;
            } else {
                assert_eq!(to, format!("/view-cos/{n}/assign?problem=allocation"), "round {round}");
            }
        }
        assert_eq!(assigned, 5, "round {round}");
        assert_eq!(used(pool.clone()).await, before + 5, "round {round}");
        let still_ready: i64 = sqlx::query_scalar("SELECT count(*) FROM cos WHERE cos_number = ANY($1) AND status = 'READY TO GO'")
            .bind(ready.iter().map(|r| r.0.clone()).collect::<Vec<_>>()).fetch_one(&pool).await.unwrap();
        assert_eq!(still_ready, 15, "round {round}");
    }
    // With none left, the confirmation says so.
    let (code, html) = app.page(&c, &format!("/view-cos/{}/assign?problem=allocation", number_of(&save(&app, &c, "", 0, route, &token(), &complete()).await))).await;
    assert_eq!(code, 200);
    assert!(html_text(&html).contains("There is not enough of your CoS allocation left to assign this CoS."));
}
