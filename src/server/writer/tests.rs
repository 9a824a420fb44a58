//! The writer against a store whose commits can be made to fail.

use super::*;
use crate::server::store::{
    Durability, Event, NewAnnotation, NewBatch, Readers, SqliteStore, Stored,
};
use prefkit::Annotation;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::oneshot;

/// A SQLite store whose `commit` fails while `fail` is set.
struct Flaky {
    inner: SqliteStore,
    fail: Arc<AtomicBool>,
}

impl Store for Flaky {
    fn tasks(&mut self) -> Result<Vec<StoredTask>, StoreError> {
        self.inner.tasks()
    }
    fn task_count(&mut self) -> Result<usize, StoreError> {
        self.inner.task_count()
    }
    fn replay(&mut self, after: i64, f: &mut dyn FnMut(i64, Event)) -> Result<(), StoreError> {
        self.inner.replay(after, f)
    }
    fn begin(&mut self) -> Result<(), StoreError> {
        self.inner.begin()
    }
    fn find(&mut self, ids: &[&str]) -> Result<HashMap<String, Stored>, StoreError> {
        self.inner.find(ids)
    }
    fn put_annotation(&mut self, seq: i64, a: &NewAnnotation<'_>) -> Result<(), StoreError> {
        self.inner.put_annotation(seq, a)
    }
    fn put_batch(&mut self, seq: i64, b: &NewBatch<'_>) -> Result<(), StoreError> {
        self.inner.put_batch(seq, b)
    }
    fn put_task(&mut self, task: &StoredTask) -> Result<(), StoreError> {
        self.inner.put_task(task)
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(StoreError("disk full (simulated)".into()));
        }
        self.inner.commit()
    }
    fn rollback(&mut self) {
        self.inner.rollback()
    }
    fn readers(&self) -> Readers {
        self.inner.readers()
    }
}

fn incoming(id: &str, item: &str) -> Incoming {
    let mut a = Annotation::new(item, "w1", prefkit::Label::ABetter);
    a.id = Some(id.to_string());
    a.task_id = Some("t".to_string());
    a.time_seconds = Some(10.0);
    Incoming {
        id: id.to_string(),
        task: "t".to_string(),
        record: a.to_json_value().to_string(),
        answer: Answer::Label(a),
        canonical: true,
    }
}

fn annotate(w: &mut Writer, items: Vec<Incoming>) -> Result<Vec<Outcome>, ApiError> {
    let (reply, mut rx) = oneshot::channel();
    w.apply_now(Job::Annotate { items, reply });
    rx.try_recv().expect("answered")
}

#[test]
fn a_failed_commit_answers_503_and_leaves_the_sessions_as_the_database_says() {
    let dir = std::env::temp_dir().join(format!("prefkit-writer-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fail = Arc::new(AtomicBool::new(false));
    let store = Flaky {
        inner: SqliteStore::open(&dir.join("db.sqlite"), Durability::Normal).unwrap(),
        fail: fail.clone(),
    };
    let (live, _) = broadcast::channel(16);
    let mut w = Writer::new(Box::new(store), Arc::new(Registry::default()), live);
    let task = serde_json::json!({"task_id": "t", "examples": [
        {"id": "e1", "prompt": "p", "response_a": "a", "response_b": "b"},
        {"id": "e2", "prompt": "p", "response_a": "a", "response_b": "b"}]});
    let (reply, mut rx) = oneshot::channel();
    w.apply_now(Job::AddTask {
        task: Box::new(
            crate::server::admin::new_task(&task, crate::server::tasks::GoldMode::Open, Some(3))
                .unwrap(),
        ),
        seed_given: true,
        reply,
    });
    assert!(matches!(rx.try_recv(), Ok(Ok(None))));
    assert!(annotate(&mut w, vec![incoming("a1", "e1")]).is_ok());

    fail.store(true, Ordering::SeqCst);
    let refused = annotate(&mut w, vec![incoming("a2", "e2")]).unwrap_err();
    assert_eq!(refused.status, axum::http::StatusCode::SERVICE_UNAVAILABLE);
    assert!(!refused.message.contains("disk full"), "no internals");

    fail.store(false, Ordering::SeqCst);
    let again = annotate(&mut w, vec![incoming("a2", "e2")]).unwrap();
    let Outcome::Stored {
        duplicate, verdict, ..
    } = &again[0]
    else {
        panic!("stored: {again:?}");
    };
    assert!(!duplicate, "the failed attempt left nothing behind");
    let v: serde_json::Value = serde_json::from_str(verdict.get()).unwrap();
    assert_eq!(
        v["duplicate"], false,
        "the session forgot the rolled-back answer: {v}"
    );
}
