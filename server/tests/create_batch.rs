//! "Create a batch of CoS" by CSV upload and "Assign batch" over HTTP: the file checked whole
//! (nothing saved until it is clean), the batch and its CoS made in one go, once when sent
//! twice; the batch assigned all at once or not at all; who may do it.

mod common;

use common::{html_text, location, seed_demo, spawn, TestApp};
use reqwest::multipart::{Form, Part};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

fn uk(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

const HEADER: &str = "family_name,given_names,nationality,place_of_birth,country_of_birth,date_of_birth,gender,country_of_residence,\
passport_number,passport_issue_date,passport_expiry_date,passport_place_of_issue,home_address";

/// `n` complete workers; `bad` (1-based) gets an impossible date of birth.
fn workers(n: usize, bad: Option<usize>) -> String {
    let today = OffsetDateTime::now_utc().date();
    let mut out = format!("{HEADER}\n");
    for i in 1..=n {
        let dob = if Some(i) == bad { "31/02/1990".to_string() } else { "27/03/1990".to_string() };
        out.push_str(&format!(
            "Worker{i},Ada,Nigeria,Lagos,Nigeria,{dob},Female,Nigeria,P{i:07},{},{},Abuja,\"{i} Marina Road, Lagos\"\n",
            uk(today - Duration::days(300)),
            uk(today + Duration::days(3000))
        ));
    }
    out
}

fn common(reference: &str, route: i16, token: &str) -> Form {
    let today = OffsetDateTime::now_utc().date();
    let mut f = Form::new().text("route", route.to_string()).text("token", token.to_string()).text("reference", reference.to_string());
    for (k, v) in [
        ("work_start_date", uk(today + Duration::days(30))), ("work_end_date", uk(today + Duration::days(400))),
        ("weekly_hours", "40".into()), ("work_address_line1", "Orchard Farm".into()), ("work_address_town", "Hereford".into()),
        ("work_address_postcode", "HR1 2AB".into()), ("job_title", "Fruit picker".into()), ("soc_code", "9111".into()),
        ("job_description", "Harvests fruit".into()), ("gross_salary", "24000".into()), ("certify_maintenance", "yes".into()),
    ] {
        f = f.text(format!("cos[{k}]"), v);
    }
    f
}

async fn upload(app: &TestApp, c: &reqwest::Client, form: Form, file: Vec<u8>) -> reqwest::Response {
    let form = form.part("workers", Part::bytes(file).file_name("workers.csv").mime_str("text/csv").unwrap());
    c.post(app.url("/create-cos/batch")).multipart(form).send().await.unwrap()
}

async fn route(pool: &PgPool) -> i16 {
    sqlx::query_scalar("SELECT id FROM routes WHERE name = 'Seasonal Worker'").fetch_one(pool).await.unwrap()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

fn token() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_upload_is_checked_whole_then_saved_in_one_go_and_assigned_all_or_nothing(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let route = route(&pool).await;
    let (cos_before, batches_before) = (count(&pool, "SELECT count(*) FROM cos").await, count(&pool, "SELECT count(*) FROM batches").await);

    // One bad row of 50: nothing is saved, and the form says where.
    let t = token();
    let r = upload(&app, &c, common("Harvest 2027", route, &t), workers(50, Some(17)).into_bytes()).await;
    assert_eq!(r.status(), 303);
    let back = location(&r);
    assert_eq!(back, format!("/create-cos/batch?route={route}"));
    assert_eq!(count(&pool, "SELECT count(*) FROM cos").await, cos_before);
    assert_eq!(count(&pool, "SELECT count(*) FROM batches").await, batches_before);
    let (_, html) = app.page(&c, &back).await;
    let text = html_text(&html);
    assert!(text.contains("Problems in the file"), "{text}");
    assert!(text.contains("18") && text.contains("Date of birth") && text.contains("Enter date of birth as a real date"), "{text}");
    assert!(text.contains("The file has 1 problem. Nothing has been saved"), "{text}");
    assert!(html.contains("value=\"Harvest 2027\"") && html.contains("value=\"Fruit picker\""), "typed values kept");

    // Fixed: the batch and its 50 CoS, READY TO GO, with their history, in one go.
    let r = upload(&app, &c, common("Harvest 2027", route, &t), workers(50, None).into_bytes()).await;
    let to = location(&r);
    assert!(to.starts_with("/view-cos/batches/") && to.ends_with("?created=50&ready=50"), "{to}");
    let batch: i64 = to.trim_start_matches("/view-cos/batches/").split('?').next().unwrap().parse().unwrap();
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM cos WHERE batch_id = {batch} AND status = 'READY TO GO' AND job_title = 'Fruit picker'")).await, 50);
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM cos_status_history h JOIN cos c ON c.id = h.cos_id WHERE c.batch_id = {batch}")).await, 50);
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM audit_log WHERE action = 'batch_created' AND entity_id = {batch}")).await, 1);
    let (_, html) = app.page(&c, &to).await;
    assert!(html_text(&html).contains("The batch has been created with 50 CoS: 50 READY TO GO, 0 WORK IN PROGRESS."));

    // The same form sent again makes nothing more; the same reference in a new form is refused.
    let r = upload(&app, &c, common("Harvest 2027", route, &t), workers(50, None).into_bytes()).await;
    assert_eq!(location(&r), format!("/view-cos/batches/{batch}"));
    let r = upload(&app, &c, common("harvest 2027", route, &token()), workers(2, None).into_bytes()).await;
    let (_, html) = app.page(&c, &location(&r)).await;
    assert!(html_text(&html).contains("You already have a batch called"));
    assert_eq!(count(&pool, "SELECT count(*) FROM cos").await, cos_before + 50);

    // Assign batch: refused whole when the allocation cannot cover all 50 ...
    let sponsor: i64 = sqlx::query_scalar("SELECT sponsor_id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();
    let used = count(&pool, &format!("SELECT count(*) FROM cos WHERE sponsor_id = {sponsor} AND date_assigned >= date_trunc('year', now() AT TIME ZONE 'Europe/London')::date")).await;
    sqlx::query("UPDATE sponsors SET allocation = $2 WHERE id = $1").bind(sponsor).bind((used + 49) as i32).execute(&pool).await.unwrap();
    let (code, html) = app.page(&c, &format!("/view-cos/batches/{batch}/assign")).await;
    assert_eq!(code, 200);
    let text = html_text(&html);
    assert!(text.contains("£55 each, £2750 in all") && text.contains("49 of"), "{text}");
    let assign = |ready: &'static str| {
        let c = c.clone();
        let url = app.url("/api/create/assign_batch");
        async move { c.post(url).form(&[("batch_id", batch.to_string().as_str()), ("ready", ready)]).send().await.unwrap() }
    };
    let r = assign("50").await;
    assert_eq!(location(&r), format!("/view-cos/batches/{batch}/assign?problem=allocation"));
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM cos WHERE batch_id = {batch} AND status = 'ASSIGNED'")).await, 0);
    // ... and done whole, once, when it can.
    sqlx::query("UPDATE sponsors SET allocation = $2 WHERE id = $1").bind(sponsor).bind((used + 50) as i32).execute(&pool).await.unwrap();
    let r = assign("49").await;
    assert_eq!(location(&r), format!("/view-cos/batches/{batch}/assign?problem=changed"), "a count that moved is refused");
    for _ in 0..2 {
        let r = assign("50").await;
        assert_eq!(location(&r), format!("/view-cos/batches/{batch}?assigned=50"));
    }
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM cos WHERE batch_id = {batch} AND status = 'ASSIGNED'")).await, 50);
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM audit_log WHERE action = 'batch_assigned' AND entity_id = {batch}")).await, 1);

    // A worker added to the batch later gets its shared details.
    let (code, html) = app.page(&c, &format!("/create-cos/new?batch={batch}")).await;
    assert_eq!(code, 200);
    assert!(html.contains("value=\"Fruit picker\"") && html_text(&html).contains("Harvest 2027"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn files_that_cannot_be_taken(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l2.demo", "demo-password-2").await;
    let route = route(&pool).await;
    let before = count(&pool, "SELECT count(*) FROM cos").await;
    let message_for = |file: Vec<u8>| {
        let (app, c) = (&app, &c);
        async move {
            let r = upload(app, c, common("Spring", route, &token()), file).await;
            assert_eq!(r.status(), 303);
            html_text(&app.page(c, &location(&r)).await.1)
        }
    };
    assert!(message_for(vec![]).await.contains("Select a CSV file of the workers"));
    assert!(message_for(b"surname,first\nA,B\n".to_vec()).await.contains("is not one of the template"));
    assert!(message_for(vec![0xff, 0xfe, 0x00, b'\n', 0x80]).await.contains("UTF-8"));
    assert!(message_for(workers(10_001, None).into_bytes()).await.contains("at most 10000 workers"));
    // Just over the file's limit (a body far beyond it is refused with 413 before it is read).
    let huge = format!("{HEADER}\n{}", "x,".repeat(2_650_000)).into_bytes();
    assert!(message_for(huge).await.contains("larger than 5 MB"));
    assert_eq!(count(&pool, "SELECT count(*) FROM cos").await, before);

    // A damaged form is the client's fault, never a 500.
    let r = c.post(app.url("/create-cos/batch")).header("content-type", "multipart/form-data; boundary=x").body("--x\r\nnonsense").send().await.unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_level_2_user_assigns_and_adds_to_only_their_own_batches(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool.clone()).await;
    let route = route(&pool).await;
    let l1 = app.signed_in("l1.demo", "demo-password-1").await;
    let r = upload(&app, &l1, common("Alex's batch", route, &token()), workers(3, None).into_bytes()).await;
    let batch: i64 = location(&r).trim_start_matches("/view-cos/batches/").split('?').next().unwrap().parse().unwrap();
    for (login, password) in [("l2.demo", "demo-password-2"), ("other.l1", "demo-password-3")] {
        let c = app.signed_in(login, password).await;
        for page in [format!("/view-cos/batches/{batch}/assign"), format!("/create-cos/new?batch={batch}")] {
            assert_eq!(app.page(&c, &page).await.0, 404, "{login} {page}");
        }
        let r = c.post(app.url("/api/create/assign_batch")).form(&[("batch_id", batch.to_string().as_str()), ("ready", "3")]).send().await.unwrap();
        assert_eq!(r.status(), 404, "{login}");
    }
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM cos WHERE batch_id = {batch} AND status = 'ASSIGNED'")).await, 0);
}
