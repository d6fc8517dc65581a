//! "What needs attention" on the Workers screen, against what the database holds.

mod common;

use common::{seed_demo, spawn};
use sqlx::PgPool;

async fn uk_today(pool: &PgPool) -> time::Date {
    sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/London')::date").fetch_one(pool).await.unwrap()
}

/// Moves a CoS's expiry (and so its assignment: three months before) to `day`.
async fn expire_on(pool: &PgPool, number: &str, day: time::Date) {
    sqlx::query("UPDATE cos SET date_assigned = ($2::date - interval '3 months')::date, expiry_date = (($2::date - interval '3 months')::date + interval '3 months')::date WHERE cos_number = $1")
        .bind(number).bind(day).execute(pool).await.unwrap();
}

fn section(html: &str, testid: &str) -> String {
    let start = html.find(&format!("data-testid=\"{testid}\"")).unwrap_or_else(|| panic!("{testid}"));
    html[start..].split("</ul>").next().unwrap().split("</dl>").next().unwrap().to_string()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_panel_shows_what_the_database_holds(pool: PgPool) {
    seed_demo(&pool).await;
    let today = uk_today(&pool).await;
    let acme: i64 = sqlx::query_scalar("SELECT id FROM sponsors WHERE name = 'Acme Engineering Ltd'").fetch_one(&pool).await.unwrap();
    // No ASSIGNED CoS expires soon except three placed either side of the 14-day edge. (Days
    // chosen away from month ends, where "three months before" does not round-trip.)
    let far = today + time::Duration::days(40);
    let assigned: Vec<String> = sqlx::query_scalar("SELECT cos_number FROM cos WHERE sponsor_id = $1 AND status = 'ASSIGNED' ORDER BY id")
        .bind(acme).fetch_all(&pool).await.unwrap();
    for n in &assigned {
        expire_on(&pool, n, far).await;
    }
    let mut placed = Vec::new();
    for (n, days) in assigned.iter().zip([9, 2, 15]) {
        let day = today + time::Duration::days(days);
        expire_on(&pool, n, day).await;
        let got: time::Date = sqlx::query_scalar("SELECT expiry_date FROM cos WHERE cos_number = $1").bind(n).fetch_one(&pool).await.unwrap();
        placed.push((n.clone(), got));
    }
    let within: Vec<&(String, time::Date)> = {
        let mut v: Vec<_> = placed.iter().filter(|p| p.1 <= today + time::Duration::days(14)).collect();
        v.sort_by_key(|p| p.1);
        v
    };

    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
    let (code, html) = app.page(&c, "/").await;
    assert_eq!(code, 200);
    assert!(html.contains("What needs attention"));

    // Expiring: exactly those within 14 days, soonest first, each a link to its CoS whose
    // Back returns here (`q=/`).
    let mut at = 0;
    for (n, day) in &within {
        let found = html[at..].find(&format!("href=\"/view-cos/{n}?q=%2F\"")).unwrap_or_else(|| panic!("{n} listed in order"));
        at += found;
        assert!(html.contains(&app::domain::dates::uk_date(*day)));
    }
    let beyond = placed.iter().find(|p| p.1 > today + time::Duration::days(14)).unwrap();
    assert!(!html.contains(&format!("href=\"/view-cos/{}", beyond.0)), "15 days away is not listed");
    assert!(html.contains(&format!("{} ASSIGNED CoS expire soon", within.len())));

    // By status, as counted in the database; each links to the advanced search.
    let counts: Vec<(String, i64)> = sqlx::query_as("SELECT status, count(*) FROM cos WHERE sponsor_id = $1 GROUP BY 1").bind(acme).fetch_all(&pool).await.unwrap();
    let by_status = section(&html, "by-status");
    for s in app::domain::Status::ALL {
        let n = counts.iter().find(|c| c.0 == s.as_str()).map_or(0, |c| c.1);
        assert!(by_status.contains(&format!("href=\"/view-cos/advanced?status={}\"", s.slug())));
        assert!(by_status.contains(&format!("{}</span><span class=\"counts__n\">{n}</span>", s.as_str())), "{s}: {n}\n{by_status}");
    }

    // The allocation this year.
    let (allocation, used): (i32, i64) = sqlx::query_as(
        "SELECT s.allocation, (SELECT count(*) FROM cos c WHERE c.sponsor_id = s.id AND date_part('year', c.date_assigned) = date_part('year', now() AT TIME ZONE 'Europe/London'))
         FROM sponsors s WHERE s.id = $1",
    )
    .bind(acme).fetch_one(&pool).await.unwrap();
    let block = section(&html, "allocation");
    assert!(block.contains(&format!("<dd>{allocation}</dd>")) && block.contains(&format!("<dd>{used}</dd>")));
    assert!(block.contains(&format!("<dd>{}</dd>", (allocation as i64 - used).max(0))));

    // A Level 2 user sees their own.
    let c = app.client();
    app.sign_in(&c, "l2.demo", "demo-password-2", "/").await;
    let (_, html) = app.page(&c, "/").await;
    let own: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.status, count(*) FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id JOIN users u ON u.id = o.owner_id WHERE u.user_id = 'l2.demo' GROUP BY 1",
    )
    .fetch_all(&pool).await.unwrap();
    let by_status = section(&html, "by-status");
    for (s, n) in own {
        assert!(by_status.contains(&format!("{s}</span><span class=\"counts__n\">{n}</span>")), "{s}: {n}");
    }
    assert!(html.contains("The CoS you own."));
}
