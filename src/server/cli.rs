//! The `floorready` command line: serve, migrate, demo and user administration.

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use leptos::prelude::LeptosOptions;

use super::auth::password::Passwords;
use super::config::Config;
use super::db::Db;
use super::state::AppState;
use super::{demo, http, user};
use crate::model::user::Role;

#[derive(Parser, Debug)]
#[command(name = "floorready", version, about = "Staff training and certification")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug)]
pub struct Global {
    /// Directory for the database and uploaded files.
    #[arg(long, env = "FLOORREADY_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Database URL; defaults to sqlite://<data-dir>/floorready.db.
    #[arg(long, env = "FLOORREADY_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web application.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed the demo organisation into an empty database.
    Demo,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit log's hash chain; exits with an error at the first entry that does not match.
    AuditVerify,
    /// Re-evaluate certifications whose renewal window opened or that ran out, and make and move
    /// on-the-job follow-ups (the server does this every minute); safe to run at any time, any
    /// number of times.
    CertSweep,
    /// Generate a large organisation into an empty database, for benchmarks and load tests:
    /// xs (60 trainees) up to xl (100,000 trainees, 200 quizzes, about 10 million answers).
    Gen {
        #[arg(long, value_enum)]
        size: super::gen::Size,
        /// The same seed gives the same organisation.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Copy the database and the uploaded files into DEST, a new or empty directory, while the
    /// server keeps serving (the SQLite database).
    Backup { dest: PathBuf },
    /// Replace the database with a backup made by `backup`, after checking it, and add its
    /// uploaded files. The server must be stopped.
    Restore {
        src: PathBuf,
        /// Overwrite a database that already has users.
        #[arg(long)]
        replace: bool,
    },
    /// Recompute the analytics summaries (quiz outcomes, the pipeline's steps, the dashboard's team sums) from the raw rows
    /// and report every difference; exits with an error if any summary has drifted.
    Check,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[arg(long, env = "FLOORREADY_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Set when served over HTTPS: cookies become Secure and __Host- prefixed.
    #[arg(long, env = "FLOORREADY_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Directory with the built site (pkg/, stylesheet).
    #[arg(long, env = "FLOORREADY_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Seed the demo organisation when the database has no users yet.
    #[arg(long, env = "FLOORREADY_DEMO_IF_EMPTY", default_value_t = false)]
    pub demo_if_empty: bool,
    /// The address people reach the app at (printed in certificate QR codes and emails);
    /// defaults to http://<addr>.
    #[arg(long, env = "FLOORREADY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// SMTP server for expiry notices, e.g. smtps://user:password@mail.example.com; without it
    /// notices are shown in the app only.
    #[arg(long, env = "FLOORREADY_SMTP_URL")]
    pub smtp_url: Option<String>,
    #[arg(long, env = "FLOORREADY_SMTP_FROM", default_value = "Floorready <noreply@localhost>")]
    pub smtp_from: String,
    /// A reverse proxy or load balancer (address or CIDR range; repeat the flag, or separate by
    /// commas) whose X-Forwarded-For header names the real client. Without it the header is ignored.
    #[arg(long = "trusted-proxy", env = "FLOORREADY_TRUSTED_PROXIES", value_delimiter = ',',
          value_parser = crate::server::config::parse_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user; the password is read from a prompt or, with --password-stdin, standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, manager, trainer or trainee; repeat or separate with commas for several.
        #[arg(long, value_delimiter = ',', required = true)]
        role: Vec<String>,
        /// Team name or path ("Site / Department / Team").
        #[arg(long)]
        team: Option<String>,
        /// Defaults to the part of the email before the @.
        #[arg(long)]
        employee_no: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Replace a user's roles.
    SetRole {
        /// Email or employee number.
        login: String,
        #[arg(long, value_delimiter = ',', required = true)]
        role: Vec<String>,
    },
    /// Disable a user and end all their sessions.
    Disable {
        /// Email or employee number.
        login: String,
    },
}

impl Global {
    fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("floorready.db").display()))
    }

    /// The SQLite file behind the database URL (backup and restore work on the file).
    fn sqlite_path(&self) -> anyhow::Result<PathBuf> {
        let url = self.database_url();
        let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) else {
            bail!("backup and restore work on a SQLite database file, not on {url}")
        };
        Ok(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
    }

    async fn open(&self) -> anyhow::Result<Db> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create data directory {}", self.data_dir.display()))?;
        let url = self.database_url();
        Db::open(&url).await.with_context(|| format!("cannot open database {url}"))
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let password = if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        rpassword::prompt_password("Password: ")?
    };
    if password.is_empty() {
        bail!("no password given");
    }
    Ok(password)
}

