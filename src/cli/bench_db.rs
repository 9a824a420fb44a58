//! The database of one `prefkit bench serve` phase: a SQLite file, or a
//! fresh PostgreSQL database created for the phase and dropped after.

use std::collections::HashSet;
use std::path::PathBuf;

/// The database of one phase.
pub enum Db {
    Sqlite(PathBuf),
    /// A database created for the phase: its URL, and the server's URL
    /// (with its own database) to drop it from.
    Postgres {
        url: String,
        admin: String,
        name: String,
    },
}

impl Db {
    /// Creates database `name` on the server of `url`.
    pub fn postgres(url: &str, name: &str) -> Result<Db, String> {
        let mut admin = postgres::Client::connect(url, postgres::NoTls)
            .map_err(|e| format!("--postgres: {e}"))?;
        // Two statements: CREATE DATABASE cannot run in a transaction.
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin.batch_execute(&sql).map_err(|e| {
                let why = e
                    .as_db_error()
                    .map_or(e.to_string(), |d| d.message().to_string());
                format!("--postgres: cannot create a database for the bench: {why}")
            })?;
        }
        // The same URL with the database's name in its path.
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let scheme_end = base.find("://").map_or(0, |i| i + 3);
        let host_end = base[scheme_end..]
            .find('/')
            .map_or(base.len(), |i| scheme_end + i);
        let mut with_db = format!("{}/{name}", &base[..host_end]);
        if !query.is_empty() {
            with_db = format!("{with_db}?{query}");
        }
        Ok(Db::Postgres {
            url: with_db,
            admin: url.to_string(),
            name: name.to_string(),
        })
    }

    pub fn arg(&self) -> &std::ffi::OsStr {
        match self {
            Db::Sqlite(path) => path.as_os_str(),
            Db::Postgres { url, .. } => url.as_ref(),
        }
    }

    /// `(rows, distinct ids, ids)` of the stored annotations.
    pub fn annotations(&self) -> Result<(i64, i64, HashSet<String>), String> {
        match self {
            Db::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
                let (rows, distinct): (i64, i64) = conn
                    .query_row(
                        "SELECT COUNT(*), COUNT(DISTINCT id) FROM annotations",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .map_err(|e| e.to_string())?;
                let mut st = conn
                    .prepare("SELECT id FROM annotations")
                    .map_err(|e| e.to_string())?;
                let ids = st
                    .query_map([], |r| r.get(0))
                    .map_err(|e| e.to_string())?
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.to_string())?;
                Ok((rows, distinct, ids))
            }
            Db::Postgres { url, .. } => {
                let mut c =
                    postgres::Client::connect(url, postgres::NoTls).map_err(|e| e.to_string())?;
                let ids: Vec<String> = c
                    .query("SELECT id FROM annotations", &[])
                    .map_err(|e| e.to_string())?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                let rows = ids.len() as i64;
                let ids: HashSet<String> = ids.into_iter().collect();
                Ok((rows, ids.len() as i64, ids))
            }
        }
    }

    /// Drops a database made for the phase (a SQLite file stays).
    pub fn drop_database(&self) {
        if let Db::Postgres { admin, name, .. } = self {
            if let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}
