//! The PostgreSQL store: any number of collector processes on one
//! database.
//!
//! It uses the blocking `postgres` client (the synchronous face of
//! tokio-postgres): the [`Store`] is driven by one writer thread that
//! applies a group of jobs between `begin` and `commit`, so a blocking
//! connection fits it as is, where an async driver and pool would need the
//! writer rewritten around them for no gain (it holds one connection for
//! its whole life). Readers (exports, reports, the event stream's backlog)
//! take connections from a small pool of their own.
//!
//! Several processes stay exact because every write transaction takes one
//! transaction-level advisory lock first ([`WRITE_LOCK`]): writes are
//! serialised across processes, sequence numbers are handed out and
//! committed in order, and each writer catches up with the events stored
//! by the others before it applies its own (see the writer). The lock is
//! released by `COMMIT`, `ROLLBACK` or the connection's end, so a killed
//! process never holds it.

mod reader;

use super::{
    Column, Event, EventRow, NewAnnotation, NewBatch, Readers, Result, Store, StoreError, Stored,
    StoredTask,
};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, NoTls, Statement};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The advisory lock every write transaction takes ("prefkit w").
const WRITE_LOCK: i64 = 0x7072_6566_6b69_7477;
/// The advisory lock the migrations run under ("prefkit m").
const MIGRATION_LOCK: i64 = 0x7072_6566_6b69_746d;

/// The schema, one migration per version, applied in order and recorded
/// in `prefkit_migrations`. A released version is never edited: a change
/// is a new entry.
const MIGRATIONS: &[&str] = &["
CREATE TABLE tasks (
    n BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id TEXT PRIMARY KEY,
    gold_mode TEXT NOT NULL,
    seed BIGINT NOT NULL,
    task TEXT NOT NULL
);
CREATE TABLE annotations (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    task TEXT NOT NULL,
    kind TEXT NOT NULL,
    record TEXT NOT NULL,
    verdict TEXT NOT NULL
);
CREATE INDEX annotations_by_task ON annotations (task, kind, seq);
CREATE TABLE batches (
    seq BIGINT PRIMARY KEY,
    task TEXT NOT NULL,
    annotator TEXT NOT NULL,
    at DOUBLE PRECISION,
    batch TEXT NOT NULL
);
"];

/// Longest a connection attempt may take before the request is answered 503.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Longest sent data may go unacknowledged, and a connection idle before
/// it is probed, before the connection is given up.
const DEAD_PEER_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest one statement may run (a lock wait included) before it fails.
const STATEMENT_TIMEOUT_MS: u32 = 20_000;

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        // The database's own message is in the source (`db error: ...`).
        match std::error::Error::source(&e) {
            Some(source) => StoreError(format!("{e}: {source}")),
            None => StoreError(e.to_string()),
        }
    }
}

impl<T: for<'a> postgres::types::FromSql<'a>> Column<T> for postgres::Row {
    fn column(&self, i: usize) -> Result<T> {
        Ok(self.try_get(i)?)
    }
}

/// Parses a `postgres://` or `postgresql://` URL into a client config,
/// with this store's timeouts.
pub fn config(url: &str) -> std::result::Result<Config, String> {
    let mut config: Config = url.parse().map_err(|e| {
        format!(
            "--db: not a valid PostgreSQL URL (postgres://user:password@host:port/database): {e}"
        )
    })?;
    if config.get_hosts().is_empty() {
        return Err("--db: the PostgreSQL URL names no host".to_string());
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    // A database that vanishes from the network (no reset, no answer)
    // fails the connection within seconds instead of the kernel's
    // retransmission time, so requests get 503 rather than hang.
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(DEAD_PEER_TIMEOUT);
    }
    if config.get_keepalives_idle() > DEAD_PEER_TIMEOUT {
        config.keepalives_idle(DEAD_PEER_TIMEOUT);
    }
    let options = format!(
        "{} -c statement_timeout={STATEMENT_TIMEOUT_MS}",
        config.get_options().unwrap_or("")
    );
    config.options(options.trim());
    config.application_name("prefkit serve");
    Ok(config)
}

