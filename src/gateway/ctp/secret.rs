//! CTP credentials: broker id, user, password, app id, auth code. Each config value is either the
//! secret itself or `env:NAME`, read from the environment once at start-up (cold path). The
//! resolved values sit in [`Secret`], whose `Debug` prints `Secret(***)`: they never reach a log,
//! a `{:?}` dump or a receipt. Only the session thread reads them (to fill login requests).

use std::fmt;

/// A credential that does not print. `expose` is the one way to read it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a resolved value.
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The value, for filling a CTP request field. Never format it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Raw credential values as written in a config file (`env:NAME` or the literal value).
#[derive(Clone, Default, serde::Deserialize)]
pub struct RawCredentials {
    /// Broker id (经纪公司代码).
    pub broker_id: String,
    /// User / investor id.
    pub user_id: String,
    /// Password.
    pub password: String,
    /// App id registered with the broker for authentication (看穿式监管).
    pub app_id: String,
    /// Auth code issued with the app id.
    pub auth_code: String,
}

impl fmt::Debug for RawCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Raw values may be literal secrets: print only which ones name a variable.
        let show = |v: &str| {
            if v.starts_with("env:") {
                "env:…"
            } else {
                "***"
            }
        };
        f.debug_struct("RawCredentials")
            .field("broker_id", &show(&self.broker_id))
            .field("user_id", &show(&self.user_id))
            .field("password", &show(&self.password))
            .field("app_id", &show(&self.app_id))
            .field("auth_code", &show(&self.auth_code))
            .finish()
    }
}

/// Resolved credentials.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// Broker id.
    pub broker_id: Secret,
    /// User / investor id.
    pub user_id: Secret,
    /// Password.
    pub password: Secret,
    /// App id.
    pub app_id: Secret,
    /// Auth code.
    pub auth_code: Secret,
}

/// Why credentials could not be resolved. Names the field, never the value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    /// `env:NAME` but the variable is unset or not UTF-8.
    #[error("ctp credentials field `{field}`: environment variable `{var}` is not set (expected by `env:{var}`)")]
    EnvMissing {
        /// Config field.
        field: &'static str,
        /// Variable name.
        var: String,
    },
    /// Empty value (or `env:` with no name).
    #[error("ctp credentials field `{field}`: empty; expected a value or `env:NAME`")]
    Empty {
        /// Config field.
        field: &'static str,
    },
}

impl RawCredentials {
    /// Resolves every field through `env` (pass `|k| std::env::var(k).ok()` in production).
    /// Collects nothing partially: the first bad field is reported.
    pub fn resolve(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Credentials, SecretError> {
        let one = |field: &'static str, raw: &str| -> Result<Secret, SecretError> {
            let value = match raw.strip_prefix("env:") {
                Some("") => return Err(SecretError::Empty { field }),
                Some(var) => env(var).ok_or_else(|| SecretError::EnvMissing {
                    field,
                    var: var.to_string(),
                })?,
                None => raw.to_string(),
            };
            if value.is_empty() {
                return Err(SecretError::Empty { field });
            }
            Ok(Secret::new(value))
        };
        Ok(Credentials {
            broker_id: one("broker_id", &self.broker_id)?,
            user_id: one("user_id", &self.user_id)?,
            password: one("password", &self.password)?,
            app_id: one("app_id", &self.app_id)?,
            auth_code: one("auth_code", &self.auth_code)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawCredentials {
        RawCredentials {
            broker_id: "9999".into(),
            user_id: "env:CTP_USER".into(),
            password: "env:CTP_PASS".into(),
            app_id: "simnow_client_test".into(),
            auth_code: "0000000000000000".into(),
        }
    }

    #[test]
    fn env_references_resolve_and_literals_pass_through() {
        let env = |k: &str| match k {
            "CTP_USER" => Some("u123".to_string()),
            "CTP_PASS" => Some("hunter2".to_string()),
            _ => None,
        };
        let c = raw().resolve(env).unwrap();
        assert_eq!(c.user_id.expose(), "u123");
        assert_eq!(c.password.expose(), "hunter2");
        assert_eq!(c.broker_id.expose(), "9999");
    }

    #[test]
    fn debug_output_never_shows_a_secret() {
        let env = |_: &str| Some("hunter2".to_string());
        let c = raw().resolve(env).unwrap();
        let shown = format!("{c:?} {:?}", raw());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("0000000000000000"), "{shown}");
        assert!(!shown.contains("9999"), "{shown}");
        assert!(shown.contains("Secret(***)"));
    }

    #[test]
    fn a_missing_variable_names_the_field_and_variable() {
        let err = raw().resolve(|_| None).unwrap_err();
        assert_eq!(
            err,
            SecretError::EnvMissing {
                field: "user_id",
                var: "CTP_USER".into()
            }
        );
        assert!(err.to_string().contains("`user_id`"));
    }

    #[test]
    fn empty_values_are_refused() {
        let mut r = raw();
        r.password = "env:".into();
        let err = r.resolve(|_| Some("x".into())).unwrap_err();
        assert_eq!(err, SecretError::Empty { field: "password" });
    }
}
