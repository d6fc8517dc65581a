//! Print: the PDF of a CoS holds, as text a reader can extract, every field View CoS shows,
//! the sponsor's name and licence number, and who printed it and when. Reached by the same
//! rule as View CoS. The text is read back with poppler's `pdftotext`, as a reader would.

mod common;

use common::{location, seed_demo, spawn};
use sqlx::PgPool;
use std::process::{Command, Stdio};

/// The PDF's text, with every run of white space made one space.
fn pdf_text(pdf: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (Debian's poppler-utils; `make test` installs it)");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    squash(&String::from_utf8(out.stdout).unwrap())
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `label` and `value` are printed together: both read in order within a short run
/// of words that starts at the label. (A long label wraps in its column, so the lines of
/// label and value interleave in the text.)
fn printed_together(text: &str, label: &str, value: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (l, v): (Vec<&str>, Vec<&str>) = (label.split_whitespace().collect(), value.split_whitespace().collect());
    let in_order = |window: &[&str], wanted: &[&str]| {
        let mut it = window.iter();
        wanted.iter().all(|w| it.any(|x| x == w))
    };
    (0..words.len()).filter(|&i| words[i] == l[0]).any(|i| {
        let window = &words[i..(i + 2 * (l.len() + v.len()) + 2).min(words.len())];
        in_order(window, &l) && in_order(window, &v)
    })
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_pdf_holds_every_field_as_text(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l1): (i64, i64) =
        sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = 'l1.demo'").fetch_one(&pool).await.unwrap();
    // A CoS with a worker's name that needs more than ASCII, a long job description and a note.
    let (id, number): (i64, String) = sqlx::query_as(
        "SELECT id, cos_number FROM cos WHERE sponsor_id = $1 AND status = 'ASSIGNED' AND job_description IS NOT NULL ORDER BY id LIMIT 1",
    )
    .bind(acme).fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE cos SET family_name = 'Łukasiewicz-Øvergård', given_names = 'Zoë Ана', job_description = $3 WHERE sponsor_id = $1 AND id = $2")
        .bind(acme).bind(id)
        .bind("Designs, builds and tests control systems for offshore wind turbines; leads a small team of engineers and writes the safety cases that the regulator reviews each quarter.")
        .execute(&pool).await.unwrap();
    // Two other regular places of work (manual: "Other regular work addresses").
    sqlx::query(r#"UPDATE cos SET other_work_addresses = '[{"line1": "Unit 4, Dock Road", "line2": "", "line3": "", "town": "Hull", "county": "", "postcode": "HU1 2AB"}, {"line1": "9 Quay Street", "line2": "Floor 2", "line3": "", "town": "Aberdeen", "county": "Aberdeenshire", "postcode": "AB11 5BN"}]' WHERE sponsor_id = $1 AND id = $2"#)
        .bind(acme).bind(id).execute(&pool).await.unwrap();
    sqlx::query("INSERT INTO sponsor_notes (sponsor_id, cos_id, note, added_at, added_by) VALUES ($1, $2, 'Passport seen by HR on arrival.', now(), $3)")
        .bind(acme).bind(id).bind(l1).execute(&pool).await.unwrap();
    // A report of migrant activity, as the product records one.
    sqlx::query(
        r#"INSERT INTO activity_reports (sponsor_id, cos_id, activity_type_id, reported_at, reported_by, details, event_date, due_date, days_late, changes)
           SELECT $1, $2, id, now(), $3, 'Pay rise at the annual review.', DATE '2026-11-02', DATE '2026-11-16', 2, '{"New gross annual salary (£)": "41000.00"}'
           FROM activity_types WHERE name = 'Change of salary'"#,
    )
    .bind(acme).bind(id).bind(l1).execute(&pool).await.unwrap();

    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let started = std::time::Instant::now();
    let r = c.get(app.url(&format!("/view-cos/{number}/print"))).send().await.unwrap();
    let took = started.elapsed();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["content-disposition"], format!("inline; filename=\"CoS-{number}.pdf\"").as_str());
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("no-store"));
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    eprintln!("PDF of {number}: {} bytes in {took:?} (debug build, over HTTP)", pdf.len());
    let text = pdf_text(&pdf);

    // Everything View CoS shows, label and value side by side.
    let record = app::db::cos::by_number(&pool, acme, &number).await.unwrap().unwrap();
    let view = app::api::cos::ssr::cos_view(record);
    for section in &view.sections {
        assert!(text.contains(&section.title), "section {}", section.title);
        for (label, value) in &section.rows {
            let value = if value.is_empty() { "Not given" } else { value };
            assert!(printed_together(&text, label, value), "{label:?}: {value:?} in\n{text}");
        }
    }
    assert!(text.contains("Łukasiewicz-Øvergård") && text.contains("Zoë Ана"), "{text}");
    assert!(text.contains("offshore wind turbines; leads a small team"), "the long value wraps but reads on");
    assert!(text.contains("Passport seen by HR on arrival."));
    assert!(text.contains("Reported activity") && text.contains("Pay rise at the annual review."), "{text}");
    assert!(squash(&text).contains(&squash("Event on 2 November 2026; due by 16 November 2026; reported 2 working days late")), "{text}");
    assert!(squash(&text).contains(&squash("New gross annual salary (£): 41000.00")), "{text}");
    // The other work addresses are among the rows printed above (their label wraps).
    let others = "Unit 4, Dock Road, Hull, HU1 2AB; 9 Quay Street, Floor 2, Aberdeen, Aberdeenshire, AB11 5BN";
    assert!(view.sections.iter().flat_map(|s| &s.rows).any(|(l, v)| l == "Other regular work addresses" && v == others));
    assert!(printed_together(&text, "Other regular work addresses", others), "{text}");
    // View CoS shows them too.
    let (_, html) = app.page(&c, &format!("/view-cos/{number}")).await;
    assert!(html.contains("Other regular work addresses"), "{html}");
    assert!(html.contains("Unit 4, Dock Road, Hull, HU1 2AB; 9 Quay Street, Floor 2, Aberdeen, Aberdeenshire, AB11 5BN"), "{html}");
    // The sponsor, and who printed it.
    let (sponsor, licence): (String, String) =
        sqlx::query_as("SELECT name, licence_number FROM sponsors WHERE id = $1").bind(acme).fetch_one(&pool).await.unwrap();
    assert!(text.contains(&format!("Sponsor {sponsor}")), "{text}");
    assert!(text.contains(&format!("Sponsor licence number {licence}")));
    let today: String = sqlx::query_scalar("SELECT to_char(now() AT TIME ZONE 'Europe/London', 'FMDD FMMonth YYYY')")
        .fetch_one(&pool).await.unwrap();
    let printer: String = sqlx::query_scalar("SELECT full_name FROM users WHERE id = $1").bind(l1).fetch_one(&pool).await.unwrap();
    assert!(text.contains(&format!("Printed on {today} at")), "{text}");
    assert!(text.contains(&format!("(UK time) by {printer} (l1.demo)")), "{text}");

    // Printing is audited.
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE sponsor_id = $1 AND action = 'print_cos' AND entity_id = $2 AND actor_user_id = $3",
    )
    .bind(acme).bind(id).bind(l1).fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn only_those_who_may_view_a_cos_may_print_it(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l2): (i64, i64) =
        sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = 'l2.demo'").fetch_one(&pool).await.unwrap();
    let own: String = sqlx::query_scalar("SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id = $2 LIMIT 1")
        .bind(acme).bind(l2).fetch_one(&pool).await.unwrap();
    let not_own: String = sqlx::query_scalar("SELECT c.cos_number FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND o.owner_id <> $2 LIMIT 1")
        .bind(acme).bind(l2).fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;

    // Signed out: sent to sign in, and brought back to the PDF afterwards.
    let anon = app.client();
    let r = anon.get(app.url(&format!("/view-cos/{own}/print"))).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with("/sign-in?next="), "{}", location(&r));

    let c = app.client();
    app.sign_in(&c, "l2.demo", "demo-password-2", "/").await;
    let r = c.get(app.url(&format!("/view-cos/{own}/print"))).send().await.unwrap();
    assert_eq!(r.status(), 200, "a Level 2 user prints a CoS they own");
    for number in [not_own.as_str(), "C0000000000", "not-a-number"] {
        let r = c.get(app.url(&format!("/view-cos/{number}/print"))).send().await.unwrap();
        assert_eq!(r.status(), 404, "{number}");
        let body = r.text().await.unwrap();
        assert!(!body.contains("%PDF"));
    }

    // Another sponsor's user cannot print Acme's CoS, even one they know the number of.
    let other = app.client();
    app.sign_in(&other, "other.l1", "demo-password-3", "/").await;
    let r = other.get(app.url(&format!("/view-cos/{own}/print"))).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().await.unwrap(), format!("CoS {own} was not found."));
}
