//! View CoS: search (each field, accents, combinations, paging, tenancy) and the View CoS
//! screen, over HTTP against the real app, with expectations computed from the database.

mod common;

use common::{html_text, seed_demo, spawn};
use sqlx::PgPool;

async fn acme_user(pool: &PgPool, user_id: &str) -> (i64, i64) {
    sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = $1").bind(user_id).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn search_matches_names_from_their_start_ignoring_case_and_accents(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, _) = acme_user(&pool, "l1.demo").await;
    // Put a known worker in place so that the expectation does not depend on the generator.
    sqlx::query("UPDATE cos SET family_name = 'Lévesque', given_names = 'René' WHERE sponsor_id = $1 AND id = (SELECT min(id) FROM cos WHERE sponsor_id = $1)")
        .bind(acme).execute(&pool).await.unwrap();
    let expected: i64 = sqlx::query_scalar("SELECT count(*) FROM cos WHERE sponsor_id = $1 AND family_name = 'Lévesque' AND given_names LIKE 'René%'")
        .bind(acme).fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;

    let (status, html) = app.page(&c, "/view-cos?family_name=levesq&given_name=rene").await;
    if expected == 1 {
        // One match opens the CoS.
        assert_eq!(status, 302, "{html}");
    } else {
        assert_eq!(status, 200);
        assert!(html.contains(&format!("{expected} CoS match your search")), "{html}");
    }
    // Names match from their start only.
    let (_, html) = app.page(&c, "/view-cos?family_name=vesque").await;
    let middle: i64 = sqlx::query_scalar("SELECT count(*) FROM cos WHERE sponsor_id = $1 AND family_name ILIKE 'vesque%'")
        .bind(acme).fetch_one(&pool).await.unwrap();
    assert_eq!(middle, 0);
    assert!(html.contains("No CoS match your search"), "{html}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn results_page_through_every_match_most_recent_first(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, _) = acme_user(&pool, "l1.demo").await;
    let nationality: String = sqlx::query_scalar(
        "SELECT nationality FROM cos WHERE sponsor_id = $1 GROUP BY 1 HAVING count(*) > 30 ORDER BY count(*) DESC LIMIT 1",
    )
    .bind(acme).fetch_one(&pool).await.unwrap();
    let numbers: Vec<String> = sqlx::query_scalar(
        "SELECT cos_number FROM cos WHERE sponsor_id = $1 AND nationality = $2 ORDER BY status_date DESC, id DESC",
    )
    .bind(acme).bind(&nationality).fetch_all(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let q = nationality.to_lowercase().replace(' ', "+");
    let (status, page1) = app.page(&c, &format!("/view-cos?nationality={q}")).await;
    assert_eq!(status, 200);
    assert!(page1.contains(&format!("{} CoS match your search", numbers.len())));
    let (_, page2) = app.page(&c, &format!("/view-cos?nationality={q}&page=2")).await;
    let mut seen = Vec::new();
    for html in [&page1, &page2] {
        for n in &numbers {
            if html.contains(&format!(">{n}</a>")) {
                seen.push(n.clone());
            }
        }
    }
    // Page 1 holds the 25 most recent, page 2 the next ones, with no overlap.
    let expected: Vec<String> = numbers.iter().take(50).cloned().collect();
    seen.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(seen, want);
    let first_on_page1 = page1.find(&format!(">{}</a>", numbers[0])).unwrap();
    let second_on_page1 = page1.find(&format!(">{}</a>", numbers[1])).unwrap();
    assert!(first_on_page1 < second_on_page1, "most recent status change first");
    assert!(page1.contains("Next page"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_bad_field_is_explained_and_nothing_is_searched(pool: PgPool) {
    seed_demo(&pool).await;
    let app = spawn(pool).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let (status, html) = app.page(&c, "/view-cos?cos_number=123&date_of_birth=31%2F02%2F1990&family_name=Smith").await;
    assert_eq!(status, 200);
    assert!(html.contains("There is a problem"));
    assert!(html.contains("A CoS number is the letter C followed by 10 letters or numbers"));
    assert!(html.contains("Enter the date of birth as day/month/year"));
    assert!(html.contains("value=\"Smith\""), "the form keeps what was typed");
    assert!(!html.contains("match your search"));
    let (_, html) = app.page(&c, "/view-cos").await;
    assert!(html.contains("Enter at least one detail"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_view_cos_screen_shows_every_field(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, _) = acme_user(&pool, "l1.demo").await;
    let (number, family, passport, route, status): (String, String, String, String, String) = sqlx::query_as(
        "SELECT c.cos_number, c.family_name, c.passport_number, r.name, c.status FROM cos c JOIN routes r ON r.id = c.route_id
         WHERE c.sponsor_id = $1 AND c.status = 'USED' AND c.passport_number IS NOT NULL ORDER BY c.id LIMIT 1",
    )
    .bind(acme).fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    // Searching by CoS number opens it.
    let r = c.get(app.url(&format!("/view-cos?cos_number={}", number.to_lowercase()))).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let to = common::location(&r);
    assert!(to.starts_with(&format!("/view-cos/{number}?q=")), "{to}");
    let (code, html) = app.page(&c, &to).await;
    assert_eq!(code, 200);
    for text in [number.as_str(), route.as_str(), passport.as_str(), "Worker", "Work", "Job", "Sponsor notes", "Back"] {
        assert!(html.contains(text), "{text} missing");
    }
    assert!(html.contains(&html_text(&family)), "family name");
    assert_eq!(status_of(&html), status);
    // The status comes with what it means, in the manual's words.
    let meaning = app::domain::Status::parse(&status).unwrap().meaning();
    let shown = |t: &str| html.contains(&html_text(t)) || html.contains(&html_text(t).replace('\'', "&#39;"));
    assert!(html.contains(&format!("What {status} means")) && shown(meaning), "{html}");
    // Back keeps the search, and shows the one match as a list rather than opening it again.
    let back = format!("/view-cos?cos_number={}&amp;list=1", number.to_lowercase());
    assert!(html.contains(&format!("href=\"{back}\"")), "{html}");
    let (code, html) = app.page(&c, &back.replace("&amp;", "&")).await;
    assert_eq!(code, 200, "no redirect this time");
    assert!(html.contains("1 CoS matches your search") && html.contains(&format!(">{number}</a>")), "{html}");
}

fn status_of(html: &str) -> String {
    html.split("status status--large\">").nth(1).unwrap().split('<').next().unwrap().to_string()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn no_one_reaches_a_cos_they_may_not_see(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l2) = acme_user(&pool, "l2.demo").await;
    let not_owned: String = sqlx::query_scalar("SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id <> $2 LIMIT 1")
        .bind(acme).bind(l2).fetch_one(&pool).await.unwrap();
    let owned: String = sqlx::query_scalar("SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id = $2 LIMIT 1")
        .bind(acme).bind(l2).fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;

    // Level 2: own CoS only, in the View CoS screen and in search.
    let c = app.client();
    app.sign_in(&c, "l2.demo", "demo-password-2", "/").await;
    let (status, html) = app.page(&c, &format!("/view-cos/{not_owned}")).await;
    assert_eq!(status, 404);
    assert!(html.contains(&format!("CoS {not_owned} was not found.")));
    let (status, _) = app.page(&c, &format!("/view-cos/{owned}")).await;
    assert_eq!(status, 200);
    let (status, _) = app.page(&c, &format!("/view-cos?cos_number={not_owned}")).await;
    assert_eq!(status, 200, "no redirect: the search finds nothing");
    // A wide search lists only the user's own CoS.
    let owners: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT c.nationality FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id = $2 LIMIT 1",
    )
    .bind(acme).bind(l2).fetch_all(&pool).await.unwrap();
    let nat = owners[0].replace(' ', "+");
    let mine: Vec<String> = sqlx::query_scalar("SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id = $2 AND c.nationality = $3")
        .bind(acme).bind(l2).bind(&owners[0]).fetch_all(&pool).await.unwrap();
    let theirs: Vec<String> = sqlx::query_scalar("SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id <> $2 AND c.nationality = $3")
        .bind(acme).bind(l2).bind(&owners[0]).fetch_all(&pool).await.unwrap();
    let r = c.get(app.url(&format!("/view-cos?nationality={nat}"))).send().await.unwrap();
    let html = r.text().await.unwrap();
    if mine.len() > 1 {
        assert!(html.contains(&format!("{} CoS match your search", mine.len())), "{html}");
    }
    assert!(theirs.iter().all(|n| !html.contains(n.as_str())), "another user's CoS is listed");

    // Another sponsor's user: nothing of Acme, not even that it exists.
    let c = app.client();
    app.sign_in(&c, "other.l1", "demo-password-3", "/").await;
    let (status, html) = app.page(&c, &format!("/view-cos/{owned}")).await;
    assert_eq!(status, 404);
    assert!(!html.contains("Acme"));
    let (_, html) = app.page(&c, &format!("/view-cos?cos_number={owned}")).await;
    assert!(html.contains("No CoS match your search"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_histories_show_what_the_database_holds(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, _) = acme_user(&pool, "l1.demo").await;
    // A USED CoS with reported activity and a transfer, if the demo has one; else any USED with activity.
    let (id, number): (i64, String) = sqlx::query_as(
        "SELECT c.id, c.cos_number FROM cos c
         WHERE c.sponsor_id = $1 AND c.status = 'USED'
           AND EXISTS (SELECT 1 FROM activity_reports a WHERE a.sponsor_id = c.sponsor_id AND a.cos_id = c.id)
         ORDER BY EXISTS (SELECT 1 FROM ownership_history o WHERE o.sponsor_id = c.sponsor_id AND o.cos_id = c.id) DESC, c.id
         LIMIT 1",
    )
    .bind(acme).fetch_one(&pool).await.unwrap();
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM cos_status_history WHERE sponsor_id = $1 AND cos_id = $2 ORDER BY changed_at, id")
        .bind(acme).bind(id).fetch_all(&pool).await.unwrap();
    let activities: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT a.id, t.name, a.details FROM activity_reports a JOIN activity_types t ON t.id = a.activity_type_id
         WHERE a.sponsor_id = $1 AND a.cos_id = $2 ORDER BY a.reported_at, a.id",
    )
    .bind(acme).bind(id).fetch_all(&pool).await.unwrap();
    let transfers: Vec<String> = sqlx::query_scalar(
        "SELECT u.full_name FROM ownership_history o JOIN users u ON u.id = o.to_user_id WHERE o.sponsor_id = $1 AND o.cos_id = $2 ORDER BY o.transferred_at",
    )
    .bind(acme).bind(id).fetch_all(&pool).await.unwrap();

    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;

    let (code, html) = app.page(&c, &format!("/view-cos/{number}/status-history")).await;
    assert_eq!(code, 200);
    let mut at = 0;
    for s in &statuses {
        let found = html[at..].find(&format!("<span class=\"status\">{s}</span></td>")).unwrap_or_else(|| panic!("{s} in order"));
        at += found + 1;
    }
    assert!(html.contains("Home Office"), "USED was recorded by the Home Office");

    let (code, html) = app.page(&c, &format!("/view-cos/{number}/activity-history")).await;
    assert_eq!(code, 200);
    for (aid, kind, _) in &activities {
        assert!(html.contains(&format!("name=\"activity\" id=\"activity-{aid}\" value=\"{aid}\"")), "a choice of report {aid}");
        assert!(html.contains(&html_text(kind)));
    }
    let (aid, kind, details) = &activities[0];
    assert!(html.contains(&format!("action=\"/view-cos/{number}/activity-details\"")), "Next opens the details");
    let (code, html) = app.page(&c, &format!("/view-cos/{number}/activity-details?activity={aid}")).await;
    assert_eq!(code, 200);
    assert!(html.contains("<h1>View CoS activity details</h1>"));
    assert!(html.contains(&html_text(kind)) && html.contains(&html_text(details)));
    // Back returns to the activity list, the previous screen.
    assert!(html.contains(&format!("href=\"/view-cos/{number}/activity-history\"")));

    let (code, html) = app.page(&c, &format!("/view-cos/{number}/ownership-history")).await;
    assert_eq!(code, 200);
    if transfers.is_empty() {
        assert!(html.contains("has not been transferred"));
    }
    for to in &transfers {
        assert!(html.contains(&html_text(to)), "{to}");
    }

    // A CoS that is not USED has no activity, and says why.
    let draft: String = sqlx::query_scalar("SELECT cos_number FROM cos WHERE sponsor_id = $1 AND status = 'ASSIGNED' LIMIT 1")
        .bind(acme).fetch_one(&pool).await.unwrap();
    let (_, html) = app.page(&c, &format!("/view-cos/{draft}/activity-history")).await;
    assert!(html.contains("Activity can only be reported on a CoS with the status USED"));

    // Nobody else reaches any of it.
    let other = app.client();
    app.sign_in(&other, "other.l1", "demo-password-3", "/").await;
    for path in ["status-history", "activity-history", "ownership-history", &format!("activity-details?activity={aid}")] {
        let (code, html) = app.page(&other, &format!("/view-cos/{number}/{path}")).await;
        assert_eq!(code, 404, "{path}");
        assert!(!html.contains("Acme") && !html.contains(&html_text(details)));
    }
}
