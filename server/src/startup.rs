//! Builds the application: state, router, middleware. Used by `serve` and by the tests.

use crate::{batch_upload, changes, export, live, middleware, print, routes, sessions, throttle};
use app::db::advanced_search::ReferenceLists;
use app::db::users::{KnownUsers, SignedInUsers};
use app::{shell, App};
use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{
    file_and_error_handler_with_context, generate_route_list, handle_server_fns_with_context, LeptosRoutes,
};
use sqlx::PgPool;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::{time::Duration, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

/// What every request shares, behind one `Arc`: axum and Leptos clone the state several
/// times a request, and cloning each part (the caches are several `Arc`s each) took about 5%
/// of the server's CPU for a View CoS page.
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub known_users: KnownUsers,
    pub sign_in_throttle: throttle::SignInThrottle,
    /// Sessions read from memory (`sessions::Cached`), kept true by `changes`.
    pub sessions: sessions::SessionCache,
    /// Signed-in users read from memory, kept true by `changes`.
    pub signed_in: SignedInUsers,
    /// The routes and activity types, kept true by `changes`.
    pub reference_lists: ReferenceLists,
    /// The database's change notifications, heard once for the process.
    pub changes: changes::Changes,
}

impl AppState {
    /// The app's shared parts; starts listening for changes (so: within a tokio runtime).
    pub fn new(leptos_options: LeptosOptions, pool: PgPool) -> Self {
        let sessions = sessions::SessionCache::new(10_000);
        let signed_in = SignedInUsers::default();
        let reference_lists = ReferenceLists::default();
        let changes = changes::Changes::listen(
            pool.clone(),
            changes::Kept { sessions: sessions.clone(), users: signed_in.clone(), lists: reference_lists.clone() },
        );
        Self(std::sync::Arc::new(Shared {
            leptos_options,
            pool,
            known_users: KnownUsers::default(),
            sign_in_throttle: Default::default(),
            sessions,
            signed_in,
            reference_lists,
            changes,
        }))
    }
}

/// The largest request body anything here accepts: every form and server-function call is
/// a few kilobytes (500 ticked CoS are 8 KB). Larger is refused with 413 before it is read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub struct Settings {
    /// Send the session cookie only over HTTPS.
    pub secure_cookies: bool,
    /// The site's origin as browsers see it (e.g. behind a proxy); else the Host header.
    pub public_origin: Option<String>,
    pub idle_minutes: i64,
    /// A session ends this many seconds after sign-in, however busy.
    pub absolute_seconds: i64,
}

/// A request that finds no connection free within this is told the service is busy (503)
/// rather than left waiting.
pub const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Connections per server process unless `SMS_DB_CONNECTIONS` says otherwise: four per core,
/// 8 to 32. More is slower, not faster: PostgreSQL runs a query per core at a time, and the
/// pool hands connections out in turn, so each of many backends (each with its own catalog
/// and plan caches) comes round cold. On this 2-core machine View CoS cost PostgreSQL 335 µs
/// of CPU a page through 32 connections and 185 µs through 8 (2,300 against 3,000 pages a
/// second), and the mixed load of `make load` ran 12% faster with 0 errors at 200 users.
pub fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (4 * cores).clamp(8, 32)
}

pub fn pool_options() -> sqlx::postgres::PgPoolOptions {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(default_pool_size())
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // sqlx's own test pings every connection as it is handed out: a round trip to
        // PostgreSQL on every query, on top of the one sqlx makes as it takes the connection
        // back. A connection given back within the last second passed that second test, so
        // only one idle for longer is pinged (a database restarted since is found out there).
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= RECENTLY_TESTED {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

/// How long a connection given back to the pool counts as tested (`pool_options`).
const RECENTLY_TESTED: std::time::Duration = std::time::Duration::from_secs(1);

/// Each connection's statements are bounded in time (`app::db::STATEMENT_TIMEOUT`).
pub fn connect_options(options: sqlx::postgres::PgConnectOptions) -> sqlx::postgres::PgConnectOptions {
    options.options([("statement_timeout", app::db::STATEMENT_TIMEOUT)])
}

/// The longest a page, form post or server function may take before the answer is "busy":
/// a request waiting on something stuck gives up rather than hangs. The CSV export streams
/// its body after the answer starts, so this bounds only its start.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Each connection sends what it has at once (TCP_NODELAY). Without it a kept-alive connection
/// answering with headers and body in separate writes waited on the client's delayed ACK:
/// 40 ms a file, which held static files to 1,700 a second.
pub fn no_delay(
    listener: tokio::net::TcpListener,
) -> axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    use axum::serve::ListenerExt;
    fn set(tcp: &mut tokio::net::TcpStream) {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set: {e}");
        }
    }
    listener.tap_io(set as fn(&mut tokio::net::TcpStream))
}

