//! The SMS server: serves the app, and its command line (seed, migrate, the embedded database).

use anyhow::Context;
use clap::{Parser, Subcommand};
use server::{embedded_pg::Cluster, seed, startup};
use sqlx::postgres::PgConnectOptions;
use std::future::IntoFuture;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Parser)]
#[command(name = "server", about = "Sponsorship Management System: Certificates of Sponsorship")]
struct Cli {
    /// The database to use. Unset: the embedded cluster under target/postgres.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// The database name in the embedded cluster.
    #[arg(long, env = "SMS_DATABASE", default_value = "sms", global = true)]
    database: String,
    /// Where the embedded cluster lives.
    #[arg(long, env = "SMS_TARGET_DIR", default_value = "target", global = true)]
    target_dir: PathBuf,
    /// Connections to PostgreSQL this process keeps at most (default: four per core, 8 to 32).
    #[arg(long, env = "SMS_DB_CONNECTIONS", global = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    db_connections: Option<u32>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default).
    Serve {
        /// Load the demo data first when the database is empty.
        #[arg(long)]
        seed_demo: bool,
    },
    /// Load generated demo data into an empty database.
    Seed {
        #[arg(long, default_value_t = 2)]
        sponsors: u32,
        #[arg(long, default_value_t = 3_000)]
        cos: u64,
        /// CoS of the largest sponsor (Acme); default a tenth, or 2,000 for the demo.
        #[arg(long)]
        largest: Option<u64>,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// The day the data is laid out around (YYYY-MM-DD); default today.
        #[arg(long)]
        today: Option<String>,
        /// Do nothing when the database already holds data.
        #[arg(long)]
        if_empty: bool,
    },
    /// Apply the migrations.
    Migrate,
    /// Write brotli and gzip copies of the browser bundle beside it (after a release build),
    /// and print the sizes.
    Precompress {
        /// The folder of the bundle.
        #[arg(default_value = "target/site/pkg")]
        dir: std::path::PathBuf,
    },
    /// Run the expiry job once (the server runs it every few minutes by itself).
    Expire {
        /// Expire CoS whose expiry date is before this day (YYYY-MM-DD); default today in the UK.
        #[arg(long)]
        today: Option<String>,
    },
    /// What the Home Office does to CoS and licences (it is not a user of the app).
    HomeOffice {
        #[command(subcommand)]
        action: HomeOfficeAction,
    },
    /// The embedded database cluster.
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
}

#[derive(Subcommand)]
enum DbAction {
    /// Start it (creating it on first use) and print its URL.
    Start,
    /// Stop it.
    Stop,
    /// Print the URL of a database in it.
    Url,
    /// Drop and re-create the database, then print its URL.
    Recreate,
}

#[derive(Subcommand)]
enum HomeOfficeAction {
    /// Record that a CoS was used in an application: from ASSIGNED, or from EXPIRED when the
    /// application was made on or before the expiry date.
    MarkUsed {
        cos_number: String,
        /// The day the application was made (YYYY-MM-DD); required for an EXPIRED CoS.
        #[arg(long)]
        applied_on: Option<String>,
    },
    /// Revoke a sponsor's licence: every CoS of it not USED is cancelled.
    RevokeLicence { licence_number: String },
    /// A sponsor surrenders a route: every CoS of it on that route not USED is cancelled.
    SurrenderRoute { licence_number: String, route: String },
    /// Add a Level 1 user to a sponsor; prints their temporary password, once.
    AddLevel1User { licence_number: String, full_name: String, email: String, user_id: String },
}

fn parse_day(s: &str, what: &str) -> anyhow::Result<time::Date> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .with_context(|| format!("{what} must be YYYY-MM-DD"))
}

fn today_utc() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

async fn connect(cli: &Cli, cluster: &mut Option<Cluster>) -> anyhow::Result<sqlx::PgPool> {
    let options = match &cli.database_url {
        Some(url) => PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid URL")?,
        None => {
            let mut c = Cluster::new(&cli.target_dir)?;
            c.start()?;
            c.ensure_database(&cli.database).await?;
            let o = c.options(&cli.database);
            *cluster = Some(c);
            o
        }
    };
    let pool = server::startup::pool_options()
        .max_connections(cli.db_connections.unwrap_or_else(server::startup::default_pool_size))
        .connect_with(server::startup::connect_options(options))
        .await
        .context("could not connect to the database")?;
    app::db::MIGRATOR.run(&pool).await.context("migrations failed")?;
    Ok(pool)
}

/// How long a stopping server waits for the requests in flight.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn print_summary(s: &seed::Summary) {
    println!(
        "Seeded {} sponsors, {} users, {} CoS, {} batches, {} status changes, {} transfers, {} activity reports in {:.1} s",
        s.sponsors, s.users, s.cos, s.batches, s.status_history, s.ownership_history, s.activity_reports, s.seconds
    );
}

// mimalloc rather than glibc's malloc: rendering a page is many small allocations, and glibc's
// took a fifth of the server's CPU under load, much of it waiting on its arena locks; capping
// its arenas (to bound memory) made that worse. mimalloc keeps per-thread heaps without locks
// and returns freed pages to the system.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// Transparent huge pages off for this process (and the PostgreSQL it starts, which inherits
// the setting; PostgreSQL's own advice is the same). mimalloc asks for them on its arenas, and
// the kernel's khugepaged then fills in 2 MiB pages around a few live 4 KiB ones, minutes after
// the memory was used: in `make load`'s soak RSS rose from 47 to 77 MB ten minutes in, all of
// it huge pages, while the live heap stayed at 6 MB. A heap this size gains nothing from them.
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<std::process::ExitCode> {
    #[cfg(target_os = "linux")]
    no_transparent_huge_pages();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let mut cluster = None;
    let result = run(&cli, &mut cluster).await;
    if let Some(c) = cluster.as_mut() {
        if let Err(e) = c.stop(false) {
            eprintln!("could not stop the embedded database: {e:#}");
        }
    }
    result
}