/// The writer's connection, reconnected when it breaks.
pub struct PostgresStore {
    config: Config,
    client: Option<Client>,
    statements: HashMap<&'static str, Statement>,
    pool: Arc<Mutex<Vec<Client>>>,
    /// Between `begin` and `commit`/`rollback`: a lost connection is then
    /// an error, never silently replaced (a new one would run the rest of
    /// the group outside the transaction and its lock).
    in_transaction: bool,
    /// The annotations put since `begin`, written by one statement at the
    /// commit (a statement is a network round trip), and found by id
    /// before then.
    puts: Puts,
}

/// Annotations put in the open transaction, column by column (as the
/// statement that writes them takes them), with their row by id.
#[derive(Default)]
struct Puts {
    seq: Vec<i64>,
    id: Vec<String>,
    task: Vec<String>,
    kind: Vec<&'static str>,
    record: Vec<String>,
    verdict: Vec<String>,
    by_id: HashMap<String, usize>,
}

impl PostgresStore {
    /// Connects and brings the schema up to date (under an advisory lock,
    /// so processes started at once migrate one after the other).
    pub fn open(config: Config) -> Result<PostgresStore> {
        let mut store = PostgresStore {
            config,
            client: None,
            statements: HashMap::new(),
            pool: Arc::new(Mutex::new(Vec::new())),
            in_transaction: false,
            puts: Puts::default(),
        };
        migrate(store.client()?)?;
        Ok(store)
    }

    /// The connection, opened again if it was lost outside a transaction.
    fn client(&mut self) -> Result<&mut Client> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            if self.in_transaction {
                return Err(StoreError(
                    "the connection was lost during the transaction".into(),
                ));
            }
            self.statements.clear();
            self.client = None;
            self.client = Some(self.config.connect(NoTls)?);
        }
        self.client
            .as_mut()
            .ok_or_else(|| StoreError("no connection".into()))
    }

    /// A prepared statement on the current connection.
    fn statement(&mut self, sql: &'static str) -> Result<(Statement, &mut Client)> {
        self.client()?;
        let client = self
            .client
            .as_mut()
            .ok_or_else(|| StoreError("no connection".into()))?;
        let st = match self.statements.get(sql) {
            Some(st) => st.clone(),
            None => {
                let st = client.prepare(sql)?;
                self.statements.insert(sql, st.clone());
                st
            }
        };
        Ok((st, client))
    }
}

fn migrate(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS prefkit_migrations (
             version INTEGER PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )?;
    let done: i32 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM prefkit_migrations",
            &[],
        )?
        .get(0);
    let known = MIGRATIONS.len() as i32;
    if done > known {
        return Err(StoreError(format!(
            "the database's schema is version {done}, newer than this prefkit's ({known}): \
             run a newer prefkit"
        )));
    }
    for (version, sql) in (1..).zip(MIGRATIONS).skip(done as usize) {
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO prefkit_migrations (version) VALUES ($1)",
            &[&version],
        )?;
    }
    tx.commit()?;
    Ok(())
}

impl Store for PostgresStore {
    fn tasks(&mut self) -> Result<Vec<StoredTask>> {
        let (st, client) =
            self.statement("SELECT id, gold_mode, seed, task FROM tasks ORDER BY n")?;
        let mut out = Vec::new();
        for r in client.query(&st, &[])? {
            out.push(StoredTask::read(&r)?);
        }
        Ok(out)
    }

    fn task_count(&mut self) -> Result<usize> {
        let (st, client) = self.statement("SELECT COUNT(*) FROM tasks")?;
        let n: i64 = client.query_one(&st, &[])?.try_get(0)?;
        Ok(n as usize)
    }

