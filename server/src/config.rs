//! Settings from the command line and the environment. Every setting has an env var and a default.
use anyhow::Context;
use app::ssr::state::{KeyMaterial, Settings, SmtpSettings};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(name = "lifeline", version, about = "Business continuity for MSPs")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run pending migrations and serve the app.
    Serve(Box<ServeArgs>),
    /// Run pending migrations and exit.
    Migrate(DbArgs),
    /// Add the demo MSP and two demo clients (skipped when present) and print their logins.
    Seed(DbArgs),
    /// Seal every stored tenant secret with the current secrets key (after a key rotation), then
    /// exit. `serve` does the same at start.
    RotateSecrets(SecretArgs),
}

/// The key tenants' secrets are sealed with (see README: rotating the secrets key).
#[derive(Args, Debug, Clone)]
pub struct SecretArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The current key (at least 32 characters). Default: generated once and kept beside a
    /// SQLite database; required otherwise.
    #[arg(long, env = "LIFELINE_SECRETS_KEY", hide_env_values = true)]
    pub secrets_key: Option<String>,
    /// Earlier keys, comma-separated, still read while secrets are sealed again.
    #[arg(long, env = "LIFELINE_SECRETS_OLD_KEYS", hide_env_values = true)]
    pub secrets_old_keys: Option<String>,
}

impl SecretArgs {
    /// The current key and the old ones.
    pub fn keys(&self) -> anyhow::Result<(KeyMaterial, Vec<KeyMaterial>)> {
        let current = match &self.secrets_key {
            Some(k) => {
                anyhow::ensure!(
                    k.len() >= 32,
                    "LIFELINE_SECRETS_KEY must be at least 32 characters"
                );
                k.as_bytes().to_vec()
            }
            None => {
                let db = sqlite_path(&self.db.database_url).context(
                    "LIFELINE_SECRETS_KEY is required when the database is not an embedded SQLite file",
                )?;
                let mut name = db.as_os_str().to_owned();
                name.push(".secrets-key");
                load_or_create_key(Path::new(&name))?
            }
        };
        let old = self
            .secrets_old_keys
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| KeyMaterial(k.as_bytes().to_vec()))
            .collect();
        Ok((KeyMaterial(current), old))
    }
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// Database URL: sqlite://path?mode=rwc or postgres://user@host/db.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/lifeline.db?mode=rwc"
    )]
    pub database_url: String,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[arg(long, env = "LIFELINE_BIND", default_value = "127.0.0.1:3000")]
    pub bind: String,
    #[command(flatten)]
    pub secrets: SecretArgs,
    /// Seed the demo data at start (skipped when present).
    #[arg(long, env = "LIFELINE_DEMO", default_value_t = false)]
    pub demo: bool,
    /// HS256 key for session tokens. Default: generated once and kept beside a SQLite database.
    #[arg(long, env = "LIFELINE_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// The URL browsers use (for CSRF origin checks and invite links), e.g. https://lifeline.example.
    #[arg(long, env = "LIFELINE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Session token lifetime in minutes (renewed while in use).
    #[arg(long, env = "LIFELINE_TOKEN_TTL_MINUTES", default_value_t = 30)]
    pub token_ttl_minutes: u64,
    /// Mark cookies Secure. Default: on, unless bound to a loopback address.
    #[arg(long, env = "LIFELINE_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// Take the client IP from X-Forwarded-For (only behind a trusted load balancer).
    #[arg(long, env = "LIFELINE_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,
    /// Seconds between evaluator sweeps (states that change by the clock, reminders).
    #[arg(long, env = "LIFELINE_EVAL_INTERVAL_SECONDS", default_value_t = 5)]
    pub eval_interval_seconds: u64,
    /// Failed sign-ins allowed per e-mail address in 15 minutes.
    #[arg(long, env = "LIFELINE_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: u64,
    #[arg(long, env = "LIFELINE_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, env = "LIFELINE_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    #[arg(long, env = "LIFELINE_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    #[arg(long, env = "LIFELINE_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    #[arg(
        long,
        env = "LIFELINE_SMTP_FROM",
        default_value = "Lifeline <lifeline@localhost>"
    )]
    pub smtp_from: String,
    /// Plain SMTP without TLS (a local relay or test sink only).
    #[arg(long, env = "LIFELINE_SMTP_INSECURE", default_value_t = false)]
    pub smtp_insecure: bool,
    /// Let webhooks call loopback and private addresses (tests, on-premises installs only).
    #[arg(long, env = "LIFELINE_WEBHOOKS_ALLOW_PRIVATE", default_value_t = false)]
    pub webhooks_allow_private: bool,
    /// Stripe's API (a fake of it in tests and demos).
    #[arg(long, env = "LIFELINE_STRIPE_API_BASE", default_value = app::ssr::state::STRIPE_API_BASE)]
    pub stripe_api_base: String,
    /// Keep serving when the SQLite database was missing at start although one existed before
    /// (otherwise `/healthz` answers 503 until it is restored).
    #[arg(long, env = "LIFELINE_ACCEPT_NEW_DATABASE", default_value_t = false)]
    pub accept_new_database: bool,
    /// Where the built site (pkg/ with the wasm) is served from.
    #[arg(long, env = "LIFELINE_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
}

