//! The SQLite store: one file in WAL mode, for one collector process.

use super::{
    Column, Event, EventRow, Kind, NewAnnotation, NewBatch, Reader, Readers, RecordFn, RecordQuery,
    Result, Store, StoreError, Stored, StoredTask,
};
use rusqlite::{params, Connection, OpenFlags};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl<T: rusqlite::types::FromSql> Column<T> for rusqlite::Row<'_> {
    fn column(&self, i: usize) -> Result<T> {
        Ok(self.get(i)?)
    }
}

/// How hard SQLite works to make a commit durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: the WAL is fsynced at every commit. A commit
    /// survives a process kill, an OS crash and a power loss.
    Full,
    /// `synchronous=NORMAL`: the WAL is fsynced only at checkpoints. A
    /// commit survives a process kill (SIGKILL): its pages are in the OS
    /// page cache when `COMMIT` returns. The last commits can be lost on an
    /// OS crash or power loss (the database stays consistent).
    Normal,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    gold_mode TEXT NOT NULL,
    seed INTEGER NOT NULL,
    task TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS annotations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    task TEXT NOT NULL,
    record TEXT NOT NULL,
    verdict TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS annotations_by_task ON annotations(task, seq);
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY,
    task TEXT NOT NULL,
    annotator TEXT NOT NULL,
    batch TEXT NOT NULL
);
";

/// Columns added since the first schema, each added when missing (so a
/// database written by an earlier version opens and keeps its data).
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    // Skips share the annotations table (one id space).
    ("annotations", "kind", "TEXT NOT NULL DEFAULT 'label'"),
    // The time a batch was handed out: leases run from it.
    ("batches", "at", "REAL"),
];

fn add_missing_columns(conn: &Connection) -> Result<()> {
    for (table, column, decl) in ADDED_COLUMNS {
        let mut st = conn.prepare(&format!("PRAGMA table_info({table})"))?;
        let names = st.query_map([], |r| r.get::<_, String>(1))?;
        let mut present = false;
        for name in names {
            present |= name? == *column;
        }
        if !present {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl};"))?;
        }
    }
    Ok(())
}

/// The SQLite store: one file in WAL mode.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path, sync: Durability) -> Result<SqliteStore> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError(format!(
                "could not switch the database to WAL mode (got {mode})"
            )));
        }
        let sync = match sync {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        conn.execute_batch(&format!("PRAGMA synchronous={sync};"))?;
        conn.execute_batch(SCHEMA)?;
        add_missing_columns(&conn)?;
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Moves checkpoints (copying the WAL into the database file, with an
    /// fsync) off the writer: a thread with its own connection checkpoints
    /// every `every`, so a commit never waits for one. Checkpoints are
    /// `PASSIVE`: they never block the writer or readers.
    pub fn checkpoint_in_background(&self, every: Duration) -> Result<()> {
        self.conn.execute_batch("PRAGMA wal_autocheckpoint=0;")?;
        let conn = Connection::open(&self.path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        std::thread::Builder::new()
            .name("prefkit-checkpoint".into())
            .spawn(move || loop {
                std::thread::sleep(every);
                let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                if let Err(e) = done {
                    eprintln!("prefkit serve: checkpoint failed (will retry): {e}");
                }
            })
            .map_err(|e| StoreError(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(())
    }
}

impl Store for SqliteStore {
    fn tasks(&mut self) -> Result<Vec<StoredTask>> {
        let mut st = self
            .conn
            .prepare("SELECT id, gold_mode, seed, task FROM tasks ORDER BY rowid")?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(StoredTask::read(r)?);
        }
        Ok(out)
    }

    fn task_count(&mut self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM tasks", [], |r| r.get(0))?;
        Ok(n as usize)
    }

    fn replay(&mut self, after: i64, f: &mut dyn FnMut(i64, Event)) -> Result<()> {
        let mut st = self.conn.prepare(
            "SELECT seq, task, record, verdict, NULL, kind, NULL FROM annotations WHERE seq > ?1
             UNION ALL SELECT seq, task, batch, NULL, annotator, NULL, at FROM batches WHERE seq > ?1
             ORDER BY 1",
        )?;
        let mut rows = st.query([after])?;
        while let Some(r) = rows.next()? {
            let (seq, event) = EventRow::read(r)?.into_event();
            f(seq, event);
        }
        Ok(())
    }

    fn begin(&mut self) -> Result<()> {
        Ok(self.conn.execute_batch("BEGIN IMMEDIATE")?)
    }

    fn find(&mut self, ids: &[&str]) -> Result<HashMap<String, Stored>> {
        // A query an id: SQLite is a function call, not a round trip.
        let mut st = self
            .conn
            .prepare_cached("SELECT record, verdict FROM annotations WHERE id = ?1")?;
        let mut found = HashMap::new();
        for &id in ids {
            if let Some(row) = st.query([id])?.next()? {
                found.insert(id.to_string(), Stored::read(row)?);
            }
        }
        Ok(found)
    }

    fn put_annotation(&mut self, seq: i64, a: &NewAnnotation<'_>) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "INSERT INTO annotations (seq, id, task, record, verdict, kind) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        st.execute(params![
            seq,
            a.id,
            a.task,
            a.stored.record,
            a.stored.verdict,
            a.kind.as_str()
        ])?;
        Ok(())
    }

    fn put_batch(&mut self, seq: i64, b: &NewBatch<'_>) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "INSERT INTO batches (seq, task, annotator, batch, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        st.execute(params![seq, b.task, b.annotator, b.batch, b.at])?;
        Ok(())
    }

    fn put_task(&mut self, task: &StoredTask) -> Result<()> {
        self.conn.execute(
            "INSERT INTO tasks (id, gold_mode, seed, task) VALUES (?1, ?2, ?3, ?4)",
            params![task.id, task.gold_mode, task.seed as i64, task.task],
        )?;
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }

    fn rollback(&mut self) {
        // Fails only when no transaction is open, which is what we want.
        let _ = self.conn.execute_batch("ROLLBACK");
    }

    fn readers(&self) -> Readers {
        let path = self.path.clone();
        std::sync::Arc::new(move || {
            let conn = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            conn.busy_timeout(Duration::from_secs(5))?;
            Ok(Box::new(SqliteReader { conn }) as Box<dyn Reader>)
        })
    }
}

/// A read-only connection; in WAL mode it never blocks the writer.
pub struct SqliteReader {
    conn: Connection,
}

impl Reader for SqliteReader {
    fn annotations(&mut self, q: RecordQuery, f: &mut RecordFn) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, record, verdict, kind FROM annotations \
             WHERE task = ?1 AND seq > ?2 AND (?3 IS NULL OR kind = ?3) ORDER BY seq",
        )?;
        let mut rows = st.query(params![q.task, q.after, q.kind.map(Kind::as_str)])?;
        while let Some(r) = rows.next()? {
            let record = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let verdict = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
            let kind = r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
            f(r.get(0)?, Kind::parse(kind), record, verdict);
        }
        Ok(())
    }
}
