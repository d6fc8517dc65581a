//! The deterministic demo-data generator (`server seed`).
//!
//! Rows are made in Rust from a seeded ChaCha generator, one stream per sponsor, and loaded
//! with COPY in chunks inside one transaction: the same arguments always give the same data,
//! and a failure leaves the database as it was. Every status is reached through allowed
//! transitions with dated history, so the data obeys the same rules as the product.

mod copy;
mod words;

use anyhow::{bail, Context};
use app::domain::{CosNumber, Status};
use copy::CopyBuf;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::PgPool;
use std::time::Instant;
use time::{Date, Duration, Month, OffsetDateTime, Time};
use words::*;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Params {
    pub sponsors: u32,
    pub cos: u64,
    /// CoS of the first (largest) sponsor; the rest share the remainder.
    pub largest: Option<u64>,
    pub seed: u64,
    /// Dates are laid out around this day: ASSIGNED CoS expire after it, EXPIRED before it.
    pub today: Date,
}

impl Params {
    /// The data `make run` loads: Acme and a second sponsor, 3,000 CoS.
    pub fn demo(today: Date) -> Params {
        Params { sponsors: 2, cos: 3_000, largest: Some(2_000), seed: 2026, today }
    }
}

/// What was loaded.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub sponsors: u64,
    pub users: u64,
    pub cos: u64,
    pub status_history: u64,
    pub ownership_history: u64,
    pub activity_reports: u64,
    pub batches: u64,
    pub seconds: f64,
}

/// The demo sign-ins of README.md.
pub const DEMO_USERS: &[(&str, &str, &str)] = &[
    ("l1.demo", "demo-password-1", "Level 1 user of Acme Engineering Ltd"),
    ("l2.demo", "demo-password-2", "Level 2 user of Acme Engineering Ltd"),
    ("other.l1", "demo-password-3", "Level 1 user of Northern Lights Care Ltd"),
];
/// The password of every other generated user.
pub const GENERATED_USER_PASSWORD: &str = "demo-password";

pub async fn is_empty(pool: &PgPool) -> anyhow::Result<bool> {
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM sponsors").fetch_one(pool).await?;
    Ok(n == 0)
}

pub async fn seed(pool: &PgPool, p: &Params) -> anyhow::Result<Summary> {
    if p.sponsors == 0 {
        bail!("--sponsors must be at least 1");
    }
    if !is_empty(pool).await? {
        bail!("the database already holds sponsors; seed loads into an empty database only");
    }
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    // Loading finished histories bypasses the "a new CoS starts as a draft" trigger, and where
    // we may (a superuser), foreign-key triggers too: the generator keeps them by construction
    // and the seed tests check them.
    sqlx::query("SET LOCAL sms.loading_history = 'on'").execute(&mut *tx).await?;
    let fast = sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .is_ok();
    if !fast {
        // The failed SET aborted the transaction: start again without it.
        tx.rollback().await?;
        tx = pool.begin().await?;
        sqlx::query("SET LOCAL sms.loading_history = 'on'").execute(&mut *tx).await?;
    }
    // Secondary indexes are built once at the end rather than row by row.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
         WHERE t.relname = ANY($1)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
    )
    .bind(vec!["cos", "cos_owners", "cos_status_history", "ownership_history", "activity_reports", "sponsor_notes", "batches"])
    .fetch_all(&mut *tx)
    .await?;
    for (name, _) in &indexes {
        sqlx::query(&format!("DROP INDEX {name}")).execute(&mut *tx).await?;
    }

    // Generate on a blocking thread while this task feeds PostgreSQL: two cores, both busy.
    let (send, mut receive) = tokio::sync::mpsc::channel::<Buffers>(2);
    let params = p.clone();
    let generator = tokio::task::spawn_blocking(move || {
        let mut g = Generator::new(&params, PasswordHashes::new());
        let shares = g.shares();
        for (i, &n) in shares.iter().enumerate() {
            g.sponsor(i as i64 + 1, n);
        }
        for (i, &n) in shares.iter().enumerate() {
            g.cos_of_sponsor(i as i64 + 1, n);
            if g.bufs.cos.len() > 8 << 20 && send.blocking_send(std::mem::take(&mut g.bufs)).is_err() {
                return g.summary;
            }
        }
        let _ = send.blocking_send(std::mem::take(&mut g.bufs));
        g.summary
    });
    while let Some(mut bufs) = receive.recv().await {
        bufs.copy_all(&mut tx).await?;
    }
    let mut summary = generator.await?;
    for (_, definition) in &indexes {
        sqlx::query(definition).execute(&mut *tx).await?;
    }
    // Each sponsor's allocation covers what its year has assigned so far, with room for more:
    // a demo where nothing can be assigned would show nothing of Assign.
    sqlx::query(
        "UPDATE sponsors s SET allocation = greatest(s.allocation, u.used + 50 + u.used / 5)
         FROM (SELECT sponsor_id, count(*) AS used FROM cos WHERE date_assigned >= date_trunc('year', $1::date)::date GROUP BY sponsor_id) u
         WHERE u.sponsor_id = s.id",
    )
    .bind(p.today)
    .execute(&mut *tx)
    .await?;

    for table in [
        "sponsors", "users", "work_addresses", "batches", "cos", "cos_status_history",
        "ownership_history", "activity_reports", "sponsor_notes",
    ] {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        ))
        .execute(&mut *tx)
        .await
        .with_context(|| format!("resetting the {table} sequence"))?;
    }
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// A hash of every row the generator makes for `p`, without touching a database; user rows
/// are left out because their password hashes are salted afresh each time.
pub fn fingerprint(p: &Params) -> u64 {
    use std::hash::{Hash, Hasher};
    let hashes = PasswordHashes { demo: vec![String::new(); DEMO_USERS.len()], generated: String::new() };
    let mut g = Generator::new(p, hashes);
    let shares = g.shares();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (i, &n) in shares.iter().enumerate() {
        g.sponsor(i as i64 + 1, n);
    }
    for (i, &n) in shares.iter().enumerate() {
        g.cos_of_sponsor(i as i64 + 1, n);
    }
    let b = &g.bufs;
    for buf in [&b.sponsors, &b.addresses, &b.batches, &b.cos, &b.owners, &b.status_history, &b.ownership, &b.activity, &b.notes] {
        buf.bytes().hash(&mut h);
    }
    h.finish()
}