/// Creates the session table (once) and returns the store.
pub async fn session_store(pool: &PgPool) -> anyhow::Result<PostgresStore> {
    let store = PostgresStore::new(pool.clone());
    store.migrate().await?;
    Ok(store)
}

/// The app's routes, worked out once per process. Leptos suppresses resource loading with a
/// process-wide flag while it generates the list, so a page rendering at that moment (another
/// router being built beside a running one, as in the tests) would wait forever
/// (leptos-rs/leptos#4773). Once, before anything serves, it cannot overlap a request.
pub fn routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState, store: PostgresStore, settings: &Settings) -> Router {
    let routes = routes();
    let (pool, known) = (state.pool.clone(), state.known_users.clone());
    let (signed_in, lists) = (state.signed_in.clone(), state.reference_lists.clone());
    let context = move || {
        provide_context(pool.clone());
        provide_context(known.clone());
        provide_context(signed_in.clone());
        provide_context(lists.clone());
        // The signed-in user, read at most once in this request.
        provide_context(app::api::ssr::RequestUser::default());
        // Whether a part of this request found the database busy (the rest then says so at once).
        provide_context(app::api::ssr::RequestBusy::default());
        // The page's inline scripts carry the nonce its Content-Security-Policy names
        // (`middleware::security_headers` makes both), not one of Leptos's own.
        if let Some(nonce) = use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<middleware::CspNonce>().cloned())
        {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0));
        }
    };

    // Sessions are read from memory and written (and deleted, at sign-out) in both memory and
    // Postgres, which keeps them across restarts. Each request reads its session, so this
    // saves a round trip on every call. A session saved or deleted by any server is dropped
    // from every server's memory as the database announces it (`changes`).
    let store = sessions::Cached::new(store, state.sessions.clone());
    let absolute = std::time::Duration::from_secs(settings.absolute_seconds.max(1) as u64);
    let store = sessions::EndedStaysEnded::new(store, absolute);
    // Over HTTPS the cookie takes the `__Host-` prefix: the browser then refuses it unless it
    // is Secure, for the whole site (Path=/) and for this host alone (no Domain).
    let cookie = if settings.secure_cookies { "__Host-sms_session" } else { "sms_session" };
    let sessions = SessionManagerLayer::new(store)
        .with_name(cookie)
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.secure_cookies)
        // Activity pushes this back: `middleware::require_sign_in` re-saves the session once a
        // minute while it is in use.
        .with_expiry(Expiry::OnInactivity(Duration::minutes(settings.idle_minutes)));

    let server_fns = {
        let context = context.clone();
        move |req| handle_server_fns_with_context(context.clone(), req)
    };

    // The one form that carries a file gets room for it; everything else keeps the small limit.
    let upload = Router::new()
        .route("/create-cos/batch", post(batch_upload::create_batch))
        .layer(axum::extract::DefaultBodyLimit::max(batch_upload::MAX_UPLOAD_BYTES))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(batch_upload::MAX_UPLOAD_BYTES));

    let options = &state.leptos_options;
    let files = crate::assets::router(&options.site_root, &options.site_pkg_dir);
    let app = Router::new()
        .route("/api/{*fn_name}", post(server_fns.clone()).get(server_fns))
        .route("/create-cos/batch-template.csv", get(batch_upload::template))
        .route("/sign-in", post(routes::sign_in))
        .route("/sign-out", post(routes::sign_out))
        .route("/health", get(routes::health))
        .route(live::PATH, get(live::stream))
        .route("/view-cos/{cos_number}/print", get(print::print_cos))
        .route("/view-cos/advanced/export.csv", get(export::export_csv))
        .route(app::pages::advanced_search::OPEN_PATH, get(routes::open_chosen))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        // Unknown addresses render the app's "Page not found", which reads the signed-in user:
        // it needs the pool like every other page.
        .fallback(file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(upload)
        .layer(axum::middleware::from_fn_with_state(settings.absolute_seconds.max(1), middleware::require_sign_in))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            settings.public_origin.clone(),
            middleware::same_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(settings.secure_cookies, middleware::security_headers))
        // Brotli's own default is its best and slowest level (11), meant for files compressed
        // once: on every page and export it cost more CPU than rendering. Level 3 sends View
        // CoS in 2,678 bytes rather than level 4's 2,541, and compresses it in 128 µs of CPU
        // rather than 220 (under wrk, 3,080 pages/s rather than 2,590). Gzip at 3 likewise.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(3)))
        .layer(axum::middleware::from_fn_with_state(REQUEST_TIMEOUT, middleware::time_limit))
        .layer(TraceLayer::new_for_http())
        .with_state(state);
    // Static files first, outside the app's sessions and page headers.
    files.merge(app)
}
