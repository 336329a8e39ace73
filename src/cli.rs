//! The command line: `serve`, `migrate`, `token`, `user`, `verify`, `demo`, `simulate`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::clock;
use crate::config::EmailTransport;
use crate::config::Settings;
use crate::demo::history::{generate_history, HistorySpec};
use crate::demo::year::load_demo;
use crate::domain::catalog::Named;
use crate::domain::ids::{TokenId, UserId};
use crate::domain::page::{PageRequest, MAX_LIMIT};
use crate::domain::role::Role;
use crate::domain::token::Actor;
use crate::domain::user;
use crate::service::create_user::create_user;
use crate::service::read_catalog::list_users;
use crate::service::update_user::update_user;
use crate::service::verify_ledger::verify_ledger;
use crate::service::{issue_token::issue_token, read_catalog::list_tokens, revoke_token::revoke_token};
use crate::simulate::{simulate, Policy as SimPolicy, SimulationSpec};
use crate::startup::{self, Application};
use crate::telemetry;

#[derive(Debug, Parser)]
#[command(
    name = "mipstock",
    version,
    about = "Stock, traceability and reorder alerts for MiniMed MIP pump consumables"
)]
pub struct Cli {
    /// A TOML file layered over the built-in defaults (see config/default.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API on server.bind and run the background jobs.
    Serve {
        /// First load demo data (locations…) into a database that holds no movement yet.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage the people who sign in to the web app.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a large, realistic history in bulk (for benchmarks) into a database without
    /// movements; `verify` is clean afterwards.
    Demo {
        /// Ledger lines to write (at least).
        #[arg(long, default_value_t = 100_000)]
        lines: u64,
        /// Patients of the simulated group (fixed: the history grows with --lines).
        #[arg(long, default_value_t = 1600)]
        patients: u32,
        /// Sites, each with a ward fridge, around one central store.
        #[arg(long, default_value_t = 20)]
        sites: u32,
        /// Random seed, for the same history every time.
        #[arg(long, default_value_t = 2007)]
        seed: u64,
    },
    /// Check every invariant of the store (balances equal the ledger, nothing negative, every
    /// dispensation traceable); exits 1 and lists what is wrong if anything is.
    Verify,
    /// Simulate a MIP centre for years on a throwaway database, and compare the static reorder
    /// point with the forecast: refills missed, stock on hand, units expired, orders.
    Simulate {
        #[arg(long, default_value_t = 30)]
        patients: u32,
        #[arg(long, default_value_t = 730)]
        days: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = PolicyChoice::Both)]
        policy: PolicyChoice,
        /// The suppliers' lead time.
        #[arg(long, default_value_t = 14)]
        lead_time_days: u32,
        /// Deliveries arrive late by up to this many days (at random).
        #[arg(long, default_value_t = 0)]
        delay_days_max: u32,
        /// One supplier outage of this many days at a random point (0: none).
        #[arg(long, default_value_t = 0)]
        disruption_days: u32,
        /// Print the result as one JSON object instead of the table.
        #[arg(long)]
        json: bool,
        /// Also write DIR/simulation.csv (one row per day and policy) and DIR/simulation.svg.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyChoice {
    Static,
    Forecast,
    Both,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token and print its secret alone on stdout.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input (one line, 12 characters or more).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// How the web app greets them (default: the username).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List users (never their passwords).
    List,
    /// Disable a user by id: they can no longer sign in (the last active admin cannot be).
    Disable { id: i64 },
    /// Enable a disabled user by id again.
    Enable { id: i64 },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("expected admin, pharmacist or viewer, got {text:?}"))
}

/// A failed command: one line for stderr and an exit status.
pub struct Failure {
    pub message: String,
    pub status: i32,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Failure {
        Failure {
            message: error.to_string(),
            status: 1,
        }
    }
}