struct PasswordHashes {
    demo: Vec<String>,
    generated: String,
}

impl PasswordHashes {
    fn new() -> PasswordHashes {
        use app::api::auth::ssr::hash_password;
        PasswordHashes {
            demo: DEMO_USERS.iter().map(|(_, pw, _)| hash_password(pw)).collect(),
            // One hash for every generated user: argon2 is slow on purpose.
            generated: hash_password(GENERATED_USER_PASSWORD),
        }
    }
}

#[derive(Default)]
struct Buffers {
    sponsors: CopyBuf,
    users: CopyBuf,
    addresses: CopyBuf,
    batches: CopyBuf,
    cos: CopyBuf,
    owners: CopyBuf,
    status_history: CopyBuf,
    ownership: CopyBuf,
    activity: CopyBuf,
    notes: CopyBuf,
}

impl Buffers {
    /// Sends every buffer, parents before children.
    async fn copy_all(&mut self, tx: &mut sqlx::PgConnection) -> anyhow::Result<()> {
        copy::copy(tx, "sponsors (id, name, licence_number, allocation, licence_status, created_at)", &mut self.sponsors).await?;
        copy::copy(tx, "users (sponsor_id, id, user_id, full_name, level, is_authorising_officer, is_key_contact, password_hash, active)", &mut self.users).await?;
        copy::copy(tx, "work_addresses (sponsor_id, id, identifier, line1, line2, line3, town, county, postcode)", &mut self.addresses).await?;
        copy::copy(tx, "batches (sponsor_id, id, reference, route_id, owner_id, created_at)", &mut self.batches).await?;
        copy::copy(tx, "cos (sponsor_id, id, cos_number, route_id, status, status_date, date_assigned, expiry_date, \
            created_by, batch_id, created_at, \
            family_name, given_names, other_names, nationality, place_of_birth, country_of_birth, date_of_birth, gender, \
            country_of_residence, passport_number, passport_issue_date, passport_expiry_date, passport_place_of_issue, \
            home_address, ni_number, employee_number, \
            work_start_date, work_end_date, weekly_hours, \
            work_address_line1, work_address_line2, work_address_line3, work_address_town, work_address_county, work_address_postcode, \
            other_work_addresses, job_title, soc_code, job_description, gross_salary, allowances, certify_maintenance)", &mut self.cos).await?;
        copy::copy(tx, "cos_owners (sponsor_id, cos_id, owner_id)", &mut self.owners).await?;
        copy::copy(tx, "cos_status_history (sponsor_id, cos_id, status, from_status, changed_at, actor_kind, actor_user_id)", &mut self.status_history).await?;
        copy::copy(tx, "ownership_history (sponsor_id, cos_id, from_user_id, to_user_id, transferred_at, by_user_id, batch_id)", &mut self.ownership).await?;
        copy::copy(tx, "activity_reports (sponsor_id, cos_id, activity_type_id, reported_at, reported_by, details)", &mut self.activity).await?;
        copy::copy(tx, "sponsor_notes (sponsor_id, cos_id, note, added_at, added_by)", &mut self.notes).await?;
        Ok(())
    }
}

