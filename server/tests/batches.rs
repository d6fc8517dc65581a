//! Batches: the search filters, the batch screen, and the transfer of a whole batch —
//! all or nothing, a history row per CoS, one audit event, one winner when two race —
//! with the reach rules over HTTP.

mod common;

use common::{location, seed_demo, spawn};
use sqlx::PgPool;

async fn user(pool: &PgPool, login: &str) -> (i64, i64) {
    sqlx::query_as("SELECT sponsor_id, id FROM users WHERE user_id = $1").bind(login).fetch_one(pool).await.unwrap()
}

/// A batch of Acme's with several CoS: (id, reference, owner, version, CoS count).
async fn a_batch(pool: &PgPool, sponsor: i64, owner: Option<i64>) -> (i64, String, i64, i32, i64) {
    sqlx::query_as(
        "SELECT b.id, b.reference, b.owner_id, b.version, count(c.id) FROM batches b JOIN cos c ON c.sponsor_id = b.sponsor_id AND c.batch_id = b.id
         WHERE b.sponsor_id = $1 AND ($2::bigint IS NULL OR b.owner_id = $2) GROUP BY b.id, b.reference, b.owner_id, b.version
         HAVING count(c.id) > 3 ORDER BY b.id LIMIT 1",
    )
    .bind(sponsor)
    .bind(owner)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_search_filters_batches(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, _) = user(&pool, "l1.demo").await;
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;

    // Nothing is listed before the form is sent; sent blank, every batch.
    let (_, html) = app.page(&c, "/view-cos/batches").await;
    assert!(html.contains("Search for batches of CoS") && !html.contains("match your search"));
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM batches WHERE sponsor_id = $1").bind(acme).fetch_one(&pool).await.unwrap();
    let (_, html) = app.page(&c, "/view-cos/batches?reference=").await;
    assert!(html.contains(&format!("{all} batches match your search")), "{html}");

    // Each filter, against the database.
    let (route, owner): (i16, i64) = sqlx::query_as("SELECT route_id, owner_id FROM batches WHERE sponsor_id = $1 ORDER BY id LIMIT 1")
        .bind(acme).fetch_one(&pool).await.unwrap();
    for (q, sql) in [
        (format!("route={route}"), format!("route_id = {route}")),
        (format!("owner={owner}"), format!("owner_id = {owner}")),
        (format!("route={route}&owner={owner}"), format!("route_id = {route} AND owner_id = {owner}")),
        ("created_from=01%2F06%2F2026&created_to=30%2F09%2F2026".into(),
         "created_at >= '2026-06-01 00:00 Europe/London' AND created_at < '2026-10-01 00:00 Europe/London'".into()),
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM batches WHERE sponsor_id = $1 AND {sql}"))
            .bind(acme).fetch_one(&pool).await.unwrap();
        let r = c.get(app.url(&format!("/view-cos/batches?{q}"))).send().await.unwrap();
        match n {
            1 => assert_eq!(r.status(), 302, "{q}"),
            0 => assert!(r.text().await.unwrap().contains("No batches match your search"), "{q}"),
            n => assert!(r.text().await.unwrap().contains(&format!("{n} batches match your search")), "{q}: {n}"),
        }
    }

    // A reference matches from its start, ignoring case; one match opens the batch.
    let (id, reference, _, _, count) = a_batch(&pool, acme, None).await;
    let r = c.get(app.url(&format!("/view-cos/batches?reference={}", reference.to_lowercase()))).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(location(&r), format!("/view-cos/batches/{id}"));
    let (code, html) = app.page(&c, &format!("/view-cos/batches/{id}")).await;
    assert_eq!(code, 200);
    assert!(html.contains("<h1>CoS search result</h1>") && html.contains(&reference));
    let numbers: Vec<String> = sqlx::query_scalar("SELECT cos_number FROM cos WHERE sponsor_id = $1 AND batch_id = $2")
        .bind(acme).bind(id).fetch_all(&pool).await.unwrap();
    assert_eq!(numbers.len() as i64, count);
    for n in &numbers {
        assert!(html.contains(n.as_str()), "{n} listed");
    }

    // A bad date is explained by its field.
    let (_, html) = app.page(&c, "/view-cos/batches?created_from=31%2F02%2F2026").await;
    assert!(html.contains("id=\"created_from-error\""), "{html}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_failure_part_way_changes_nothing(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l1) = user(&pool, "l1.demo").await;
    let (id, _, owner, version, _) = a_batch(&pool, acme, None).await;
    let to: i64 = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND id <> $2 AND active ORDER BY id LIMIT 1")
        .bind(acme).bind(owner).fetch_one(&pool).await.unwrap();
    let before: Vec<(i64, i64, i32)> = sqlx::query_as("SELECT c.id, o.owner_id, o.version FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND c.batch_id = $2 ORDER BY c.id")
        .bind(acme).bind(id).fetch_all(&pool).await.unwrap();
    let history: i64 = sqlx::query_scalar("SELECT count(*) FROM ownership_history").fetch_one(&pool).await.unwrap();
    // Make the history insert fail on the batch's last CoS: part-way through the transfer.
    let last = before.last().unwrap().0;
    sqlx::query(&format!(
        "CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
           IF NEW.cos_id = {last} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$"
    ))
    .execute(&pool).await.unwrap();
    sqlx::query("CREATE TRIGGER fail_once BEFORE INSERT ON ownership_history FOR EACH ROW EXECUTE FUNCTION fail_once()")
        .execute(&pool).await.unwrap();

    let mut tx = pool.begin().await.unwrap();
    let asked = app::db::batches::BatchTransfer { sponsor_id: acme, batch_id: id, from: owner, version, to, by: l1, owner_only: None };
    let result = app::db::batches::transfer(&mut tx, &asked).await;
    assert!(result.is_err(), "the injected failure surfaces");
    drop(tx); // rolled back

    let after: Vec<(i64, i64, i32)> = sqlx::query_as("SELECT c.id, o.owner_id, o.version FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND c.batch_id = $2 ORDER BY c.id")
        .bind(acme).bind(id).fetch_all(&pool).await.unwrap();
    assert_eq!(after, before, "every CoS as it was");
    let (batch_owner, batch_version): (i64, i32) = sqlx::query_as("SELECT owner_id, version FROM batches WHERE sponsor_id = $1 AND id = $2")
        .bind(acme).bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!((batch_owner, batch_version), (owner, version), "the batch as it was");
    assert_eq!(sqlx::query_scalar::<_, i64>("SELECT count(*) FROM ownership_history").fetch_one(&pool).await.unwrap(), history);

    // Without the fault the same transfer goes through, set-based, with a row per CoS.
    sqlx::query("DROP TRIGGER fail_once ON ownership_history").execute(&pool).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let moved = app::db::batches::transfer(&mut tx, &asked).await.unwrap();
    tx.commit().await.unwrap();
    let expected = before.iter().filter(|(_, o, _)| *o != to).count() as u64;
    assert_eq!(moved, Some(expected));
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM ownership_history WHERE sponsor_id = $1 AND batch_id = $2 AND to_user_id = $3 AND by_user_id = $4")
        .bind(acme).bind(id).bind(to).bind(l1).fetch_one(&pool).await.unwrap();
    assert!(rows as u64 >= expected);
    let owners: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT o.owner_id FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND c.batch_id = $2")
        .bind(acme).bind(id).fetch_all(&pool).await.unwrap();
    assert_eq!(owners, vec![to]);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn of_many_concurrent_transfers_one_wins(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l1) = user(&pool, "l1.demo").await;
    let (id, _, owner, version, count) = a_batch(&pool, acme, None).await;
    let others: Vec<i64> = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND id <> $2 AND active ORDER BY id LIMIT 8")
        .bind(acme).bind(owner).fetch_all(&pool).await.unwrap();
    assert!(others.len() >= 4);
    let app = spawn(pool.clone()).await;
    let mut tasks = Vec::new();
    for to in others.clone() {
        let c = app.client();
        app.sign_in(&c, "l1.demo", "demo-password-1", "/").await;
        let url = app.url("/api/batches/transfer");
        tasks.push(tokio::spawn(async move {
            let r = c
                .post(url)
                .form(&[("batch_id", id.to_string()), ("to_user", to.to_string()), ("version", version.to_string())])
                .send()
                .await
                .unwrap();
            (to, location(&r))
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    // The winner is told how many CoS moved: every one of the batch not already the new owner's.
    let done = |l: &str| l.starts_with(&format!("/view-cos/batches/{id}/transferred?moved="));
    let winners: Vec<i64> = results.iter().filter(|(_, l)| done(l)).map(|(to, _)| *to).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(results.iter().filter(|(_, l)| !done(l)).all(|(_, l)| l.ends_with("/transfer?problem=changed")), "{results:?}");
    let (batch_owner,): (i64,) = sqlx::query_as("SELECT owner_id FROM batches WHERE sponsor_id = $1 AND id = $2").bind(acme).bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(batch_owner, winners[0]);
    let owners: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT o.owner_id FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND c.batch_id = $2").bind(acme).bind(id).fetch_all(&pool).await.unwrap();
    assert_eq!(owners, vec![winners[0]]);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM ownership_history WHERE sponsor_id = $1 AND batch_id = $2 AND to_user_id = $3 AND by_user_id = $4")
        .bind(acme).bind(id).bind(winners[0]).bind(l1).fetch_one(&pool).await.unwrap();
    assert!(rows > 0 && rows <= count);
    let audits: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'batch_transferred' AND entity_id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(audits, 1, "one audit event");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn who_reaches_a_batch(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l2) = user(&pool, "l2.demo").await;
    let theirs = sqlx::query_scalar::<_, i64>("SELECT id FROM batches WHERE sponsor_id = $1 AND owner_id <> $2 LIMIT 1")
        .bind(acme).bind(l2).fetch_one(&pool).await.unwrap();
    // Give the Level 2 user a batch of their own.
    let mine: i64 = sqlx::query_scalar("SELECT id FROM batches WHERE sponsor_id = $1 AND id <> $2 ORDER BY id DESC LIMIT 1")
        .bind(acme).bind(theirs).fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE batches SET owner_id = $3 WHERE sponsor_id = $1 AND id = $2").bind(acme).bind(mine).bind(l2).execute(&pool).await.unwrap();
    let to: i64 = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND id <> $2 AND active LIMIT 1")
        .bind(acme).bind(l2).fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.client();
    app.sign_in(&c, "l2.demo", "demo-password-2", "/").await;

    for path in [format!("/view-cos/batches/{theirs}"), format!("/view-cos/batches/{theirs}/transfer"), "/view-cos/batches/nonsense".into()] {
        let (code, _) = app.page(&c, &path).await;
        assert_eq!(code, 404, "{path}");
    }
    // A forged transfer of someone else's batch is refused and changes nothing.
    let r = c.post(app.url("/api/batches/transfer"))
        .header("accept", "application/json")
        .form(&[("batch_id", theirs.to_string()), ("to_user", l2.to_string()), ("version", "1".into())])
        .send().await.unwrap();
    assert_eq!(r.status(), 404);
    let owner: i64 = sqlx::query_scalar("SELECT owner_id FROM batches WHERE id = $1").bind(theirs).fetch_one(&pool).await.unwrap();
    assert_ne!(owner, l2);
    // Their search lists only their own batches.
    let (_, html) = app.page(&c, "/view-cos/batches?reference=").await;
    assert!(html.contains(&format!("/view-cos/batches/{mine}")), "{html}");
    // They transfer their own; then it is no longer theirs to see.
    let version: i32 = sqlx::query_scalar("SELECT version FROM batches WHERE id = $1").bind(mine).fetch_one(&pool).await.unwrap();
    let own: i64 = sqlx::query_scalar("SELECT count(*) FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND c.batch_id = $2 AND o.owner_id = $3")
        .bind(acme).bind(mine).bind(l2).fetch_one(&pool).await.unwrap();
    let r = c.post(app.url("/api/batches/transfer"))
        .form(&[("batch_id", mine.to_string()), ("to_user", to.to_string()), ("version", version.to_string())])
        .send().await.unwrap();
    assert_eq!(location(&r), format!("/view-cos/batches/{mine}/transferred?moved={own}"));
    let (_, html) = app.page(&c, &location(&r)).await;
    assert!(html.contains("The batch has been transferred"));

    // Another sponsor sees none of Acme's batches.
    let other = app.client();
    app.sign_in(&other, "other.l1", "demo-password-3", "/").await;
    let (code, _) = app.page(&other, &format!("/view-cos/batches/{theirs}")).await;
    assert_eq!(code, 404);
}

/// A batch may hold CoS of several owners. A Level 2 user who owns the batch sees, counts and
/// moves only their own CoS of it; a Level 1 user all of them.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_level_2_user_reaches_only_their_own_cos_of_their_batch(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l2) = user(&pool, "l2.demo").await;
    let (_, l1) = user(&pool, "l1.demo").await;
    let (id, reference, _, _, count) = a_batch(&pool, acme, None).await;
    sqlx::query("UPDATE batches SET owner_id = $3 WHERE sponsor_id = $1 AND id = $2").bind(acme).bind(id).bind(l2).execute(&pool).await.unwrap();
    // Two of its CoS are the Level 2 user's, the rest the Level 1 user's.
    let numbers: Vec<(i64, String)> = sqlx::query_as("SELECT id, cos_number FROM cos WHERE sponsor_id = $1 AND batch_id = $2 ORDER BY id")
        .bind(acme).bind(id).fetch_all(&pool).await.unwrap();
    for (n, (cos_id, _)) in numbers.iter().enumerate() {
        sqlx::query("UPDATE cos_owners SET owner_id = $3 WHERE sponsor_id = $1 AND cos_id = $2")
            .bind(acme).bind(cos_id).bind(if n < 2 { l2 } else { l1 }).execute(&pool).await.unwrap();
    }
    let (mine, theirs) = (&numbers[..2], &numbers[2..]);
    let to: i64 = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND id NOT IN ($2, $3) AND active ORDER BY id LIMIT 1")
        .bind(acme).bind(l2).bind(l1).fetch_one(&pool).await.unwrap();
    let app = spawn(pool.clone()).await;
    let c = app.signed_in("l2.demo", "demo-password-2").await;

    // The batch screen lists and counts only theirs.
    let (code, html) = app.page(&c, &format!("/view-cos/batches/{id}")).await;
    assert_eq!(code, 200);
    for (_, n) in mine {
        assert!(html.contains(n.as_str()), "{n} is theirs");
    }
    for (_, n) in theirs {
        assert!(!html.contains(n.as_str()), "{n} is another user's");
    }
    assert!(html.contains("Your CoS in the batch"), "{html}");
    // So does the batch search, and its counts by status.
    let r = c.post(app.url("/api/batches/search")).header("accept", "application/json")
        .form(&[("form[reference]", reference.as_str()), ("form[page]", "1")]).send().await.unwrap();
    let body = r.text().await.unwrap();
    assert!(body.contains("\"cos_count\":2"), "{body}");
    let total: i64 = serde_json::from_str::<serde_json::Value>(&body).unwrap()["Results"]["hits"][0]["statuses"]
        .as_array().unwrap().iter().map(|s| s[1].as_i64().unwrap()).sum();
    assert_eq!(total, 2, "{body}");

    // Transferring the batch moves the batch and their own CoS only, and says how many.
    let version: i32 = sqlx::query_scalar("SELECT version FROM batches WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    let r = c.post(app.url("/api/batches/transfer"))
        .form(&[("batch_id", id.to_string()), ("to_user", to.to_string()), ("version", version.to_string())])
        .send().await.unwrap();
    assert_eq!(location(&r), format!("/view-cos/batches/{id}/transferred?moved=2"));
    let (_, html) = app.page(&c, &location(&r)).await;
    assert!(html.contains("2 CoS were moved with it"), "{html}");
    let owners: Vec<(i64, i64)> = sqlx::query_as("SELECT c.id, o.owner_id FROM cos c JOIN cos_owners o ON o.sponsor_id = c.sponsor_id AND o.cos_id = c.id WHERE c.sponsor_id = $1 AND c.batch_id = $2 ORDER BY c.id")
        .bind(acme).bind(id).fetch_all(&pool).await.unwrap();
    for (cos_id, owner) in owners {
        let expected = if mine.iter().any(|(m, _)| *m == cos_id) { to } else { l1 };
        assert_eq!(owner, expected, "CoS {cos_id}");
    }
    let batch_owner: i64 = sqlx::query_scalar("SELECT owner_id FROM batches WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(batch_owner, to);
    let history: i64 = sqlx::query_scalar("SELECT count(*) FROM ownership_history WHERE sponsor_id = $1 AND batch_id = $2 AND by_user_id = $3")
        .bind(acme).bind(id).bind(l2).fetch_one(&pool).await.unwrap();
    assert_eq!(history, 2);
    let moved: serde_json::Value = sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'batch_transferred' AND entity_id = $1")
        .bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(moved["cos_moved"], 2);

    // A Level 1 user still sees and counts all of a batch.
    let l1c = app.signed_in("l1.demo", "demo-password-1").await;
    let (_, html) = app.page(&l1c, &format!("/view-cos/batches/{id}")).await;
    assert!(html.contains("CoS in the batch") && !html.contains("Your CoS"), "{html}");
    assert_eq!(numbers.len() as i64, count);
    for (_, n) in &numbers {
        assert!(html.contains(n.as_str()), "{n} listed for Level 1");
    }
}

/// The batch moves only from the owner it was shown with, at the version shown.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_batch_moves_only_from_the_owner_shown(pool: PgPool) {
    seed_demo(&pool).await;
    let (acme, l1) = user(&pool, "l1.demo").await;
    let (id, _, owner, version, _) = a_batch(&pool, acme, None).await;
    let to: i64 = sqlx::query_scalar("SELECT id FROM users WHERE sponsor_id = $1 AND id <> $2 AND active ORDER BY id LIMIT 1")
        .bind(acme).bind(owner).fetch_one(&pool).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let wrong = app::db::batches::BatchTransfer { sponsor_id: acme, batch_id: id, from: to, version, to, by: l1, owner_only: None };
    assert_eq!(app::db::batches::transfer(&mut tx, &wrong).await.unwrap(), None);
    tx.rollback().await.unwrap();
    let now: i64 = sqlx::query_scalar("SELECT owner_id FROM batches WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(now, owner);
}