impl ServeArgs {
    pub fn settings(&self) -> Settings {
        let loopback = self.bind.starts_with("127.")
            || self.bind.starts_with("localhost")
            || self.bind.starts_with("[::1]");
        // Served over https, cookies are Secure whatever address the server itself binds to
        // (behind a TLS-terminating balancer it often binds to loopback or a private address).
        let https = self
            .public_url
            .as_deref()
            .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"));
        Settings {
            token_ttl: Duration::from_secs(self.token_ttl_minutes * 60),
            public_url: self.public_url.clone(),
            secure_cookies: self.secure_cookies.unwrap_or(https || !loopback),
            trust_forwarded_for: self.trust_forwarded_for,
            webhooks_allow_private: self.webhooks_allow_private,
            eval_interval: Duration::from_secs(self.eval_interval_seconds.max(1)),
            login_max_failures_per_email: self.login_max_failures,
            stripe_api_base: self.stripe_api_base.clone(),
            smtp: self.smtp_host.clone().map(|host| SmtpSettings {
                host,
                port: self.smtp_port,
                username: self.smtp_username.clone(),
                password: self.smtp_password.clone(),
                from: self.smtp_from.clone(),
                insecure: self.smtp_insecure,
            }),
            ..Settings::default()
        }
    }
}

/// The SQLite file behind a `sqlite://` URL, if that is what it is.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// The signing key: from config, else (embedded SQLite) a key generated once and kept beside the
/// database file with owner-only permissions. PostgreSQL deployments must configure one, so that
/// all replicas share it.
pub fn jwt_secret(args: &ServeArgs) -> anyhow::Result<Vec<u8>> {
    if let Some(s) = &args.jwt_secret {
        anyhow::ensure!(
            s.len() >= 32,
            "LIFELINE_JWT_SECRET must be at least 32 characters"
        );
        return Ok(s.as_bytes().to_vec());
    }
    let db = sqlite_path(&args.secrets.db.database_url).context(
        "LIFELINE_JWT_SECRET is required when the database is not an embedded SQLite file",
    )?;
    let path = db.with_extension("jwt-key");
    load_or_create_key(&path)
}

/// A fresh random key, for a process that signs nothing that outlives it.
pub fn random_secret() -> Vec<u8> {
    let mut bytes = [0u8; 48];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes).into_bytes()
}

fn load_or_create_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let key = String::from_utf8(random_secret())?;
    std::fs::write(path, &key).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    tracing::info!(path = %path.display(), "generated a new key");
    Ok(key.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(args: &[&str]) -> Settings {
        let mut all = vec!["lifeline", "serve"];
        all.extend_from_slice(args);
        match Cli::try_parse_from(all).unwrap().command {
            Command::Serve(a) => a.settings(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn cookies_are_secure_whenever_the_site_is_served_over_https() {
        let https = ["--public-url", "https://lifeline.example"];
        // Behind a TLS-terminating balancer the server often binds to loopback.
        let mut behind = vec!["--bind", "127.0.0.1:3000"];
        behind.extend_from_slice(&https);
        assert!(settings(&behind).secure_cookies);
        let mut open = vec!["--bind", "0.0.0.0:3000"];
        open.extend_from_slice(&https);
        assert!(settings(&open).secure_cookies);
        assert!(!settings(&["--bind", "127.0.0.1:3000"]).secure_cookies);
        assert!(settings(&["--bind", "0.0.0.0:3000"]).secure_cookies);
        let plain = [
            "--bind",
            "127.0.0.1:3000",
            "--public-url",
            "http://localhost:3000",
        ];
        assert!(!settings(&plain).secure_cookies);
    }
}
