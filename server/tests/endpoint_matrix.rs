//! Every endpoint against every threat, from one table: signed out, another sponsor's user, a
//! Level 2 user on someone else's CoS or batch, a cross-site post, and garbage in every
//! argument. An endpoint added without a row fails `the_table_covers_every_endpoint`.

mod common;

use common::{seed_demo, spawn, TestApp};
use sqlx::PgPool;
use std::collections::BTreeSet;

/// What an argument is given in the threats that aim at something real: a thing of Acme's
/// that the Level 2 user does not own (a CoS, a batch), or one of Acme's work addresses.
#[derive(Clone, Copy, Debug)]
enum Arg {
    Cos,
    Batch,
    Address,
    /// Acme's Level 1 user: a "transfer to" that exists.
    User,
    /// Acme's Level 2 user's user ID: someone a Level 1 user of Acme (only) may manage.
    Login,
    Version,
    /// A ticked-CoS selection of the CoS above.
    Selection,
    Text(&'static str),
}

/// A server function: its path under /api/, and its arguments as the form posts them.
struct ServerFn {
    path: &'static str,
    args: &'static [(&'static str, Arg)],
    /// Whether a signed-out caller may use it (the sign-in screen needs these).
    public: bool,
}

const fn f(path: &'static str, args: &'static [(&'static str, Arg)]) -> ServerFn {
    ServerFn { path, args, public: false }
}

const SERVER_FNS: &[ServerFn] = &[
    ServerFn { path: "me", args: &[], public: true },
    ServerFn { path: "sign_in_notice", args: &[], public: true },
    f("workers/attention", &[]),
    f("cos/advanced-choices", &[]),
    f("cos/advanced-search", &[("form[cos_number]", Arg::Cos), ("form[page]", Arg::Text("1"))]),
    f("cos/search", &[("form[cos_number]", Arg::Cos), ("form[page]", Arg::Text("1"))]),
    f("cos/view", &[("cos_number", Arg::Cos)]),
    f("cos/histories", &[("cos_number", Arg::Cos)]),
    f("cos/transfer_form", &[("cos_number", Arg::Cos)]),
    f("cos/transfer", &[("cos_number", Arg::Cos), ("to_user", Arg::User), ("version", Arg::Version), ("q", Arg::Text(""))]),
    f("cos/transfer_many_form", &[("selection", Arg::Selection)]),
    f("cos/transfer_many", &[("selection", Arg::Selection), ("to_user", Arg::User), ("state", Arg::Text("1-x")), ("back", Arg::Text(""))]),
    f("cos/live", &[("cos_number", Arg::Cos)]),
    f("cos/latest_change", &[("cos_number", Arg::Cos), ("kind", Arg::Text("owner"))]),
    f("cos/withdraw", &[("cos_number", Arg::Cos), ("q", Arg::Text(""))]),
    f("batches/search", &[("form[reference]", Arg::Text("")), ("form[page]", Arg::Text("1"))]),
    f("batches/view", &[("id", Arg::Batch)]),
    f("batches/transfer", &[("batch_id", Arg::Batch), ("to_user", Arg::User), ("version", Arg::Version)]),
    f("work_addresses/list", &[]),
    f("work_addresses/screen", &[("id", Arg::Address)]),
    f("work_addresses/save", &[("id", Arg::Address), ("version", Arg::Version), ("identifier", Arg::Text("Forged")),
        ("line1", Arg::Text("1 Forged Road")), ("line2", Arg::Text("")), ("line3", Arg::Text("")), ("town", Arg::Text("Leeds")),
        ("county", Arg::Text("")), ("postcode", Arg::Text("LS1 1AA"))]),
    f("work_addresses/delete", &[("id", Arg::Address), ("version", Arg::Version)]),
    f("create/routes", &[]),
    f("create/lists", &[]),
    f("cos/note_form", &[("cos_number", Arg::Cos)]),
    f("report/cos", &[("cos_number", Arg::Cos)]),
    f("report/form", &[("cos_number", Arg::Cos)]),
    f("report/check", &[("cos_number", Arg::Cos), ("report[activity]", Arg::Text("1")), ("report[event_date]", Arg::Text("01/11/2026")),
        ("report[details]", Arg::Text("A forged report"))]),
    f("report/check_screen", &[("cos_number", Arg::Cos)]),
    f("report/submit", &[("cos_number", Arg::Cos)]),
    f("cos/add_note", &[("cos_number", Arg::Cos), ("note", Arg::Text("A forged note")), ("q", Arg::Text(""))]),
    f("create/form", &[("cos_number", Arg::Cos), ("route", Arg::Text("1")), ("copy", Arg::Cos), ("batch", Arg::Batch)]),
    f("create/save", &[("cos_number", Arg::Cos), ("version", Arg::Version), ("route", Arg::Text("1")), ("batch", Arg::Batch), ("token", Arg::Text("")),
        ("cos[family_name]", Arg::Text("Forged"))]),
    f("create/saved", &[("cos_number", Arg::Cos)]),
    f("create/delete", &[("cos_number", Arg::Cos), ("version", Arg::Version)]),
    f("create/assign_screen", &[("cos_number", Arg::Cos)]),
    f("create/assign", &[("cos_number", Arg::Cos), ("version", Arg::Version)]),
    f("create/batch_form", &[("route", Arg::Text("1"))]),
    f("create/batch_assign_screen", &[("batch_id", Arg::Batch)]),
    f("create/assign_batch", &[("batch_id", Arg::Batch), ("ready", Arg::Text("1"))]),
    f("users/list", &[]),
    f("users/user", &[("user_id", Arg::Login)]),
    f("users/new_form", &[]),
    f("users/create", &[("full_name", Arg::Text("Forged User")), ("email", Arg::Text("forged@example.com")), ("user_id", Arg::Text("forged.user"))]),
    f("users/created", &[]),
    f("users/deactivate", &[("user_id", Arg::Login)]),
    f("users/reactivate", &[("user_id", Arg::Login)]),
    f("account/password_form", &[]),
    f("account/change_password", &[("current_password", Arg::Text("not-the-password")), ("new_password", Arg::Text("x")), ("confirm_password", Arg::Text("x"))]),
];

/// Pages (the app's routes) with their parameters, and the plain routes beside them.
const PAGES: &[&str] = &[
    "/", "/sign-in", "/view-cos", "/view-cos/advanced", "/view-cos/batches", "/view-cos/transfer-many",
    "/view-cos/transferred-many", "/view-cos/batches/:batch_id", "/view-cos/batches/:batch_id/transfer",
    "/view-cos/batches/:batch_id/transferred", "/view-cos/:cos_number", "/view-cos/:cos_number/status-history",
    "/view-cos/:cos_number/activity-history", "/view-cos/:cos_number/activity-details",
    "/view-cos/:cos_number/ownership-history", "/view-cos/:cos_number/transfer", "/view-cos/:cos_number/transferred",
    "/work-addresses", "/work-addresses/add", "/work-addresses/:id", "/work-addresses/:id/delete", "/sponsorship-duties",
    "/sponsorship-duties/manage-live-cos", "/sponsorship-duties/manage-live-cos/:cos_number",
    "/sponsorship-duties/manage-live-cos/:cos_number/withdraw", "/create-cos", "/create-cos/new", "/create-cos/deleted",
    "/create-cos/:cos_number/saved", "/view-cos/:cos_number/edit", "/view-cos/:cos_number/delete", "/view-cos/:cos_number/assign",
    "/view-cos/:cos_number/assigned", "/create-cos/batch", "/view-cos/batches/:batch_id/assign",
    "/sponsorship-duties/manage-live-cos/:cos_number/note", "/sponsorship-duties/report-activity",
    "/sponsorship-duties/report-activity/:cos_number", "/sponsorship-duties/report-activity/:cos_number/report",
    "/sponsorship-duties/report-activity/:cos_number/check", "/sponsorship-duties/report-activity/:cos_number/reported",
    "/change-password", "/manage-users", "/manage-users/new", "/manage-users/created", "/manage-users/user/:user_id",
    "/manage-users/user/:user_id/deactivate",
];
const PLAIN_GETS: &[&str] =
    &["/view-cos/:cos_number/print", "/view-cos/advanced/export.csv", "/view-cos/advanced/open", "/create-cos/batch-template.csv", "/health"];
const PLAIN_POSTS: &[&str] = &["/sign-in", "/sign-out", "/create-cos/batch"];
/// The live-change stream: what it carries for whom is tested in several_servers.rs.
const STREAMS: &[&str] = &["/changes"];

/// Values no form sends: empty, a NUL, huge, negative, out of range, traversal, markup,
/// a LIKE wildcard, a bidi override, a line break.
const GARBAGE: &[&str] = &["", "\0", "-1", "99999999999999999999", "../../etc/passwd", "<script>x</script>", "%", "\u{202e}x", "a\r\nb", "1.5", "[]"];

struct Fixture {
    cos: String,
    cos_family_name: String,
    batch: i64,
    address: i64,
    address_version: i32,
    l1: i64,
}

async fn fixture(pool: &PgPool) -> Fixture {
    // A CoS and a batch of Acme's that the Level 2 user does not own.
    let (cos, family, l1): (String, String, i64) = sqlx::query_as(
        "SELECT c.cos_number, c.family_name, l1.id FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id
         JOIN users l1 ON l1.sponsor_id = c.sponsor_id AND l1.user_id = 'l1.demo'
         JOIN users l2 ON l2.sponsor_id = c.sponsor_id AND l2.user_id = 'l2.demo'
         WHERE o.owner_id <> l2.id AND c.status = 'ASSIGNED' AND length(c.family_name) > 3 ORDER BY c.id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let batch: i64 = sqlx::query_scalar(
        "SELECT b.id FROM batches b JOIN users l2 ON l2.sponsor_id = b.sponsor_id AND l2.user_id = 'l2.demo' WHERE b.owner_id <> l2.id ORDER BY b.id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let (address, address_version): (i64, i32) = sqlx::query_as(
        "SELECT w.id, w.version FROM work_addresses w JOIN users l1 ON l1.sponsor_id = w.sponsor_id AND l1.user_id = 'l1.demo' ORDER BY w.id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    Fixture { cos, cos_family_name: family, batch, address, address_version, l1 }
}

impl Fixture {
    fn value(&self, a: Arg) -> String {
        match a {
            Arg::Cos => self.cos.clone(),
            Arg::Batch => self.batch.to_string(),
            Arg::Address => self.address.to_string(),
            Arg::User => self.l1.to_string(),
            Arg::Login => "l2.demo".to_string(),
            Arg::Version => self.address_version.to_string(),
            Arg::Selection => format!("cos={}", self.cos),
            Arg::Text(t) => t.to_string(),
        }
    }

    fn path(&self, template: &str) -> String {
        template
            .replace(":cos_number", &self.cos)
            .replace(":batch_id", &self.batch.to_string())
            .replace(":id", &self.address.to_string())
            .replace(":user_id", "l2.demo")
    }
}

/// Everything a threat might change, as one value: owners, batches, addresses, statuses,
/// histories. The same before and after means nothing changed.
async fn fingerprint(pool: &PgPool) -> String {
    sqlx::query_scalar(
        "SELECT md5(string_agg(t, ',' ORDER BY t)) FROM (
             SELECT 'o' || row(o.*)::text AS t FROM cos_owners o
             UNION ALL SELECT 'b' || row(b.*)::text FROM batches b
             UNION ALL SELECT 'w' || row(w.*)::text FROM work_addresses w
             UNION ALL SELECT 'c' || row(c.id, c.status, c.version)::text FROM cos c
             UNION ALL SELECT 'h' || count(*)::text FROM ownership_history
             UNION ALL SELECT 's' || count(*)::text FROM cos_status_history
         ) x",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn call(app: &TestApp, c: &reqwest::Client, path: &str, form: &[(String, String)]) -> (u16, String) {
    let r = c
        .post(app.url(&format!("/api/{path}")))
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_table_covers_every_endpoint() {
    // Every server function the app registers has a row, and every row is registered.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.trim_start_matches("/api/").to_string())
        .collect();
    let table: BTreeSet<String> = SERVER_FNS.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(registered, table, "a server function without a row in the matrix (or a row without one)");
    // Every page route has a row.
    let routes: BTreeSet<String> =
        server::startup::routes().iter().map(|r| r.path().replace('{', ":").replace('}', "")).collect();
    let pages: BTreeSet<String> = PAGES.iter().map(|p| p.to_string()).collect();
    assert_eq!(routes, pages, "a page without a row in the matrix");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_endpoint_against_every_threat(pool: PgPool) {
    seed_demo(&pool).await;
    let fx = fixture(&pool).await;
    let app = spawn(pool.clone()).await;
    let before = fingerprint(&pool).await;
    let mut checked = 0;

    // 1. Signed out: 401 for a server function, sign in first for a page or a file.
    let anon = app.client();
    for sf in SERVER_FNS {
        let form: Vec<(String, String)> = sf.args.iter().map(|(k, a)| (k.to_string(), fx.value(*a))).collect();
        let (status, body) = call(&app, &anon, sf.path, &form).await;
        if sf.public {
            assert_eq!(status, 200, "{}: {body}", sf.path);
        } else {
            assert_eq!(status, 401, "{} signed out: {body}", sf.path);
        }
        checked += 1;
    }
    for page in PAGES.iter().chain(PLAIN_GETS).filter(|p| !["/sign-in", "/health"].contains(p)) {
        let r = anon.get(app.url(&fx.path(page))).send().await.unwrap();
        assert_eq!(r.status(), 303, "{page} signed out");
        assert!(common::location(&r).starts_with("/sign-in"), "{page}");
        checked += 1;
    }
    let r = anon.post(app.url("/sign-out")).send().await.unwrap();
    assert_eq!(r.status(), 401, "sign-out signed out");
    checked += 1;
    // Told the session ended, and nothing else (an EventSource cannot follow a sign-in).
    for stream in STREAMS {
        let r = anon.get(app.url(stream)).header("accept", "text/event-stream").send().await.unwrap();
        assert_eq!(r.status(), 200, "{stream} signed out");
        assert_eq!(r.text().await.unwrap().trim(), "event: ended\ndata: {}", "{stream} signed out");
        checked += 1;
    }

    // 2 and 3. Another sponsor's Level 1 user, and Acme's Level 2 user, aimed at Acme's
    // things that are not theirs: never found, nothing revealed, nothing changed.
    for (login, password) in [("other.l1", "demo-password-3"), ("l2.demo", "demo-password-2")] {
        let c = app.signed_in(login, password).await;
        for sf in SERVER_FNS.iter().filter(|f| !f.args.is_empty()) {
            let form: Vec<(String, String)> = sf.args.iter().map(|(k, a)| (k.to_string(), fx.value(*a))).collect();
            let (status, body) = call(&app, &c, sf.path, &form).await;
            assert!(status < 500, "{login} {}: {status} {body}", sf.path);
            assert!(!body.contains(&fx.cos_family_name), "{login} {}: revealed the worker: {body}", sf.path);
            // Searches answer with what the user does reach; a Level 2 user may read (not
            // change) the sponsor's pre-stored work addresses.
            let reaches = matches!(sf.path, "cos/advanced-search" | "cos/search" | "batches/search" | "create/batch_form")
                || (login == "l2.demo" && sf.path == "work_addresses/screen");
            if !reaches && status == 200 {
                // A redirect to "transferred" or "withdrawn" would mean it went through.
                // ("count":0: a selection of CoS out of reach holds none.)
                assert!(body == "null" || body.contains("Invalid") || body.contains("NotFound") || body.contains("\"count\":0")
                    // A transfer whose selection holds none of theirs finds it "changed"; a
                    // user of another sponsor is no one to transfer to.
                    || body.contains("\"Changed\"") || body == "\"Choose\"",
                    "{login} {}: {body}", sf.path);
            }
            checked += 1;
        }
        for page in PAGES.iter().filter(|p| p.contains(':')).chain(PLAIN_GETS.iter().filter(|p| p.contains(':'))) {
            let path = fx.path(page);
            // A Level 2 user may manage nothing, but may see the sponsor's work addresses.
            if login == "l2.demo" && page.starts_with("/work-addresses/:id") && !page.ends_with("/delete") {
                continue;
            }
            let r = c.get(app.url(&path)).send().await.unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert!(status == 404 || (login == "l2.demo" && page.ends_with("/delete") && status < 500), "{login} {path}: {status}");
            assert!(!body.contains(&fx.cos_family_name), "{login} {path}: revealed the worker");
            checked += 1;
        }
    }
    assert_eq!(fingerprint(&pool).await, before, "nothing changed for the wrong user");

    // 4. Cross-site: every post refused, whoever is signed in.
    let c = app.signed_in("l1.demo", "demo-password-1").await;
    for path in SERVER_FNS.iter().map(|f| format!("/api/{}", f.path)).chain(PLAIN_POSTS.iter().map(|p| p.to_string())) {
        let r = c.post(app.url(&path)).header("origin", "https://evil.example").send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
        let r = c.post(app.url(&path)).header("sec-fetch-site", "cross-site").send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
        checked += 1;
    }
    assert_eq!(fingerprint(&pool).await, before, "nothing changed by a cross-site post");

    // 5. Garbage in every argument, one at a time, and in the body as a whole: a 4xx or an
    // answer with a message, never a 5xx.
    for sf in SERVER_FNS {
        let good: Vec<(String, String)> = sf.args.iter().map(|(k, a)| (k.to_string(), fx.value(*a))).collect();
        for i in 0..sf.args.len() {
            for g in GARBAGE {
                let mut form = good.clone();
                form[i].1 = g.to_string();
                let (status, body) = call(&app, &c, sf.path, &form).await;
                assert!(status < 500, "{} with {}={g:?}: {status} {body}", sf.path, form[i].0);
                checked += 1;
            }
            // The argument missing altogether.
            let mut form = good.clone();
            form.remove(i);
            let (status, body) = call(&app, &c, sf.path, &form).await;
            assert!(status < 500, "{} without {}: {status} {body}", sf.path, good[i].0);
            checked += 1;
        }
        for (content_type, body) in [("application/json", "{"), ("application/x-www-form-urlencoded", "%%%&&=="), ("text/plain", "\0\0")] {
            let r = c.post(app.url(&format!("/api/{}", sf.path))).header("content-type", content_type).body(body).send().await.unwrap();
            assert!(r.status().as_u16() < 500, "{} with a {content_type} body {body:?}: {}", sf.path, r.status());
            checked += 1;
        }
    }
    for page in PAGES.iter().chain(PLAIN_GETS) {
        for g in ["%00", "%FF%FE", "..%2F..", "99999999999999999999", "%E2%80%AE", "C0000000000"] {
            let path = page.replace(":cos_number", g).replace(":batch_id", g).replace(":id", g).replace(":user_id", g);
            let r = c.get(app.url(&format!("{path}?q={g}&after={g}&before={g}&back={g}&open={g}&page={g}&next={g}"))).send().await.unwrap();
            assert!(r.status().as_u16() < 500, "{path} with {g}: {}", r.status());
            checked += 1;
        }
    }
    println!("endpoint × threat matrix: {} server functions, {} pages, {} plain routes; {checked} checks",
        SERVER_FNS.len(), PAGES.len(), PLAIN_GETS.len() + PLAIN_POSTS.len());
}
