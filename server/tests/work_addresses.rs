//! Manage work addresses: add (with errors), edit (not without a change), delete, the rules,
//! who may do what, two people editing at once, and a CoS keeping its copy.

mod common;

use common::{html_text, location, seed_demo, spawn, TestApp};
use sqlx::PgPool;

const LIST: &str = "/work-addresses";


fn fields<'a>(id: &'a str, version: &'a str, f: [&'a str; 7]) -> Vec<(&'a str, &'a str)> {
    let names = ["identifier", "line1", "line2", "line3", "town", "county", "postcode"];
    let mut v = vec![("id", id), ("version", version)];
    v.extend(names.into_iter().zip(f));
    v
}

async fn post(app: &TestApp, c: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(app.url(path)).header("origin", app.base.clone()).form(form).send().await.unwrap()
}

async fn acme(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT id FROM sponsors WHERE name = 'Acme Engineering Ltd'").fetch_one(pool).await.unwrap()
}

async fn count(pool: &PgPool, sponsor: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM work_addresses WHERE sponsor_id = $1").bind(sponsor).fetch_one(pool).await.unwrap()
}

async fn audited(pool: &PgPool, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1").bind(action).fetch_one(pool).await.unwrap()
}

/// (id, version, identifier) of an Acme address.
async fn an_address(pool: &PgPool) -> (i64, i32, String) {
    sqlx::query_as("SELECT w.id, w.version, w.identifier FROM work_addresses w JOIN sponsors s ON s.id = w.sponsor_id
                    WHERE s.name = 'Acme Engineering Ltd' ORDER BY w.id LIMIT 1")
        .fetch_one(pool).await.unwrap()
}


#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn add_with_errors_then_add_and_see_it_listed(pool: PgPool) {
    seed_demo(&pool).await;
    let sponsor = acme(&pool).await;
    let before = count(&pool, sponsor).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;

    let (_, html) = app.page(&c, "/").await;
    assert!(html.contains(&format!("href=\"{LIST}\"")), "Workers links Manage work addresses");
    let (code, html) = app.page(&c, LIST).await;
    assert_eq!(code, 200);
    assert!(html.contains(&format!("href=\"{LIST}/add\"")), "Add");

    // Errors: by each field and in the summary; what was typed is kept; nothing is saved.
    let r = post(&app, &c, "/api/work_addresses/save", &fields("", "", ["Depot <North>", "", "Unit 4", "", "", "", "m1 3h"])).await;
    assert_eq!(r.status(), 302);
    assert_eq!(location(&r), format!("{LIST}/add"));
    let (code, html) = app.page(&c, &location(&r)).await;
    assert_eq!(code, 200);
    assert!(html.contains("There is a problem"));
    for (field, message) in [("line1", "Enter address line 1"), ("town", "Enter a town or city"), ("postcode", "Enter a real UK postcode, like M1 3HE")] {
        assert!(html.contains(&format!("href=\"#{field}\"")), "summary links {field}");
        assert!(html.contains(&format!("id=\"{field}-error\"")) && html.contains(message), "{message}");
    }
    assert!(html.contains("value=\"Depot &lt;North&gt;\"") || html.contains("value=\"Depot <North>\""), "identifier kept");
    assert!(html.contains("value=\"Unit 4\"") && html.contains("value=\"m1 3h\""), "typed values kept");
    assert_eq!(count(&pool, sponsor).await, before);
    // Shown once: a reload is a fresh form.
    let (_, html) = app.page(&c, &format!("{LIST}/add")).await;
    assert!(!html.contains("There is a problem"));

    let r = post(&app, &c, "/api/work_addresses/save",
        &fields("", "", ["  Piccadilly site ", "1 Piccadilly", "", "", "Manchester", "Greater Manchester", "m1   3he"])).await;
    assert_eq!(location(&r), LIST);
    let (postcode, identifier): (String, String) = sqlx::query_as("SELECT postcode, identifier FROM work_addresses WHERE sponsor_id = $1 AND identifier ILIKE 'piccadilly%'")
        .bind(sponsor).fetch_one(&pool).await.unwrap();
    assert_eq!((postcode.as_str(), identifier.as_str()), ("M1 3HE", "Piccadilly site"));
    assert_eq!(count(&pool, sponsor).await, before + 1);
    assert_eq!(audited(&pool, "work_address_added").await, 1);
    let (_, html) = app.page(&c, LIST).await;
    assert!(html.contains("Work address “Piccadilly site” has been added."));
    assert!(html.contains(">Piccadilly site</a>") && html.contains("1 Piccadilly, Manchester, Greater Manchester, M1 3HE"));

    // The same Add sent twice lands once.
    let again = post(&app, &c, "/api/work_addresses/save",
        &fields("", "", ["Piccadilly site", "1 Piccadilly", "", "", "Manchester", "Greater Manchester", "M1 3HE"])).await;
    assert_eq!(location(&again), LIST);
    assert_eq!(count(&pool, sponsor).await, before + 1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_identifier_is_unique_within_the_sponsor_ignoring_case(pool: PgPool) {
    seed_demo(&pool).await;
    let sponsor = acme(&pool).await;
    let (_, _, taken) = an_address(&pool).await;
    let before = count(&pool, sponsor).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let shouted = taken.to_uppercase();
    let r = post(&app, &c, "/api/work_addresses/save", &fields("", "", [&shouted, "2 Other Road", "", "", "Leeds", "", "LS1 4AP"])).await;
    assert_eq!(location(&r), format!("{LIST}/add"));
    let (_, html) = app.page(&c, &location(&r)).await;
    assert!(html.contains(&format!("You already have a work address called “{}”", html_text(&shouted))), "{html}");
    assert_eq!(count(&pool, sponsor).await, before);

    // Another sponsor may use the same identifier.
    let c = app.signed_in("other.l1", "demo-password-3").await;
    let r = post(&app, &c, "/api/work_addresses/save", &fields("", "", [&taken, "2 Other Road", "", "", "Leeds", "", "LS1 4AP"])).await;
    assert_eq!(location(&r), LIST);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn edit_saves_only_a_change(pool: PgPool) {
    seed_demo(&pool).await;
    let (id, version, _) = an_address(&pool).await;
    let (identifier, line1, town, postcode): (String, String, String, String) =
        sqlx::query_as("SELECT identifier, line1, town, postcode FROM work_addresses WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    let county: Option<String> = sqlx::query_scalar("SELECT county FROM work_addresses WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    let line2: Option<String> = sqlx::query_scalar("SELECT line2 FROM work_addresses WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    let (county, line2) = (county.unwrap_or_default(), line2.unwrap_or_default());
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (code, html) = app.page(&c, &format!("{LIST}/{id}")).await;
    assert_eq!(code, 200);
    assert!(html.contains("<h1>Edit work address</h1>"));
    assert!(html.contains(&format!("value=\"{}\"", html_text(&identifier))));
    assert!(html.contains(&format!("href=\"{LIST}/{id}/delete\"")), "Delete");
    // Without WebAssembly the server renders Save enabled; the browser disables it.
    assert!(!html.contains("disabled"));

    // Unchanged (the postcode only in lower case): refused with the manual's rule.
    let v = version.to_string();
    let id_s = id.to_string();
    let lower = postcode.to_lowercase();
    let r = post(&app, &c, "/api/work_addresses/save", &fields(&id_s, &v, [&identifier, &line1, &line2, "", &town, &county, &lower])).await;
    assert_eq!(location(&r), format!("{LIST}/{id}"));
    let (_, html) = app.page(&c, &location(&r)).await;
    assert!(html.contains(app::domain::work_address::NO_CHANGE));
    let now: i32 = sqlx::query_scalar("SELECT version FROM work_addresses WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(now, version);

    let r = post(&app, &c, "/api/work_addresses/save", &fields(&id_s, &v, [&identifier, "99 New Street", &line2, "", &town, &county, &postcode])).await;
    assert_eq!(location(&r), LIST);
    let (line1_now, version_now): (String, i32) = sqlx::query_as("SELECT line1, version FROM work_addresses WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!((line1_now.as_str(), version_now), ("99 New Street", version + 1));
    assert_eq!(audited(&pool, "work_address_changed").await, 1);
    let (_, html) = app.page(&c, LIST).await;
    assert!(html.contains(&format!("Work address “{}” has been saved.", html_text(&identifier))));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn of_two_people_editing_the_second_is_told_and_shown_the_address_now(pool: PgPool) {
    seed_demo(&pool).await;
    let (id, version, identifier) = an_address(&pool).await;
    let app = spawn(pool.clone()).await;
    let first = app.signed_in("l1.demo", "demo-password-1").await;
    let second = app.signed_in("user3.s1", server::seed::GENERATED_USER_PASSWORD).await;
    let (id_s, v) = (id.to_string(), version.to_string());
    let r = post(&app, &first, "/api/work_addresses/save", &fields(&id_s, &v, [&identifier, "1 First Street", "", "", "Leeds", "", "LS1 4AP"])).await;
    assert_eq!(location(&r), LIST);
    let r = post(&app, &second, "/api/work_addresses/save", &fields(&id_s, &v, [&identifier, "2 Second Street", "", "", "York", "", "YO1 7HH"])).await;
    assert_eq!(location(&r), format!("{LIST}/{id}"));
    let (_, html) = app.page(&second, &location(&r)).await;
    assert!(html.contains("Someone else changed this work address after you opened it"));
    assert!(html.contains("The address now") && html.contains("1 First Street"), "the current values");
    assert!(html.contains("value=\"2 Second Street\""), "and what they typed");
    assert!(html.contains(&format!("name=\"version\" value=\"{}\"", version + 1)), "saving again is a choice made knowing");
    let line1: String = sqlx::query_scalar("SELECT line1 FROM work_addresses WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(line1, "1 First Street", "nothing silently overwritten");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn delete_asks_then_deletes_once(pool: PgPool) {
    seed_demo(&pool).await;
    let sponsor = acme(&pool).await;
    let before = count(&pool, sponsor).await;
    let (id, version, identifier) = an_address(&pool).await;
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let (code, html) = app.page(&c, &format!("{LIST}/{id}/delete")).await;
    assert_eq!(code, 200);
    assert!(html.contains("<h1>Delete work address</h1>") && html.contains(&html_text(&identifier)));
    assert!(html.contains("action=\"/api/work_addresses/delete\""));

    let (id_s, stale) = (id.to_string(), (version - 1).to_string());
    let r = post(&app, &c, "/api/work_addresses/delete", &[("id", &id_s), ("version", &stale)]).await;
    assert_eq!(location(&r), format!("{LIST}/{id}/delete?problem=changed"));
    assert_eq!(count(&pool, sponsor).await, before, "a stale delete deletes nothing");

    let v = version.to_string();
    for _ in 0..2 {
        let r = post(&app, &c, "/api/work_addresses/delete", &[("id", &id_s), ("version", &v)]).await;
        assert_eq!(location(&r), LIST);
    }
    assert_eq!(count(&pool, sponsor).await, before - 1);
    assert_eq!(audited(&pool, "work_address_deleted").await, 1);
    let (code, _) = app.page(&c, &format!("{LIST}/{id}")).await;
    assert_eq!(code, 404);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn level_two_sees_and_only_level_one_changes(pool: PgPool) {
    seed_demo(&pool).await;
    let sponsor = acme(&pool).await;
    let before = count(&pool, sponsor).await;
    let (id, version, identifier) = an_address(&pool).await;
    let app = spawn(pool.clone()).await;
    let (id_s, v) = (id.to_string(), version.to_string());

    let c = app.signed_in("l2.demo", "demo-password-2").await;
    let (code, html) = app.page(&c, LIST).await;
    assert_eq!(code, 200);
    assert!(html.contains(&html_text(&identifier)) && !html.contains(&format!("href=\"{LIST}/add\"")));
    let (code, html) = app.page(&c, &format!("{LIST}/{id}")).await;
    assert_eq!(code, 200);
    assert!(html.contains("<h1>Work address</h1>") && !html.contains("/api/work_addresses/save"), "read only");
    // The tab says so too: one title, not "Edit work address".
    assert_eq!(html.matches("<title>").count(), 1, "{html}");
    assert!(html.contains("<title>Work address – Sponsorship Management System</title>"), "{html}");
    for path in [format!("{LIST}/add"), format!("{LIST}/{id}/delete")] {
        assert_eq!(app.page(&c, &path).await.0, 403, "{path}");
    }
    let r = post(&app, &c, "/api/work_addresses/save", &fields("", "", ["New", "1 Road", "", "", "Leeds", "", "LS1 4AP"])).await;
    assert_eq!(r.status(), 403);
    let r = post(&app, &c, "/api/work_addresses/save", &fields(&id_s, &v, [&identifier, "1 Road", "", "", "Leeds", "", "LS1 4AP"])).await;
    assert_eq!(r.status(), 403);
    let r = post(&app, &c, "/api/work_addresses/delete", &[("id", &id_s), ("version", &v)]).await;
    assert_eq!(r.status(), 403);

    // Another sponsor: not found, and its posts reach nothing of Acme's.
    let c = app.signed_in("other.l1", "demo-password-3").await;
    let (code, html) = app.page(&c, &format!("{LIST}/{id}")).await;
    assert_eq!(code, 404);
    assert!(!html.contains(&html_text(&identifier)));
    let (_, html) = app.page(&c, LIST).await;
    assert!(!html.contains(&format!("href=\"{LIST}/{id}\"")));
    post(&app, &c, "/api/work_addresses/save", &fields(&id_s, &v, [&identifier, "1 Road", "", "", "Leeds", "", "LS1 4AP"])).await;
    post(&app, &c, "/api/work_addresses/delete", &[("id", &id_s), ("version", &v)]).await;

    // Cross-site and signed out.
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    let r = c.post(app.url("/api/work_addresses/delete")).header("origin", "https://evil.example")
        .form(&[("id", id_s.as_str()), ("version", v.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = post(&app, &app.client(), "/api/work_addresses/delete", &[("id", &id_s), ("version", &v)]).await;
    assert_ne!(location(&r), LIST);

    assert_eq!(count(&pool, sponsor).await, before);
    let (line1, version_now): (String, i32) = sqlx::query_as("SELECT line1, version FROM work_addresses WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_ne!(line1, "1 Road");
    assert_eq!(version_now, version);
}

/// A CoS is given a copy of a pre-stored address; editing or deleting the address later does
/// not touch the CoS (there is no CoS creation screen yet, so this is at the database level).
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_cos_keeps_the_copy_it_was_given(pool: PgPool) {
    use app::db::work_addresses as wa;
    use app::domain::work_address::AddressForm;

    seed_demo(&pool).await;
    let sponsor = acme(&pool).await;
    let (id, version, _) = an_address(&pool).await;
    let draft: i64 = sqlx::query_scalar("SELECT id FROM cos WHERE sponsor_id = $1 AND status = 'WORK IN PROGRESS' ORDER BY id LIMIT 1")
        .bind(sponsor).fetch_one(&pool).await.unwrap();
    let used: i64 = sqlx::query_scalar("SELECT id FROM cos WHERE sponsor_id = $1 AND status = 'USED' ORDER BY id LIMIT 1")
        .bind(sponsor).fetch_one(&pool).await.unwrap();
    let other: i64 = sqlx::query_scalar("SELECT w.id FROM work_addresses w JOIN sponsors s ON s.id = w.sponsor_id WHERE s.name <> 'Acme Engineering Ltd' LIMIT 1")
        .fetch_one(&pool).await.unwrap();

    // The drop-down offers the sponsor's own addresses only.
    let offered: Vec<i64> = wa::list(&pool, sponsor).await.unwrap().iter().map(|a| a.id).collect();
    assert!(offered.contains(&id) && !offered.contains(&other));

    let mut tx = pool.begin().await.unwrap();
    assert!(wa::copy_to_cos(&mut tx, sponsor, id, draft).await.unwrap());
    assert!(!wa::copy_to_cos(&mut tx, sponsor, id, used).await.unwrap(), "only a draft takes an address");
    assert!(!wa::copy_to_cos(&mut tx, sponsor, other, draft).await.unwrap(), "never another sponsor's address");
    tx.commit().await.unwrap();
    let work_address = |pool: PgPool| async move {
        sqlx::query_as::<_, (Option<String>, Option<String>, Option<String>)>(
            "SELECT work_address_line1, work_address_town, work_address_postcode FROM cos WHERE id = $1",
        )
        .bind(draft).fetch_one(&pool).await.unwrap()
    };
    let given = work_address(pool.clone()).await;
    let stored = wa::by_id(&pool, sponsor, id).await.unwrap().unwrap();
    assert_eq!(given, (Some(stored.line1.clone()), Some(stored.town.clone()), Some(stored.postcode.clone())));

    let mut changed = stored.address().to_form();
    changed = AddressForm { line1: "500 Elsewhere Road".into(), town: "York".into(), postcode: "YO1 7HH".into(), ..changed };
    let mut tx = pool.begin().await.unwrap();
    assert_eq!(wa::update(&mut tx, sponsor, id, version, &changed.parse().unwrap()).await.unwrap(), Ok(true));
    tx.commit().await.unwrap();
    assert_eq!(work_address(pool.clone()).await, given, "an edit leaves the CoS's copy");

    let mut tx = pool.begin().await.unwrap();
    assert!(wa::delete(&mut tx, sponsor, id, version + 1).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(work_address(pool.clone()).await, given, "a delete leaves the CoS's copy");
}