pub async fn run(cli: Cli) -> Result<(), Failure> {
    let settings = Settings::load(cli.config.as_deref()).map_err(|e| Failure {
        message: e.to_string(),
        status: 2,
    })?;
    telemetry::init(&settings.log);
    match cli.command {
        Command::Serve { demo } => serve(settings, demo).await,
        Command::Migrate => {
            let mut settings = settings;
            settings.database.auto_migrate = false;
            let pool = startup::open_database(&settings)?;
            let applied = startup::migrate(&pool)?;
            eprintln!("{} migration(s) applied", applied.len());
            Ok(())
        }
        Command::Token(command) => token(settings, command),
        Command::User(command) => user(settings, command),
        Command::Verify => verify(settings),
        Command::Simulate {
            patients,
            days,
            seed,
            policy,
            lead_time_days,
            delay_days_max,
            disruption_days,
            json,
            out,
        } => {
            let policies = match policy {
                PolicyChoice::Static => vec![SimPolicy::Static],
                PolicyChoice::Forecast => vec![SimPolicy::Forecast],
                PolicyChoice::Both => vec![SimPolicy::Static, SimPolicy::Forecast],
            };
            let spec = SimulationSpec {
                patients,
                days,
                seed,
                policies,
                lead_time_days,
                delay_days_max,
                disruption_days,
                forecast: settings.policy().forecast,
            };
            let started = std::time::Instant::now();
            let total = u64::from(spec.days) * spec.policies.len() as u64;
            // Drawn on stderr only once the run has lasted a second.
            let bar = indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::hidden());
            let mut shown = false;
            let report = simulate(&spec, |_| {
                if !shown && started.elapsed() > std::time::Duration::from_secs(1) {
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    shown = true;
                }
                bar.inc(1);
            })?;
            bar.finish_and_clear();
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                print!("{}", report.table());
            }
            if let Some(dir) = out {
                std::fs::create_dir_all(&dir)?;
                std::fs::write(dir.join("simulation.csv"), report.csv())?;
                std::fs::write(dir.join("simulation.svg"), report.svg()?)?;
            }
            eprintln!("simulated in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Demo {
            lines,
            patients,
            sites,
            seed,
        } => {
            let pool = startup::open_database(&settings)?;
            let mut conn = pool.get()?;
            let started = std::time::Instant::now();
            let spec = HistorySpec {
                lines,
                patients,
                sites,
                seed,
            };
            let summary = generate_history(&mut conn, &spec, clock::now())?;
            eprintln!("{summary} (written in {:.1} s)", started.elapsed().as_secs_f64());
            Ok(())
        }
    }
}

/// Who the demo's alert emails are addressed to when no recipient is configured.
const DEMO_RECIPIENT: &str = "Pharmacie demo <pharmacie@demo.mipstock.invalid>";

async fn serve(mut settings: Settings, demo: bool) -> Result<(), Failure> {
    if demo && settings.email.recipients.is_empty() && settings.email.transport == EmailTransport::File {
        // A newcomer should see the alert emails the demo raises, not failures.
        settings.email.recipients = vec![DEMO_RECIPIENT.to_owned()];
        eprintln!(
            "demo: alert emails are written to {}/ (one .eml each), addressed to {DEMO_RECIPIENT}; set email.recipients for real ones",
            settings.email.file_dir
        );
    }
    if demo {
        let prepared = settings.clone();
        actix_web::rt::task::spawn_blocking(move || {
            let pool = startup::open_database(&prepared)?;
            let mut conn = pool.get()?;
            let summary = load_demo(&mut conn, clock::now(), prepared.policy().forecast)?;
            eprintln!("demo data loaded: {summary}");
            Ok::<(), Failure>(())
        })
        .await??;
    }
    let bind = settings.server.bind.clone();
    let mut app = Application::build(settings).await?;
    if let Some(secret) = app.take_bootstrap_token() {
        println!("Bootstrap admin token (shown once, store it now): {}", secret.expose());
    }
    let host = bind.rsplit_once(':').map_or("127.0.0.1", |(host, _)| host);
    let web = format!(
        "http://{}:{}/",
        if host == "0.0.0.0" { "127.0.0.1" } else { host },
        app.port()
    );
    if demo {
        eprintln!(
            "web app: {web} — sign in as {} with the password {}",
            crate::demo::year::DEMO_USERNAME,
            crate::demo::year::DEMO_PASSWORD
        );
    } else {
        eprintln!("web app: {web} — to sign in, create a user: mipstock user create --username NAME --role pharmacist");
    }
    tracing::info!(port = app.port(), bind = %bind, backend = app.pool().backend().name(), "mipstock serving");
    app.run_until_stopped().await?;
    tracing::info!("mipstock stopped");
    Ok(())
}

