//! Test helpers: the real app, on a real port, over a fresh database.

#![allow(dead_code)]

use server::seed::{self, Params};
use server::startup::{self, AppState, Settings};
use sqlx::PgPool;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use time::macros::date;

pub const TODAY: time::Date = date!(2026 - 11 - 29);

pub async fn seed_demo(pool: &PgPool) -> seed::Summary {
    seed::seed(pool, &Params::demo(TODAY)).await.expect("seeding the demo data")
}

/// A running app over the test's database; its address. The server stops when this is dropped.
pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
    server: tokio::task::AbortHandle,
}

/// The app gets a pool of its own, like `server run`, rather than the test's: `#[sqlx::test]`
/// pools are five connections borrowed from a shared parent and reaped after 1 s idle, and one
/// CI run saw a page wait 20 s for a connection from it. The test keeps `pool` for its own reads.
pub async fn spawn(pool: PgPool) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn_with(pool_for_app(&pool).await, listener, Settings { secure_cookies: false, public_origin: None, idle_minutes: 30, absolute_seconds: 12 * 3600 }, pool).await
}

/// The pool `server serve` makes (its time limits), sized for tests that run side by side.
pub async fn pool_for_app(pool: &PgPool) -> PgPool {
    startup::pool_options()
        .max_connections(16)
        .connect_with(startup::connect_options((*pool.connect_options()).clone()))
        .await
        .unwrap()
}

/// The app over a pool the test made (a small one, to use it all up).
pub async fn spawn_with_pool(pool: PgPool, app_pool: PgPool) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn_with(app_pool, listener, Settings { secure_cookies: false, public_origin: None, idle_minutes: 30, absolute_seconds: 12 * 3600 }, pool).await
}

/// The app over a pool of its own of `size` connections (a small one, to use it all up).
pub async fn spawn_with_pool_size(pool: PgPool, size: u32) -> TestApp {
    let app_pool = startup::pool_options()
        .max_connections(size)
        .connect_with(startup::connect_options((*pool.connect_options()).clone()))
        .await
        .unwrap();
    spawn_with_pool(pool, app_pool).await
}

/// The app with settings of the test's own (a short session lifetime, say).
pub async fn spawn_with_settings(pool: PgPool, settings: Settings) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn_with(pool_for_app(&pool).await, listener, settings, pool).await
}

async fn spawn_with(app_pool: PgPool, listener: tokio::net::TcpListener, settings: Settings, pool: PgPool) -> TestApp {
    let addr = listener.local_addr().unwrap();
    let store = startup::session_store(&app_pool).await.unwrap();
    let state = AppState::new(server::config::leptos_options(addr), app_pool);
    let app = startup::router(state, store, &settings);
    // With the client's address, as `server serve` runs it: sign-in throttles by it.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(startup::no_delay(listener), app).await.unwrap() }).abort_handle();
    TestApp { base: format!("http://{addr}"), pool, server }
}

impl Drop for TestApp {
    /// Stopping the server drops its pool, so its connections close before `#[sqlx::test]`
    /// drops the test database.
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        browser()
            // A stuck request fails its test with a message instead of stalling the run.
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn sign_in(&self, c: &reqwest::Client, user: &str, password: &str, next: &str) -> reqwest::Response {
        c.post(self.url("/sign-in"))
            .form(&[("user_id", user), ("password", password), ("next", next)])
            .send()
            .await
            .unwrap()
    }

    /// A client signed in as `login` (the sign-in must succeed).
    pub async fn signed_in(&self, login: &str, password: &str) -> reqwest::Client {
        let c = self.client();
        let r = self.sign_in(&c, login, password, "/").await;
        assert_eq!(r.status(), 303, "{login} signs in");
        c
    }

    pub async fn page(&self, c: &reqwest::Client, path: &str) -> (u16, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        (status, markup(&r.text().await.unwrap()))
    }
}

/// A page's HTML as a browser shows it: without the empty comments (`<!>`) that mark where
/// hydration resumes, which sit between text and tags wherever a view is dynamic.
pub fn markup(html: &str) -> String {
    html.replace("<!>", "")
}

/// Text as a page shows it in its HTML.
pub fn html_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The value of the hidden field `name` of a form in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).unwrap_or_else(|| panic!("{name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].replace("&amp;", "&")
}

/// A client as a browser asks: keeps cookies, asks for HTML (a form post is then answered
/// with a redirect), and does not follow redirects, so a test sees where it is sent.
pub fn browser() -> reqwest::ClientBuilder {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8".parse().unwrap());
    reqwest::Client::builder().cookie_store(true).default_headers(headers).redirect(reqwest::redirect::Policy::none())
}

/// The server binary as a process on a port of its own.
pub struct ServerProcess {
    pub child: Child,
    pub base: String,
}

impl ServerProcess {
    pub async fn start(args: &[&str], envs: &[(&str, String)]) -> ServerProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
        cmd.args(args)
            .env_remove("DATABASE_URL")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let c = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if c.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status() == 200) {
                break;
            }
            assert!(child.try_wait().unwrap().is_none(), "the server exited while starting");
            assert!(started.elapsed() < Duration::from_secs(120), "the server did not start");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        ServerProcess { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn signed_in(&self, login: &str, password: &str) -> reqwest::Client {
        let c = browser().build().unwrap();
        let r = c.post(self.url("/sign-in")).form(&[("user_id", login), ("password", password), ("next", "/")]).send().await.unwrap();
        assert_eq!(r.status(), 303, "{login} signs in: {}", r.text().await.unwrap());
        c
    }

    pub fn signal(&self, sig: libc::c_int) {
        // SAFETY: kill has no memory preconditions; the pid is our own child's.
        assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, sig) }, 0);
    }

    /// Its exit status, once it has exited within `within`.
    pub async fn exited(&mut self, within: Duration) -> std::process::ExitStatus {
        let t = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(t.elapsed() < within, "the server still runs after {within:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}


/// A live-change stream (`GET /changes`) read as a browser's EventSource reads it.
pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// Opens the stream with `client`'s session; it must be accepted.
    pub async fn open(client: &reqwest::Client, url: String) -> EventStream {
        let response = client.get(url).header("accept", "text/event-stream").send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        EventStream { response, buffer: String::new() }
    }

    /// The next event's name (None for a plain message) and data, or None if none comes
    /// within `wait`. Keep-alive comments are skipped.
    pub async fn next(&mut self, wait: Duration) -> Option<(Option<String>, String)> {
        let until = Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                    let name = event.lines().find_map(|l| l.strip_prefix("event: ")).map(str::to_string);
                    return Some((name, data.to_string()));
                }
            }
            let left = until.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(_) => panic!("the stream ended"),
                Err(_) => return None,
            }
        }
    }
}