#[derive(Clone)]
struct User {
    id: i64,
    level: i16,
}

#[derive(Clone)]
struct Address {
    line1: String,
    line2: Option<String>,
    town: &'static str,
    county: &'static str,
    postcode: String,
}

/// Every sixth CoS has another regular place of work besides its main one: one of the
/// sponsor's other pre-stored addresses, chosen by the CoS's id (no draw from the generator,
/// so the rest of the data stays as it was).
fn other_work_addresses(id: i64, main: &Address, pool: &[Address]) -> String {
    let others: Vec<&Address> = pool.iter().filter(|a| a.postcode != main.postcode).collect();
    if id % 6 != 0 || others.is_empty() {
        return "[]".into();
    }
    let a = others[(id as usize / 6) % others.len()];
    serde_json::json!([{
        "line1": a.line1, "line2": a.line2.clone().unwrap_or_default(), "line3": "",
        "town": a.town, "county": a.county, "postcode": a.postcode,
    }])
    .to_string()
}

struct SponsorCtx {
    users: Vec<User>,
    addresses: Vec<Address>,
}

struct BatchCtx {
    id: i64,
    route: i16,
    owner: i64,
    created: Date,
    /// (when, to whom, by whom) when the whole batch was transferred.
    transfer: Option<(OffsetDateTime, i64, i64)>,
}

struct Generator<'a> {
    p: &'a Params,
    hashes: PasswordHashes,
    bufs: Buffers,
    sponsors: Vec<SponsorCtx>,
    next_user: i64,
    next_address: i64,
    next_batch: i64,
    next_cos: i64,
    summary: Summary,
    yesterday: Date,
}

type Path = Vec<(Status, OffsetDateTime, &'static str)>;

const ROUTES: i16 = 15;
const ACTIVITY_TYPES: i16 = 12;

fn add_months(d: Date, months: i32) -> Date {
    let total = d.year() * 12 + (d.month() as i32 - 1) + months;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u8 + 1);
    let month = Month::try_from(m).unwrap();
    let day = d.day().min(time::util::days_in_month(month, y));
    Date::from_calendar_date(y, month, day).unwrap()
}

/// The use-by date of a CoS assigned on `d`.
pub fn expiry_for(d: Date) -> Date {
    add_months(d, 3)
}

impl<'a> Generator<'a> {
    fn new(p: &'a Params, hashes: PasswordHashes) -> Self {
        Generator {
            p,
            hashes,
            bufs: Buffers::default(),
            sponsors: Vec::new(),
            next_user: 1,
            next_address: 1,
            next_batch: 1,
            next_cos: 1,
            summary: Summary::default(),
            yesterday: p.today - Duration::days(1),
        }
    }

