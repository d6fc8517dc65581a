//! Report migrant activity over HTTP: only a USED CoS; the answers checked and kept between the
//! form and Submit; the deadline and lateness; one report however often Submit is sent; the
//! report in the activity history and details; who may report on what.

mod common;

use common::{html_text, location, seed_demo, spawn};
use sqlx::PgPool;

async fn a_cos(pool: &PgPool, status: &str) -> (i64, String, time::Date) {
    sqlx::query_as(
        "SELECT c.id, c.cos_number, c.date_assigned FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         JOIN users u ON u.sponsor_id = c.sponsor_id AND u.user_id = 'l2.demo'
         WHERE c.status = $1 AND o.owner_id <> u.id AND c.date_assigned < now() - interval '40 days' ORDER BY c.id LIMIT 1",
    )
    .bind(status)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn uk(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

async fn reports(pool: &PgPool, cos: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM activity_reports WHERE cos_id = $1").bind(cos).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_report_from_the_form_through_check_to_submit(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (id, number, _) = a_cos(&pool, "USED").await;
    let salary: i16 = sqlx::query_scalar("SELECT id FROM activity_types WHERE name = 'Change of salary'").fetch_one(&pool).await.unwrap();
    let before = reports(&pool, id).await;
    let base = format!("/sponsorship-duties/report-activity/{number}");
    let (code, html) = app.page(&c, &base).await;
    assert_eq!(code, 200);
    assert!(html.contains("Report activity"));

    let check = |answers: Vec<(&'static str, String)>| {
        let (c, url, number) = (c.clone(), app.url("/api/report/check"), number.clone());
        async move {
            let mut form = vec![("cos_number".to_string(), number)];
            form.extend(answers.into_iter().map(|(k, v)| (format!("report[{k}]"), v)));
            location(&c.post(url).form(&form).send().await.unwrap())
        }
    };
    // Wrong answers: back to the form, each told by its field, the answers kept, nothing saved.
    let today = time::OffsetDateTime::now_utc().date();
    let to = check(vec![("activity", salary.to_string()), ("event_date", uk(today + time::Duration::days(2))), ("details", "Pay rise".into()), ("new_salary", "".into())]).await;
    assert_eq!(to, format!("{base}/report"));
    let (_, html) = app.page(&c, &to).await;
    let text = html_text(&html);
    assert!(text.contains("The date of the event cannot be in the future") && text.contains("Enter the new gross annual salary"), "{text}");
    assert!(html.contains("Pay rise"), "answers kept");

    // Right answers, for an event 30 days ago: Check your report says it is late, by how much.
    let event = today - time::Duration::days(30);
    let to = check(vec![("activity", salary.to_string()), ("event_date", uk(event)), ("details", "Pay rise from the 1st.".into()), ("new_salary", "41,000".into())]).await;
    assert_eq!(to, format!("{base}/check"));
    let (_, html) = app.page(&c, &to).await;
    let text = html_text(&html);
    assert!(text.contains("Check your report") && text.contains("Change of salary") && text.contains("41000.00"), "{text}");
    assert!(text.contains("working days late"), "{text}");
    assert!(html.contains(&format!("href=\"{base}/report#details\"")), "Change goes back to the field");
    assert_eq!(reports(&pool, id).await, before, "nothing saved before Submit");

    // Submit twice: one report, with its event date, deadline, lateness and change.
    for _ in 0..2 {
        let r = c.post(app.url("/api/report/submit")).form(&[("cos_number", number.as_str())]).send().await.unwrap();
        assert!(location(&r).starts_with(&format!("{base}/reported")), "{}", location(&r));
    }
    assert_eq!(reports(&pool, id).await, before + 1);
    let (event_date, days_late, changes): (Option<time::Date>, i32, String) = sqlx::query_as(
        "SELECT event_date, days_late, changes::text FROM activity_reports WHERE cos_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(event_date, Some(event));
    assert!(days_late > 0);
    assert!(changes.contains("41000.00"));
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'activity_reported' AND entity_id = $1")
        .bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1);
    let report: i64 = sqlx::query_scalar("SELECT max(id) FROM activity_reports WHERE cos_id = $1").bind(id).fetch_one(&pool).await.unwrap();
    // The Workers screen lists it among the reports made late.
    let (_, html) = app.page(&c, "/").await;
    let text = html_text(&html);
    assert!(text.contains("Reports made late in the last 30 days") && text.contains(&number), "{text}");
    let (_, html) = app.page(&c, &format!("/view-cos/{number}/activity-details?activity={report}")).await;
    let text = html_text(&html);
    assert!(text.contains("Date of the event") && text.contains("working days late") && text.contains("New gross annual salary"), "{text}");
    // The advanced search's export carries it as the CoS's latest report, with the event's date.
    let csv = c.get(app.url(&format!("/view-cos/advanced/export.csv?cos_number={number}"))).send().await.unwrap().bytes().await.unwrap();
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(&csv[3..]).records().map(|r| r.unwrap()).collect();
    let name: String = sqlx::query_scalar("SELECT name FROM activity_types WHERE id = $1").bind(salary).fetch_one(&pool).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((&rows[0][0], &rows[0][10], &rows[0][12]), (number.as_str(), name.as_str(), event.to_string().as_str()));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn only_a_used_cos_and_only_by_those_who_reach_it(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    // Every status but USED: the screen says why, and forged posts change nothing.
    for status in ["WORK IN PROGRESS", "READY TO GO", "ASSIGNED", "WITHDRAWN", "EXPIRED", "CANCELLED"] {
        let (id, number): (i64, String) = sqlx::query_as(
            "SELECT c.id, c.cos_number FROM cos c JOIN sponsors s ON s.id = c.sponsor_id WHERE s.name = 'Acme Engineering Ltd' AND c.status = $1 ORDER BY c.id LIMIT 1",
        )
        .bind(status).fetch_one(&pool).await.unwrap();
        let before = reports(&pool, id).await;
        let (_, html) = app.page(&c, &format!("/sponsorship-duties/report-activity/{number}")).await;
        assert!(html_text(&html).contains(&format!("Only a USED CoS can be reported on. This CoS is {status}.")), "{status}");
        assert!(!html.contains("Report activity</a>"), "{status}");
        let form = [("cos_number", number.as_str()), ("report[activity]", "1"), ("report[event_date]", "01/01/2026"), ("report[details]", "Forged")];
        assert_eq!(c.post(app.url("/api/report/check")).form(&form).send().await.unwrap().status(), 403, "{status}");
        assert_eq!(c.post(app.url("/api/report/submit")).form(&[("cos_number", number.as_str())]).send().await.unwrap().status(), 403, "{status}");
        assert_eq!(reports(&pool, id).await, before, "{status}");
    }

    let (used, used_number, _) = a_cos(&pool, "USED").await;
    let before = reports(&pool, used).await;
    for (login, password) in [("l2.demo", "demo-password-2"), ("other.l1", "demo-password-3")] {
        let c = app.signed_in(login, password).await;
        assert_eq!(app.page(&c, &format!("/sponsorship-duties/report-activity/{used_number}")).await.0, 404, "{login}");
        let form = [("cos_number", used_number.as_str()), ("report[activity]", "1"), ("report[event_date]", "01/01/2026"), ("report[details]", "Forged")];
        assert_eq!(c.post(app.url("/api/report/check")).form(&form).send().await.unwrap().status(), 404, "{login}");
        assert_eq!(c.post(app.url("/api/report/submit")).form(&[("cos_number", used_number.as_str())]).send().await.unwrap().status(), 404);
    }
    assert_eq!(reports(&pool, used).await, before);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_new_work_address_can_be_a_pre_stored_one(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (_, number, _) = a_cos(&pool, "USED").await;
    let location_type: i16 = sqlx::query_scalar("SELECT id FROM activity_types WHERE name = 'Change of work location'").fetch_one(&pool).await.unwrap();
    let (address, line1, postcode): (i64, String, String) = sqlx::query_as(
        "SELECT w.id, w.line1, w.postcode FROM work_addresses w JOIN users u ON u.sponsor_id = w.sponsor_id WHERE u.user_id = 'l1.demo' ORDER BY w.id LIMIT 1",
    )
    .fetch_one(&pool).await.unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let post = |address: String| {
        let (c, url, number) = (c.clone(), app.url("/api/report/check"), number.clone());
        async move {
            let form = [
                ("cos_number", number), ("report[activity]", location_type.to_string()), ("report[event_date]", uk(today)),
                ("report[details]", "Moved to the new site.".to_string()), ("report[new_address_id]", address),
            ];
            location(&c.post(url).form(&form).send().await.unwrap())
        }
    };
    // Another sponsor's (or no real) address: told by the field.
    let to = post("999999".into()).await;
    assert!(to.ends_with("/report"), "{to}");
    assert!(html_text(&app.page(&c, &to).await.1).contains("Select one of your pre-stored addresses"));
    // One of the sponsor's: its lines are the new address.
    let to = post(address.to_string()).await;
    assert!(to.ends_with("/check"), "{to}");
    let text = html_text(&app.page(&c, &to).await.1);
    assert!(text.contains(&line1) && text.contains(&postcode), "{text}");
}