fn parse_roles(roles: &[String]) -> anyhow::Result<Vec<Role>> {
    roles
        .iter()
        .map(|r| {
            r.parse::<Role>().map_err(|()| anyhow::anyhow!("unknown role {r:?} (admin, manager, trainer, trainee)"))
        })
        .collect()
}

fn explain(e: crate::error::AppError) -> anyhow::Error {
    match &e {
        crate::error::AppError::Validation { field, key } => {
            anyhow::anyhow!("{field}: {}", rust_i18n::t!(key.as_str(), locale = "en"))
        }
        crate::error::AppError::Conflict { field } => anyhow::anyhow!("{field} is already taken"),
        _ => anyhow::anyhow!("{e}"),
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let system = crate::server::audit::Actor { id: None, ip: "cli" };
    match cli.command {
        Command::Migrate => {
            cli.global.open().await?;
            println!("database is up to date: {}", cli.global.database_url());
        }
        Command::Backup { dest } => {
            cli.global.sqlite_path()?;
            let db = cli.global.open().await?;
            let s = super::backup::backup(&db, &cli.global.data_dir, &dest).await?;
            println!(
                "backed up to {}: {} users, {} quiz attempts, {} audit entries, {} uploaded files ({} bytes of database)",
                dest.display(),
                s.users,
                s.attempts,
                s.audit_entries,
                s.files,
                s.db_bytes
            );
        }
        Command::Restore { src, replace } => {
            let path = cli.global.sqlite_path()?;
            let s = super::backup::restore(&src, &cli.global.data_dir, &path, replace).await?;
            // Opening applies any migration newer than the backup; then the chain is checked.
            let db = cli.global.open().await?;
            let chain = super::audit::verify(&db).await.map_err(explain)?;
            println!(
                "restored {} into {}: {} users, {} quiz attempts, {} uploaded files; audit log: {chain:?}",
                src.display(),
                path.display(),
                s.users,
                s.attempts,
                s.files
            );
            if let super::audit::Chain::BrokenAt(id) = chain {
                bail!("the restored audit log is broken at entry {id}")
            }
        }
        Command::AuditVerify => {
            let db = cli.global.open().await?;
            match super::audit::verify(&db).await.map_err(explain)? {
                super::audit::Chain::Intact(n) => println!("audit log intact: {n} entries verified"),
                super::audit::Chain::BrokenAt(id) => {
                    bail!("audit log broken at entry {id}: it, or the one before it, was changed or removed")
                }
            }
        }
        Command::CertSweep => {
            let db = cli.global.open().await?;
            let at = super::now();
            let n = super::cert::recompute::sweep(&db, at).await.map_err(explain)?;
            println!("certifications re-evaluated: {n} changed");
            let f = super::followup::sweep(&db, at).await.map_err(explain)?;
            println!(
                "follow-ups: {} created, {} moved on, {} escalated, {} closed",
                f.created, f.moved, f.escalated, f.closed
            );
        }
        Command::Check => {
            let db = cli.global.open().await?;
            let drift = super::analytics::outcomes::check(&db).await.map_err(explain)?;
            let steps = super::analytics::dashboard::check_steps(&db, super::now()).await.map_err(explain)?;
            let teams = super::analytics::summary::check(&db).await.map_err(explain)?;
            for line in drift.iter().chain(&steps).chain(&teams) {
                eprintln!("{line}");
            }
            if !drift.is_empty() || !steps.is_empty() || !teams.is_empty() {
                bail!(
                    "{} quiz or role-play outcome(s) differ from the attempts and role-plays, {} stored step(s) from the requirements, \
                     {} team summary row(s) from the raw rows",
                    drift.len(),
                    steps.len(),
                    teams.len()
                );
            }
            println!("analytics summaries agree with the attempts");
        }
        Command::Gen { size, seed } => {
            let db = cli.global.open().await?;
            if !demo::is_empty(&db).await.map_err(explain)? {
                bail!("the database already has users; gen writes only into an empty one (use a new --data-dir)");
            }
            let started = std::time::Instant::now();
            let g = super::gen::generate(&db, size, seed, super::now(), &|line| println!("{line}"))
                .await
                .map_err(explain)?;
            println!(
                "generated {} trainees in {} teams, {} quizzes, {} graded attempts, {} answers, {} role-plays, {} follow-ups in {:.0?}; sign in as A0001 with {}",
                g.people,
                g.teams,
                g.quizzes,
                g.attempts,
                g.answers,
                g.roleplays,
                g.followups,
                started.elapsed(),
                super::gen::PASSWORD
            );
        }
        Command::Demo => {
            let db = cli.global.open().await?;
            if !demo::is_empty(&db).await.map_err(explain)? {
                bail!("the database already has users; the demo is seeded only into an empty one");
            }
            demo::seed(&db, &Passwords::new()).await.map_err(explain)?;
            print_demo_logins();
        }
        Command::User(cmd) => {
            let db = cli.global.open().await?;
            match cmd {
                UserCommand::Add { email, name, role, team, employee_no, password_stdin } => {
                    let team_id = match team {
                        Some(path) => Some(
                            super::team::find_by_path(&super::team::tree(&db).await.map_err(explain)?, &path)
                                .with_context(|| format!("no team named {path:?}"))?,
                        ),
                        None => None,
                    };
                    parse_roles(&role)?;
                    let employee_no =
                        employee_no.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
                    let password = read_password(password_stdin)?;
                    let input =
                        user::UserInput { email, employee_no, display_name: name, roles: role, ..Default::default() };
                    let id = user::create(&db, &Passwords::new(), system, &input, team_id, &password)
                        .await
                        .map_err(explain)?;
                    println!("created user {id}");
                }
                UserCommand::SetRole { login, role } => {
                    let roles = parse_roles(&role)?;
                    let id = user::find_id(&db, &login).await.map_err(|_| anyhow::anyhow!("no user {login:?}"))?;
                    user::set_user_roles(&db, system, id, &roles).await.map_err(explain)?;
                    println!("roles of {login} set to {}", role.join(","));
                }
                UserCommand::Disable { login } => {
                    let id = user::find_id(&db, &login).await.map_err(|_| anyhow::anyhow!("no user {login:?}"))?;
                    user::set_active(&db, system, id, false).await.map_err(explain)?;
                    println!("{login} disabled; their sessions have ended");
                }
            }
        }
        Command::Serve(args) => serve(cli.global, args).await?,
    }
    Ok(())
}

fn print_demo_logins() {
    println!("Demo logins (password for all: {}):", demo::DEMO_PASSWORD);
    for d in demo::DEMO_LOGINS {
        println!("  {:<28} {:<6} {:<10} {}", d.email, d.employee_no, d.roles.join(","), d.name);
    }
}

async fn serve(global: Global, args: ServeArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&global.data_dir)?;
    // Shared by every server on this data directory; `restore` refuses while any holds it.
    let _serving = super::backup::ServingLock::take(&global.data_dir, false).map_err(|e| match e {
        super::backup::BackupError::InUse(dir) => {
            anyhow::anyhow!("a restore is running on {}: start the server when it ends", dir.display())
        }
        e => anyhow::anyhow!("cannot lock the data directory: {e}"),
    })?;
    let db = global.open().await?;
    let config = Config {
        database_url: global.database_url(),
        data_dir: global.data_dir.clone(),
        addr: args.addr,
        secure_cookies: args.secure_cookies,
        site_root: args.site_root.clone(),
        session_idle: Duration::from_secs(2 * 3600),
        session_absolute: Duration::from_secs(12 * 3600),
        public_url: args.public_url.clone().unwrap_or_else(|| format!("http://{}", args.addr)),
        smtp_url: args.smtp_url.clone().filter(|u| !u.trim().is_empty()),
        smtp_from: args.smtp_from.clone(),
        trusted_proxies: args.trusted_proxies.clone(),
    };
    let leptos_options = LeptosOptions::builder()
        .output_name(crate::server::http::bundle_name(&args.site_root))
        .site_root(args.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build();
    let state = AppState::new(leptos_options, db, config);
    if args.demo_if_empty && demo::is_empty(&state.db).await.map_err(explain)? {
        demo::seed(&state.db, &state.passwords).await.map_err(explain)?;
        print_demo_logins();
    }
    // The minute's sweeps (`sweep::minute`): on one server at a time.
    let sweep = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(e) = crate::server::sweep::minute(&sweep.db, &sweep.config).await {
                tracing::error!(error = %e, "the minute's sweeps failed");
            }
        }
    });
    // The group commit's batch sizes, for whoever tunes or load-tests the server.
    let stats = state.db.batch.stats.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(10));
        let mut busy = false;
        loop {
            every.tick().await;
            let f = stats.take();
            if f.batches > 0 {
                // Reruns: batches run again in savepoints because one write failed (see db::batch).
                tracing::info!(
                    batches = f.batches,
                    writes = f.writes,
                    largest = f.largest,
                    sizes = ?f.sizes,
                    reruns = f.reruns,
                    "group commit (batches of 1, 2-4, 5-16, 17-64, 65+)"
                );
                busy = true;
            } else if std::mem::take(&mut busy) {
                // A burst is over: hand the allocator's free memory back to the system.
                crate::server::auth::password::trim_free_memory();
            }
        }
    });
    let app = http::router(state);
    let listener = http::listen(args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
    println!("Floorready listening on http://{}", axum::serve::Listener::local_addr(&listener)?);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    println!("Floorready stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