    fn rng_for(&self, sponsor_id: i64, stream: u64) -> ChaCha8Rng {
        let mut r = ChaCha8Rng::seed_from_u64(self.p.seed ^ (sponsor_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.set_stream(stream);
        r
    }

    /// CoS per sponsor: the first gets `largest`, the others share the rest unevenly.
    fn shares(&self) -> Vec<u64> {
        let n = self.p.sponsors as usize;
        if n == 1 {
            return vec![self.p.cos];
        }
        // Two sponsors: the demo, where Acme holds two thirds; more: the largest holds a tenth.
        let default = if n == 2 { self.p.cos * 2 / 3 } else { self.p.cos / 10 };
        let largest = self.p.largest.unwrap_or(default).min(self.p.cos);
        let rest = self.p.cos - largest;
        let mut r = self.rng_for(0, 1);
        let weights: Vec<f64> = (1..n).map(|_| 0.5 + r.random::<f64>()).collect();
        let sum: f64 = weights.iter().sum();
        let mut shares = vec![largest];
        shares.extend(weights.iter().map(|w| (rest as f64 * w / sum).floor() as u64));
        let given: u64 = shares.iter().sum();
        shares[1] += self.p.cos - given;
        shares
    }

    fn sponsor(&mut self, id: i64, cos: u64) {
        let mut r = self.rng_for(id, 2);
        let (name, licence) = match id {
            1 => ("Acme Engineering Ltd".to_string(), "2XK7Q4M9B".to_string()),
            2 => ("Northern Lights Care Ltd".to_string(), licence_number(id)),
            _ => (
                format!(
                    "{} {} {}",
                    pick(&mut r, SPONSOR_WORDS_A),
                    pick(&mut r, SPONSOR_WORDS_B),
                    pick(&mut r, SPONSOR_SUFFIX)
                ),
                licence_number(id),
            ),
        };
        let allocation = (cos / 3 + 50) as i64;
        let b = &mut self.bufs.sponsors;
        b.i(id).s(&name).s(&licence).i(allocation).s("ACTIVE").ts(OffsetDateTime::new_utc(
            self.p.today - Duration::days(1500),
            Time::from_hms(9, 0, 0).unwrap(),
        ));
        b.end();
        self.summary.sponsors += 1;

        // Users: the demo sign-ins first, then people with real-looking names.
        let count = (5 + r.random_range(0..=5) as u64).max((cos / 2_000).min(60)) as usize;
        let mut users = Vec::with_capacity(count);
        for n in 0..count {
            let uid = self.next_user;
            self.next_user += 1;
            let demo = match (id, n) {
                (1, 0) => Some(0),
                (1, 1) => Some(1),
                (2, 0) => Some(2),
                _ => None,
            };
            let level: i16 = if n == 0 || (demo.is_none() && r.random_bool(0.4)) {
                1
            } else {
                2
            };
            let (login, hash) = match demo {
                Some(k) => (DEMO_USERS[k].0.to_string(), self.hashes.demo[k].clone()),
                None => (format!("user{n}.s{id}"), self.hashes.generated.clone()),
            };
            let full_name = match demo {
                Some(0) => "Alex Morgan".to_string(),
                Some(1) => "Sam O'Neill".to_string(),
                Some(2) => "Jordan Ellis".to_string(),
                _ => format!("{} {}", pick(&mut r, GIVEN_NAMES), pick(&mut r, FAMILY_NAMES)),
            };
            let b = &mut self.bufs.users;
            b.i(id).i(uid).s(&login).s(&full_name).i(level as i64).b(n == 0).b(n == 0)
                .s(&hash).b(true);
            b.end();
            users.push(User { id: uid, level });
        }
        self.summary.users += users.len() as u64;

        let mut addresses = Vec::new();
        let n_addr = r.random_range(3..=10);
        for k in 0..n_addr {
            let (town, county, outward) = *pick(&mut r, TOWNS);
            let a = Address {
                line1: format!("{} {}", r.random_range(1..=250), pick(&mut r, STREETS)),
                line2: r.random_bool(0.3).then(|| format!("Unit {}", r.random_range(1..=40))),
                town,
                county,
                postcode: format!("{outward} {}{}", r.random_range(1..=9), inward_letters(&mut r)),
            };
            let identifier = format!("{} {}", SITE_NAMES[k % SITE_NAMES.len()], town);
            let b = &mut self.bufs.addresses;
            b.i(id).i(self.next_address).s(&identifier).s(&a.line1).opt(a.line2.as_deref()).null()
                .s(a.town).opt(non_empty(a.county)).s(&a.postcode);
            b.end();
            self.next_address += 1;
            addresses.push(a);
        }
        self.sponsors.push(SponsorCtx { users, addresses });
    }

    fn cos_of_sponsor(&mut self, sponsor_id: i64, count: u64) {
        let mut r = self.rng_for(sponsor_id, 3);
        let mut left = count;
        let mut batch_seq = 0;
        while left > 0 {
            if left >= 2 && r.random_bool(0.05) {
                let k = r.random_range(2..=50u64).min(left);
                batch_seq += 1;
                let batch = self.batch(&mut r, sponsor_id, batch_seq);
                for _ in 0..k {
                    self.cos(&mut r, sponsor_id, Some(&batch));
                }
                left -= k;
            } else {
                self.cos(&mut r, sponsor_id, None);
                left -= 1;
            }
        }
    }

    fn batch(&mut self, r: &mut ChaCha8Rng, sponsor_id: i64, seq: u32) -> BatchCtx {
        let users = &self.sponsors[sponsor_id as usize - 1].users;
        let owner = pick(r, users).id;
        let created = self.yesterday - Duration::days(r.random_range(100..900));
        let transfer = if r.random_bool(0.3) {
            let to = users[r.random_range(0..users.len())].id;
            (to != owner).then(|| {
                let day = created + Duration::days(r.random_range(1..60));
                let when = at(r, day);
                let by = first_level1(users).unwrap_or(owner);
                (when, to, by)
            })
        } else {
            None
        };
        let b = BatchCtx {
            id: self.next_batch,
            route: r.random_range(1..=ROUTES),
            owner,
            created,
            transfer,
        };
        self.next_batch += 1;
        let final_owner = b.transfer.map(|t| t.1).unwrap_or(owner);
        let reference = format!("B{}-{:04}", created.year(), seq);
        let buf = &mut self.bufs.batches;
        buf.i(sponsor_id).i(b.id).s(&reference).i(b.route as i64).i(final_owner)
            .ts(at(r, created));
        buf.end();
        self.summary.batches += 1;
        b
    }

    fn cos(&mut self, r: &mut ChaCha8Rng, sponsor_id: i64, batch: Option<&BatchCtx>) {
        let id = self.next_cos;
        self.next_cos += 1;
        let y = self.yesterday;
        let ctx = &self.sponsors[sponsor_id as usize - 1];
        let users = &ctx.users;
        let creator = batch.map(|b| b.owner).unwrap_or_else(|| pick(r, users).id);
        let route = batch.map(|b| b.route).unwrap_or_else(|| weighted_route(r));

        // The status it ends in, then a path to it through allowed changes, with dates.
        let final_status = pick_weighted(r, &[
            (Status::WorkInProgress, 6),
            (Status::ReadyToGo, 9),
            (Status::Assigned, 20),
            (Status::Withdrawn, 7),
            (Status::Used, 40),
            (Status::Expired, 12),
            (Status::Cancelled, 6),
        ]);
        let mut path: Path = Vec::new();
        let mut assigned: Option<Date> = None;
        // A draft's life up to READY TO GO, starting on `created`.
        let start = |r: &mut ChaCha8Rng, path: &mut Path, created: Date, ready: bool| {
            if !ready || r.random_bool(0.6) {
                path.push((Status::WorkInProgress, at(r, created), "USER"));
            }
            if ready {
                let d = (created + Duration::days(r.random_range(0..10))).min(y);
                let mut t = at(r, d);
                if let Some(p) = path.last() {
                    t = t.max(p.1 + Duration::minutes(5));
                }
                path.push((Status::ReadyToGo, t, "USER"));
            }
        };
        let created_for = |r: &mut ChaCha8Rng, assigned_on: Date| -> Date {
            match batch {
                Some(b) => b.created.min(assigned_on),
                None => assigned_on - Duration::days(r.random_range(0..30)),
            }
        };
        // Up to ASSIGNED on a date in [from, to] days before yesterday.
        let mut to_assigned = |r: &mut ChaCha8Rng, path: &mut Path, from: i64, to: i64| -> Date {
            let mut a = y - Duration::days(r.random_range(from..=to));
            if let Some(b) = batch {
                a = a.max(b.created);
            }
            let created = created_for(r, a);
            start(r, path, created, true);
            let t = at(r, a).max(path.last().unwrap().1 + Duration::minutes(5));
            path.push((Status::Assigned, t, "USER"));
            assigned = Some(t.date());
            t.date()
        };
        match final_status {
            Status::WorkInProgress | Status::ReadyToGo => {
                let created = batch.map(|b| b.created).unwrap_or_else(|| y - Duration::days(r.random_range(0..400)));
                start(r, &mut path, created, final_status == Status::ReadyToGo);
            }
            Status::Assigned => {
                // Still in date: assigned less than 3 months ago.
                to_assigned(r, &mut path, 0, 85);
            }
            Status::Withdrawn => {
                let a = to_assigned(r, &mut path, 10, 900);
                let d = (a + Duration::days(r.random_range(1..80))).min(y);
                let t = at(r, d).max(path.last().unwrap().1 + Duration::minutes(5));
                path.push((Status::Withdrawn, t, "USER"));
            }
            Status::Used => {
                let a = to_assigned(r, &mut path, 5, 1000);
                let expiry = expiry_for(a);
                if expiry + Duration::days(2) <= y && r.random_bool(0.1) {
                    // Applied in time, considered after the CoS expired.
                    path.push((Status::Expired, expired_at(expiry), "SYSTEM"));
                    let d = (expiry + Duration::days(r.random_range(2..30))).min(y);
                    path.push((Status::Used, at(r, d).max(expired_at(expiry) + Duration::hours(1)), "HOME_OFFICE"));
                } else {
                    let d = (a + Duration::days(r.random_range(3..85))).min(y).min(expiry);
                    let t = at(r, d).max(path.last().unwrap().1 + Duration::minutes(5));
                    path.push((Status::Used, t, "HOME_OFFICE"));
                }
            }
            Status::Expired => {
                let a = to_assigned(r, &mut path, 95, 1000);
                path.push((Status::Expired, expired_at(expiry_for(a)), "SYSTEM"));
            }
            Status::Cancelled => {
                match r.random_range(0..4) {
                    0 => {
                        let created = batch.map(|b| b.created).unwrap_or_else(|| y - Duration::days(r.random_range(30..600)));
                        let ready = r.random_bool(0.5);
                        start(r, &mut path, created, ready);
                    }
                    1 => {
                        to_assigned(r, &mut path, 20, 600);
                    }
                    2 => {
                        let a = to_assigned(r, &mut path, 95, 900);
                        path.push((Status::Expired, expired_at(expiry_for(a)), "SYSTEM"));
                    }
                    _ => {
                        let a = to_assigned(r, &mut path, 30, 900);
                        let day = (a + Duration::days(r.random_range(1..20))).min(y);
                        let t = at(r, day)
                            .max(path.last().unwrap().1 + Duration::minutes(5));
                        path.push((Status::Withdrawn, t, "USER"));
                    }
                }
                let last = path.last().unwrap();
                // From ASSIGNED, cancellation comes before the expiry would have.
                let limit = match (last.0, assigned) {
                    (Status::Assigned, Some(a)) => expiry_for(a).min(y),
                    _ => y,
                };
                let d = (last.1.date() + Duration::days(r.random_range(1..30))).min(limit);
                let t = at(r, d).max(last.1 + Duration::minutes(5));
                path.push((Status::Cancelled, t, "HOME_OFFICE"));
            }
        }
        debug_assert!(path.windows(2).all(|w| w[0].0.can_change_to(w[1].0)));
        let created_at = path[0].1;
        let (status, status_date, _) = *path.last().unwrap();

        // Ownership: a batch moves together; a single CoS may change hands once or twice.
        let mut owner = creator;
        let mut transfers: Vec<(OffsetDateTime, i64, i64, i64, Option<i64>)> = Vec::new();
        if let Some((when, to, by)) = batch.and_then(|b| b.transfer) {
            if when > created_at {
                transfers.push((when, owner, to, by, batch.map(|b| b.id)));
                owner = to;
            }
        } else if batch.is_none() && users.len() > 1 && r.random_bool(0.15) {
            let mut when = created_at;
            for _ in 0..r.random_range(1..=2) {
                let span = (y - when.date()).whole_days().max(1);
                let day = when.date() + Duration::days(r.random_range(0..=span));
                when = at(r, day).max(when + Duration::minutes(1));
                let to = loop {
                    let u = pick(r, users).id;
                    if u != owner {
                        break u;
                    }
                };
                let by = if r.random_bool(0.5) { owner } else { first_level1(users).unwrap_or(owner) };
                transfers.push((when, owner, to, by, None));
                owner = to;
            }
        }
        // Only a batch owner or a user who could see the CoS transfers it; keep `by` valid.
        for t in &transfers {
            let b = &mut self.bufs.ownership;
            b.i(sponsor_id).i(id).i(t.1).i(t.2).ts(t.0).i(t.3).opt_i(t.4);
            b.end();
        }
        self.summary.ownership_history += transfers.len() as u64;

        for (k, (st, when, actor)) in path.iter().enumerate() {
            let from = (k > 0).then(|| path[k - 1].0.as_str());
            let actor_user = (*actor == "USER").then_some(if *st == Status::Withdrawn { owner } else { creator });
            let b = &mut self.bufs.status_history;
            b.i(sponsor_id).i(id).s(st.as_str()).opt(from).ts(*when).s(actor).opt_i(actor_user);
            b.end();
        }
        self.summary.status_history += path.len() as u64;

        // The worker, the work and the job.
        let (country, city) = *pick(r, COUNTRIES);
        let nationality = country;
        let family = pick(r, FAMILY_NAMES);
        let given = pick(r, GIVEN_NAMES);
        let other = r.random_bool(0.15).then(|| *pick(r, OTHER_NAMES));
        let dob = Date::from_calendar_date(r.random_range(1962..=2004), Month::try_from(r.random_range(1..=12u8)).unwrap(), r.random_range(1..=28)).unwrap();
        let gender = *pick(r, &["Female", "Male", "Female", "Male", "Unspecified"]);
        let in_uk = r.random_bool(0.35);
        let passport = format!("{}{:08}", (b'A' + r.random_range(0..26u8)) as char, r.random_range(0..100_000_000u32));
        let pp_issue = created_at.date() - Duration::days(r.random_range(100..3000));
        let pp_expiry = add_months(pp_issue, 120);
        let home = if in_uk {
            format!("{} {}, {}", r.random_range(1..200), pick(r, STREETS), pick(r, TOWNS).0)
        } else {
            format!("{} Main Road, {}, {}", r.random_range(1..200), city, country)
        };
        let ni = in_uk.then(|| format!("Q{}{:06}{}", (b'A' + r.random_range(0..23u8)) as char, r.random_range(0..1_000_000u32), ["A", "B", "C", "D"][r.random_range(0..4)]));
        let employee = r.random_bool(0.5).then(|| format!("E{:06}", r.random_range(0..1_000_000u32)));
        let (job, soc, base_salary) = *pick(r, JOBS);
        let salary = (base_salary as f64 * (0.85 + r.random::<f64>() * 0.4) / 100.0).round() * 100.0;
        let start_date = assigned.unwrap_or(created_at.date()) + Duration::days(r.random_range(14..120));
        let end_date = add_months(start_date, 12 * r.random_range(1..=5));
        let hours = *pick(r, &["37.5", "40.0", "35.0", "20.0", "30.0", "48.0"]);
        let addr = pick(r, &ctx.addresses).clone();
        let draft = status == Status::WorkInProgress;
        let missing = draft.then(|| r.random_range(0..3));
        let description = format!(
            "{job}: carries out the duties of the role at the {} site, reporting to the site manager.",
            addr.town
        );

        let b = &mut self.bufs.cos;
        b.i(sponsor_id).i(id).s(CosNumber::from_sequence(id as u64).as_str()).i(route as i64)
            .s(status.as_str()).ts(status_date)
            .opt_d(assigned).opt_d(assigned.map(expiry_for))
            .i(creator).opt_i(batch.map(|b| b.id)).ts(created_at)
            .s(family).s(given).opt(other).s(nationality).s(city).s(country).d(dob).s(gender)
            .s(if in_uk { "United Kingdom of Great Britain and Northern Ireland" } else { country })
            .opt((missing != Some(0)).then_some(passport.as_str())).d(pp_issue).d(pp_expiry).s(country)
            .s(&home).opt(ni.as_deref()).opt(employee.as_deref())
            .d(start_date).d(end_date).s(hours)
            .s(&addr.line1).opt(addr.line2.as_deref()).null().s(addr.town).opt(non_empty(addr.county)).s(&addr.postcode)
            .s(&other_work_addresses(id, &addr, &ctx.addresses))
            .s(job).s(soc).opt((missing != Some(1)).then_some(description.as_str()))
            .s(&format!("{salary:.2}")).s(if r.random_bool(0.7) { "None" } else { "London weighting of £2,500 included" })
            .opt_b((missing != Some(2)).then(|| r.random_bool(0.6)));
        b.end();
        let o = &mut self.bufs.owners;
        o.i(sponsor_id).i(id).i(owner);
        o.end();
        self.summary.cos += 1;

        // Activity reports: only a USED CoS has any.
        if status == Status::Used && r.random_bool(0.35) {
            let mut when = status_date;
            for _ in 0..r.random_range(1..=3) {
                let span = (y - when.date()).whole_days().max(1);
                let day = when.date() + Duration::days(r.random_range(0..=span));
                when = at(r, day).max(when + Duration::minutes(1));
                let b = &mut self.bufs.activity;
                b.i(sponsor_id).i(id).i(r.random_range(1..=ACTIVITY_TYPES) as i64).ts(when).i(owner)
                    .s(*pick(r, ACTIVITY_DETAILS));
                b.end();
                self.summary.activity_reports += 1;
            }
        }
        // Sponsor notes: added after assignment.
        if let Some(a) = assigned {
            if r.random_bool(0.15) {
                let d = (a + Duration::days(r.random_range(0..20))).min(y);
                let b = &mut self.bufs.notes;
                b.i(sponsor_id).i(id).s(*pick(r, NOTES)).ts(at(r, d)).i(owner);
                b.end();
            }
        }
    }
}

fn pick<'t, T>(r: &mut ChaCha8Rng, items: &'t [T]) -> &'t T {
    &items[r.random_range(0..items.len())]
}