/// Success, or exit code 2 for a command refused by a rule (nothing was changed).
async fn run(cli: &Cli, cluster: &mut Option<Cluster>) -> anyhow::Result<std::process::ExitCode> {
    use std::process::ExitCode;
    match cli.command.as_ref().unwrap_or(&Command::Serve { seed_demo: false }) {
        Command::Serve { seed_demo } => {
            let pool = connect(cli, cluster).await?;
            if *seed_demo && seed::is_empty(&pool).await? {
                println!("Loading the demo data…");
                print_summary(&seed::seed(&pool, &seed::Params::demo(today_utc())).await?);
            }
            let config = server::config::Config::from_env()?;
            let store = startup::session_store(&pool).await?;
            let state = startup::AppState::new(config.leptos_options.clone(), pool.clone());
            let app = startup::router(state, store.clone(), &config.settings);
            tokio::spawn(server::jobs::delete_expired_sessions(store));
            tokio::spawn(server::jobs::forget_unknown_sign_in_failures(pool.clone()));
            tokio::spawn(server::jobs::expire_cos_continuously(pool.clone(), server::jobs::EXPIRY_EVERY));
            let listener = tokio::net::TcpListener::bind(&config.addr)
                .await
                .with_context(|| format!("could not listen on {}", config.addr))?;
            let listener = server::startup::no_delay(listener);
            println!("SMS is running at http://{}", config.addr);
            println!("Sign in as:");
            for (user, password, who) in seed::DEMO_USERS {
                println!("  {user} / {password}  ({who})");
            }
            // With each client's address: sign-in is throttled by it.
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            // On SIGTERM (or Ctrl-C) it stops taking connections and lets the requests in
            // flight finish, for at most SHUTDOWN_GRACE; a second signal stops it at once.
            let (stopping, stop_asked) = tokio::sync::oneshot::channel::<()>();
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                shutdown_signal().await;
                println!("Stopping: finishing the requests in flight (a second signal stops at once)");
                let _ = stopping.send(());
            });
            let cut_short = async move {
                if stop_asked.await.is_err() {
                    return std::future::pending().await;
                }
                tokio::select! {
                    _ = tokio::time::sleep(SHUTDOWN_GRACE) => println!("Stopping: requests still running after {SHUTDOWN_GRACE:?} are cut off"),
                    _ = shutdown_signal() => println!("Stopping now"),
                }
            };
            tokio::select! {
                served = serve.into_future() => {
                    served?;
                    pool.close().await;
                }
                _ = cut_short => {
                    // Requests cut off hold connections until the process ends; their
                    // transactions are rolled back by the database, never half applied.
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), pool.close()).await;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed { sponsors, cos, largest, seed: s, today, if_empty } => {
            let pool = connect(cli, cluster).await?;
            if *if_empty && !seed::is_empty(&pool).await? {
                println!("The database already holds data: nothing loaded.");
                return Ok(ExitCode::SUCCESS);
            }
            let today = match today {
                Some(t) => parse_day(t, "--today")?,
                None => today_utc(),
            };
            let params = seed::Params { sponsors: *sponsors, cos: *cos, largest: *largest, seed: *s, today };
            print_summary(&seed::seed(&pool, &params).await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Expire { today } => {
            let pool = connect(cli, cluster).await?;
            let today = today.as_deref().map(|t| parse_day(t, "--today")).transpose()?;
            match server::jobs::expire_cos(&pool, today).await? {
                Some(n) => println!("{n} CoS expired."),
                None => println!("Another server is running the expiry job now: nothing done."),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::HomeOffice { action } => {
            use server::home_office;
            let pool = connect(cli, cluster).await?;
            let done = match action {
                HomeOfficeAction::MarkUsed { cos_number, applied_on } => {
                    let applied_on = applied_on.as_deref().map(|d| parse_day(d, "--applied-on")).transpose()?;
                    home_office::mark_used(&pool, cos_number, applied_on).await
                }
                HomeOfficeAction::RevokeLicence { licence_number } => home_office::revoke_licence(&pool, licence_number).await,
                HomeOfficeAction::SurrenderRoute { licence_number, route } => home_office::surrender_route(&pool, licence_number, route).await,
                HomeOfficeAction::AddLevel1User { licence_number, full_name, email, user_id } => {
                    home_office::add_level1_user(&pool, licence_number, full_name, email, user_id).await
                }
            };
            match done {
                Ok(report) => {
                    println!("{report}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(home_office::Refused::Rule(why)) => {
                    eprintln!("Refused: {why}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Precompress { dir } => {
            println!("{:<24} {:>12} {:>12} {:>12}", "file", "raw", "gzip -9", "brotli -11");
            for (name, raw, gz, br) in server::assets::precompress(dir)? {
                println!("{name:<24} {raw:>12} {gz:>12} {br:>12}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            connect(cli, cluster).await?;
            println!("Migrations applied.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Db { action } => {
            let mut c = Cluster::new(&cli.target_dir)?;
            match action {
                DbAction::Start => {
                    c.start()?;
                    c.ensure_database(&cli.database).await?;
                    println!("{}", c.url(&cli.database));
                }
                DbAction::Stop => c.stop(true)?,
                DbAction::Url => println!("{}", c.url(&cli.database)),
                DbAction::Recreate => {
                    c.start()?;
                    c.recreate_database(&cli.database).await?;
                    println!("{}", c.url(&cli.database));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
