//! The embedded default database: when DATABASE_URL is unset, the server runs its own
//! PostgreSQL cluster under `target/postgres`, with the system's server binaries, reachable
//! only through a Unix socket that only the local user can open.

use anyhow::{bail, Context};
use sqlx::postgres::PgConnectOptions;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    socket_dir: PathBuf,
    log: PathBuf,
    /// Postgres refuses to run as root: as root, the cluster belongs to `postgres`.
    run_as: Option<String>,
    started_here: bool,
}

const PORT: u16 = 5432;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The newest installed PostgreSQL server binaries (Debian keeps them per version).
fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "No PostgreSQL server found under /usr/lib/postgresql. Install it (apt-get install postgresql) \
             or set DATABASE_URL to a database of your own."
        ),
    }
}

impl Cluster {
    /// The cluster of the project whose `target/` directory is `target`.
    pub fn new(target: &Path) -> anyhow::Result<Cluster> {
        let root = std::path::absolute(target.join("postgres"))?;
        let mut socket_dir = root.join("run");
        // A Unix socket path must fit in ~107 bytes; deep checkouts fall back to /tmp.
        if socket_dir.as_os_str().len() > 90 {
            let mut h: u64 = 1469598103934665603;
            for b in root.as_os_str().as_encoded_bytes() {
                h = (h ^ *b as u64).wrapping_mul(1099511628211);
            }
            socket_dir = PathBuf::from(format!("/tmp/sms-pg-{h:016x}"));
        }
        Ok(Cluster {
            bin: find_bin_dir()?,
            data: root.join("data"),
            log: root.join("postgres.log"),
            socket_dir,
            run_as: is_root().then(|| "postgres".to_string()),
            started_here: false,
        })
    }

    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.arg("-u").arg(user).arg("--").arg(exe);
                c
            }
            None => Command::new(exe),
        }
    }

    fn run(&self, mut cmd: Command, what: &str) -> anyhow::Result<()> {
        let out = cmd.output().with_context(|| format!("could not run {what}"))?;
        if !out.status.success() {
            bail!(
                "{what} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    fn own(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(user) = &self.run_as {
            self.run(
                {
                    let mut c = Command::new("chown");
                    c.arg("-R").arg(format!("{user}:{user}")).arg(path);
                    c
                },
                "chown",
            )?;
        }
        Ok(())
    }

    pub fn is_running(&self) -> bool {
        let mut c = self.command("pg_ctl");
        c.arg("status").arg("-D").arg(&self.data);
        c.output().map(|o| o.status.success()).unwrap_or(false)
    }

    /// Creates the cluster on first use and starts it unless it already runs.
    pub fn start(&mut self) -> anyhow::Result<()> {
        let root = self.data.parent().unwrap().to_path_buf();
        std::fs::create_dir_all(&root)?;
        std::fs::create_dir_all(&self.socket_dir)?;
        self.own(&self.socket_dir)?;
        if !self.data.join("PG_VERSION").exists() {
            std::fs::create_dir_all(&self.data)?;
            self.own(&root)?;
            let mut c = self.command("initdb");
            c.arg("-D").arg(&self.data)
                .args(["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"]);
            self.run(c, "initdb")?;
            // Only a Unix socket, only for its owner; sized for a developer's machine. Commits
            // stay synchronous: a transfer the user was told of survives a crash of the cluster.
            let conf = format!(
                "\n# Written by the SMS server for its embedded cluster.\n\
                 listen_addresses = ''\n\
                 unix_socket_directories = '{}'\n\
                 unix_socket_permissions = 0700\n\
                 port = {PORT}\n\
                 max_connections = 200\n\
                 shared_buffers = 512MB\n\
                 work_mem = 16MB\n\
                 maintenance_work_mem = 512MB\n\
                 max_wal_size = 4GB\n\
                 timezone = 'UTC'\n",
                self.socket_dir.display()
            );
            let path = self.data.join("postgresql.conf");
            let mut text = std::fs::read_to_string(&path)?;
            text.push_str(&conf);
            std::fs::write(&path, text)?;
        }
        if self.is_running() {
            return Ok(());
        }
        // A socket dir under /tmp may have been cleaned since the cluster was made.
        let mut c = self.command("pg_ctl");
        c.arg("start").arg("-w").arg("-t").arg("60").arg("-D").arg(&self.data)
            .arg("-l").arg(&self.log)
            .arg("-o").arg(format!("-k {}", self.socket_dir.display()));
        if let Some(user) = &self.run_as {
            // The log file is written by the postgres user.
            let _ = std::fs::File::create(&self.log);
            let mut chown = Command::new("chown");
            chown.arg(format!("{user}:{user}")).arg(&self.log);
            self.run(chown, "chown")?;
        }
        self.run(c, "pg_ctl start")
            .with_context(|| format!("see {}", self.log.display()))?;
        self.started_here = true;
        Ok(())
    }

    /// Stops the cluster if this process started it (or `force`).
    pub fn stop(&mut self, force: bool) -> anyhow::Result<()> {
        if !(self.started_here || force) || !self.is_running() {
            return Ok(());
        }
        let mut c = self.command("pg_ctl");
        c.arg("stop").arg("-m").arg("fast").arg("-w").arg("-D").arg(&self.data);
        self.run(c, "pg_ctl stop")?;
        self.started_here = false;
        Ok(())
    }

    /// Stops the cluster as a crash would (`pg_ctl stop -m immediate`: no checkpoint, every
    /// connection cut), for the tests of a server that outlives its database.
    pub fn stop_immediately(&mut self) -> anyhow::Result<()> {
        let mut c = self.command("pg_ctl");
        c.arg("stop").arg("-m").arg("immediate").arg("-w").arg("-D").arg(&self.data);
        self.run(c, "pg_ctl stop -m immediate")
    }

    pub fn options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(PORT)
            .username("postgres")
            .database(database)
    }

    /// A URL for tools (sqlx::test, psql) that take one.
    pub fn url(&self, database: &str) -> String {
        let sock: String = self
            .socket_dir
            .display()
            .to_string()
            .replace('%', "%25")
            .replace('/', "%2F");
        format!("postgres://postgres@localhost:{PORT}/{database}?host={sock}")
    }

    /// Creates `database` if it does not exist.
    pub async fn ensure_database(&self, database: &str) -> anyhow::Result<()> {
        use sqlx::ConnectOptions;
        let mut conn = self.options("postgres").connect().await?;
        let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(database)
            .fetch_optional(&mut conn)
            .await?;
        if exists.is_none() {
            sqlx::query(&format!("CREATE DATABASE \"{}\"", database.replace('"', "")))
                .execute(&mut conn)
                .await?;
        }
        Ok(())
    }

    /// Drops and re-creates `database`: a clean slate for a test run.
    pub async fn recreate_database(&self, database: &str) -> anyhow::Result<()> {
        use sqlx::ConnectOptions;
        let mut conn = self.options("postgres").connect().await?;
        let name = database.replace('"', "");
        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut conn)
            .await?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await?;
        Ok(())
    }
}