fn verify(settings: Settings) -> Result<(), Failure> {
    let pool = startup::open_database(&settings)?;
    let mut conn = pool.get()?;
    let report = verify_ledger(&mut conn)?;
    println!(
        "checked {} balance(s) against {} ledger (lot, location) sum(s)",
        report.balances_checked, report.ledger_pairs_checked
    );
    if report.is_clean() {
        println!("ok: every invariant holds");
        return Ok(());
    }
    for problem in &report.problems {
        println!("PROBLEM: {problem}");
    }
    Err(Failure {
        message: format!("{} problem(s) found", report.problems.len()),
        status: 1,
    })
}

fn user(settings: Settings, command: UserCommand) -> Result<(), Failure> {
    let pool = startup::open_database(&settings)?;
    let mut conn = pool.get()?;
    let actor = Actor::command_line();
    match command {
        UserCommand::Create {
            username,
            role,
            display_name,
        } => {
            let username =
                user::parse_username("username", &username).map_err(|e| format!("--username {}", e.message))?;
            let display_name = match display_name {
                Some(name) => crate::domain::text::required_text("display_name", &name, user::DISPLAY_NAME_MAX)
                    .map_err(|e| format!("--display-name {}", e.message))?,
                None => username.clone(),
            };
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let password = user::Password::new("password", line.trim_end_matches(['\r', '\n']))
                .map_err(|e| format!("the password read from standard input {}", e.message))?;
            let new = user::NewUser {
                username,
                display_name,
                role,
                password,
            };
            let created = create_user(&mut conn, &actor, clock::now(), new)?;
            eprintln!(
                "user {} ({}, {}) created",
                created.id,
                created.username,
                created.role.as_str()
            );
        }
        UserCommand::List => {
            println!(
                "{:<6} {:<11} {:<25} {:<30} ACTIVE",
                "ID", "ROLE", "USERNAME", "DISPLAY NAME"
            );
            let mut page = PageRequest {
                after: None,
                limit: MAX_LIMIT,
            };
            loop {
                let users = list_users(&mut conn, page)?;
                for u in &users.items {
                    println!(
                        "{:<6} {:<11} {:<25} {:<30} {}",
                        u.id,
                        u.role.as_str(),
                        u.username,
                        u.display_name,
                        if u.active { "yes" } else { "no" }
                    );
                }
                match users.items.last() {
                    Some(last) if users.next_cursor.is_some() => page.after = Some(last.id.0),
                    _ => break,
                }
            }
        }
        UserCommand::Disable { id } | UserCommand::Enable { id } => {
            let enable = matches!(command, UserCommand::Enable { .. });
            let changes = user::UserChanges {
                active: Some(enable),
                ..Default::default()
            };
            let changed = update_user(&mut conn, &actor, clock::now(), UserId(id), changes)?;
            let said = if enable { "enabled" } else { "disabled" };
            eprintln!("user {} ({}) {said}", changed.id, changed.username);
        }
    }
    Ok(())
}

fn token(settings: Settings, command: TokenCommand) -> Result<(), Failure> {
    let pool = startup::open_database(&settings)?;
    let mut conn = pool.get()?;
    let actor = Actor::command_line();
    match command {
        TokenCommand::Create { name, role } => {
            let name = crate::domain::text::required_text("name", &name, crate::domain::token::NAME_MAX)
                .map_err(|e| format!("--name {}", e.message))?;
            let issued = issue_token(&mut conn, &actor, clock::now(), &name, role)?;
            println!("{}", issued.secret.expose());
        }
        TokenCommand::List => {
            println!("{:<6} {:<11} {:<25} {:<20} REVOKED", "ID", "ROLE", "NAME", "CREATED");
            let mut page = PageRequest {
                after: None,
                limit: MAX_LIMIT,
            };
            loop {
                let tokens = list_tokens(&mut conn, page)?;
                for t in &tokens.items {
                    let revoked = t
                        .revoked_at
                        .map(|at| at.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default();
                    println!(
                        "{:<6} {:<11} {:<25} {:<20} {}",
                        t.id,
                        t.role.as_str(),
                        t.name,
                        t.created_at.format("%Y-%m-%d %H:%M"),
                        revoked
                    );
                }
                match tokens.items.last() {
                    Some(last) if tokens.next_cursor.is_some() => page.after = Some(last.id.0),
                    _ => break,
                }
            }
        }
        TokenCommand::Revoke { id } => {
            let token = revoke_token(&mut conn, &actor, clock::now(), TokenId(id))?;
            eprintln!("token {} ({}) revoked", token.id, token.name);
        }
    }
    Ok(())
}