    fn replay(&mut self, after: i64, f: &mut dyn FnMut(i64, Event)) -> Result<()> {
        let (st, client) = self.statement(
            "SELECT seq, task, record, verdict, NULL::TEXT, kind, NULL::DOUBLE PRECISION
               FROM annotations WHERE seq > $1
             UNION ALL
             SELECT seq, task, batch, NULL::TEXT, annotator, NULL::TEXT, at
               FROM batches WHERE seq > $1
             ORDER BY 1",
        )?;
        let mut rows = client.query_raw(&st, [&after])?;
        while let Some(row) = rows.next()? {
            let (seq, e) = EventRow::read(&row)?.into_event();
            f(seq, e);
        }
        Ok(())
    }

    fn begin(&mut self) -> Result<()> {
        self.in_transaction = false;
        self.puts = Puts::default();
        let client = self.client()?;
        client.batch_execute(&format!(
            "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
        ))?;
        self.in_transaction = true;
        Ok(())
    }

    fn find(&mut self, ids: &[&str]) -> Result<HashMap<String, Stored>> {
        let mut found = HashMap::new();
        let mut ask = Vec::new();
        for &id in ids {
            match self.puts.by_id.get(id) {
                Some(&i) => {
                    let put = Stored {
                        record: self.puts.record[i].clone(),
                        verdict: self.puts.verdict[i].clone(),
                    };
                    found.insert(id.to_string(), put);
                }
                None => ask.push(id),
            }
        }
        if ask.is_empty() {
            return Ok(found);
        }
        let (st, client) = self
            .statement("SELECT record, verdict, id FROM annotations WHERE id = ANY($1::text[])")?;
        for row in client.query(&st, &[&ask])? {
            found.insert(row.try_get(2)?, Stored::read(&row)?);
        }
        Ok(found)
    }

    fn put_annotation(&mut self, seq: i64, a: &NewAnnotation<'_>) -> Result<()> {
        let p = &mut self.puts;
        p.by_id.insert(a.id.to_string(), p.seq.len());
        p.seq.push(seq);
        p.id.push(a.id.to_string());
        p.task.push(a.task.to_string());
        p.kind.push(a.kind.as_str());
        p.record.push(a.stored.record.clone());
        p.verdict.push(a.stored.verdict.clone());
        Ok(())
    }

    fn put_batch(&mut self, seq: i64, b: &NewBatch<'_>) -> Result<()> {
        let (st, client) = self.statement(
            "INSERT INTO batches (seq, task, annotator, at, batch) VALUES ($1, $2, $3, $4, $5)",
        )?;
        client.execute(&st, &[&seq, &b.task, &b.annotator, &b.at, &b.batch])?;
        Ok(())
    }

    fn put_task(&mut self, task: &StoredTask) -> Result<()> {
        let (st, client) = self
            .statement("INSERT INTO tasks (id, gold_mode, seed, task) VALUES ($1, $2, $3, $4)")?;
        client.execute(
            &st,
            &[&task.id, &task.gold_mode, &(task.seed as i64), &task.task],
        )?;
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        let p = std::mem::take(&mut self.puts);
        if !p.seq.is_empty() {
            // Every annotation of the group in one statement; a second id
            // already stored fails it, and with it the group.
            let (st, client) = self.statement(
                "INSERT INTO annotations (seq, id, task, kind, record, verdict) \
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], \
                 $5::text[], $6::text[])",
            )?;
            client.execute(
                &st,
                &[&p.seq, &p.id, &p.task, &p.kind, &p.record, &p.verdict],
            )?;
        }
        self.client()?.batch_execute("COMMIT")?;
        self.in_transaction = false;
        Ok(())
    }

    fn rollback(&mut self) {
        self.in_transaction = false;
        self.puts = Puts::default();
        // A lost connection rolled back by itself; nothing to do then.
        if let Some(client) = self.client.as_mut().filter(|c| !c.is_closed()) {
            if client.batch_execute("ROLLBACK").is_err() {
                self.client = None;
            }
        }
    }

    fn readers(&self) -> Readers {
        reader::readers(self.config.clone(), self.pool.clone())
    }

    fn shared(&self) -> bool {
        true
    }
}
