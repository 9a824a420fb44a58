//! The PostgreSQL store's readers (exports, reports, the event stream's
//! backlog): connections of their own, kept in a small pool.

use super::super::{Kind, Reader, Readers, RecordFn, RecordQuery, Result, StoreError};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, NoTls};
use std::sync::{Arc, Mutex};

/// Opens readers on `config`, reusing the connections in `pool`.
pub fn readers(config: Config, pool: Arc<Mutex<Vec<Client>>>) -> Readers {
    Arc::new(move || {
        let pooled = pool.lock().ok().and_then(|mut p| p.pop());
        let client = match pooled.filter(|c| !c.is_closed()) {
            Some(c) => c,
            None => config.connect(NoTls)?,
        };
        Ok(Box::new(PostgresReader {
            client: Some(client),
            pool: pool.clone(),
        }) as Box<dyn Reader>)
    })
}

/// Readers' connections kept for the next reader.
const POOL_SIZE: usize = 8;

/// A reader's connection, back to the pool when dropped.
pub struct PostgresReader {
    client: Option<Client>,
    pool: Arc<Mutex<Vec<Client>>>,
}

impl Drop for PostgresReader {
    fn drop(&mut self) {
        if let Some(client) = self.client.take().filter(|c| !c.is_closed()) {
            if let Ok(mut pool) = self.pool.lock() {
                if pool.len() < POOL_SIZE {
                    pool.push(client);
                }
            }
        }
    }
}

impl Reader for PostgresReader {
    fn annotations(&mut self, q: RecordQuery, f: &mut RecordFn) -> Result<()> {
        let client = self
            .client
            .as_mut()
            .ok_or_else(|| StoreError("no connection".into()))?;
        let st = client.prepare(
            "SELECT seq, record, verdict, kind FROM annotations \
             WHERE task = $1 AND ($2::text IS NULL OR kind = $2) AND seq > $3 ORDER BY seq",
        )?;
        let kind = q.kind.map(Kind::as_str);
        let params: [&(dyn postgres::types::ToSql + Sync); 3] = [&q.task, &kind, &q.after];
        let mut rows = client.query_raw(&st, params)?;
        while let Some(r) = rows.next()? {
            let record: &str = r.try_get(1)?;
            let verdict: &str = r.try_get(2)?;
            let kind: &str = r.try_get(3)?;
            f(r.try_get(0)?, Kind::parse(kind), record, verdict);
        }
        Ok(())
    }
}