fn pick_weighted<T: Copy>(r: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut x = r.random_range(0..total);
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// Skilled Worker is most of the traffic; every route appears.
fn weighted_route(r: &mut ChaCha8Rng) -> i16 {
    if r.random_bool(0.45) {
        1
    } else {
        r.random_range(1..=ROUTES)
    }
}

fn first_level1(users: &[User]) -> Option<i64> {
    users.iter().find(|u| u.level == 1).map(|u| u.id)
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// A moment in office hours on `d`.
fn at(r: &mut ChaCha8Rng, d: Date) -> OffsetDateTime {
    let secs: u32 = r.random_range(8 * 3600..18 * 3600);
    OffsetDateTime::new_utc(d, Time::from_hms((secs / 3600) as u8, (secs / 60 % 60) as u8, (secs % 60) as u8).unwrap())
}

/// When the expiry job moves a CoS that was not used by `expiry`: early the next day.
fn expired_at(expiry: Date) -> OffsetDateTime {
    OffsetDateTime::new_utc(expiry + Duration::days(1), Time::from_hms(0, 5, 0).unwrap())
}

fn inward_letters(r: &mut ChaCha8Rng) -> String {
    const L: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    (0..2).map(|_| L[r.random_range(0..L.len())] as char).collect()
}

/// A licence number from a sponsor id: unique per id, shaped as domain.md decides.
fn licence_number(id: i64) -> String {
    const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let first = (b'1' + (id % 9) as u8) as char;
    let mut v = ((id / 9) as u64).wrapping_mul(2_654_435_761) % 2_821_109_907_456; // 36^8
    let mut rest = [b'0'; 8];
    for c in rest.iter_mut().rev() {
        *c = A[(v % 36) as usize];
        v /= 36;
    }
    format!("{first}{}", std::str::from_utf8(&rest).unwrap())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn expiry_is_three_months_like_postgres() {
        assert_eq!(expiry_for(date!(2026 - 11 - 30)), date!(2027 - 02 - 28));
        assert_eq!(expiry_for(date!(2023 - 11 - 30)), date!(2024 - 02 - 29));
        assert_eq!(expiry_for(date!(2026 - 01 - 15)), date!(2026 - 04 - 15));
    }

    #[test]
    fn the_same_arguments_give_the_same_data() {
        let p = Params { sponsors: 3, cos: 2_000, largest: None, seed: 7, today: date!(2026 - 11 - 29) };
        assert_eq!(fingerprint(&p), fingerprint(&p));
        assert_ne!(fingerprint(&p), fingerprint(&Params { seed: 8, ..p.clone() }));
    }

    #[test]
    fn licence_numbers_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for id in 1..20_000 {
            let l = licence_number(id);
            assert!(app::domain::LicenceNumber::parse(&l).is_ok(), "{l}");
            assert!(seen.insert(l));
        }
    }
}
