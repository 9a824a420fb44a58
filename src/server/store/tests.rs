//! One suite for every store: each test runs on SQLite and on a
//! throwaway PostgreSQL cluster (the one the collector's end-to-end tests
//! start), so both implementations keep the same contract.

use super::*;
use std::path::PathBuf;

#[allow(dead_code)]
#[path = "../../../tests/collector/pg.rs"]
mod cluster;

/// A database of each kind (a SQLite file, a PostgreSQL database on its
/// own cluster), removed when dropped.
struct Kinds {
    _dir: Temp,
    _pg: cluster::Cluster,
    sqlite: PathBuf,
    postgres: String,
}

struct Temp(PathBuf);

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Kinds {
    fn new(name: &str) -> Kinds {
        let dir = std::env::temp_dir().join(format!("prefkit-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let pg = cluster::Cluster::start(name);
        let postgres = pg.database("prefkit");
        Kinds {
            sqlite: dir.join("db.sqlite"),
            _dir: Temp(dir),
            _pg: pg,
            postgres,
        }
    }

    /// Runs `check` on each kind; `open` gives a new connection each call.
    fn each(&self, check: impl Fn(&str, &dyn Fn() -> Box<dyn Store>)) {
        let sqlite = || {
            Box::new(SqliteStore::open(&self.sqlite, Durability::Normal).unwrap()) as Box<dyn Store>
        };
        check("sqlite", &sqlite);
        let postgres = || {
            let config = postgres_config(&self.postgres).unwrap();
            Box::new(PostgresStore::open(config).unwrap()) as Box<dyn Store>
        };
        check("postgres", &postgres);
    }
}

fn stored(record: &str, verdict: &str) -> Stored {
    Stored {
        record: record.into(),
        verdict: verdict.into(),
    }
}

/// Puts `stored` as annotation "a" of task "t", as `seq`.
fn put_a(s: &mut dyn Store, seq: i64, kind: Kind, stored: &Stored) -> Result<()> {
    let a = NewAnnotation {
        id: "a",
        task: "t",
        kind,
        stored,
    };
    s.put_annotation(seq, &a)
}

#[test]
fn a_committed_annotation_is_found_replayed_and_read_back_in_order_on_every_store() {
    Kinds::new("roundtrip").each(|kind, open| {
        let mut s = open();
        let task = StoredTask {
            id: "t".into(),
            gold_mode: "blind".into(),
            seed: 7,
            task: "{}".into(),
        };
        s.begin().unwrap();
        s.put_task(&task).unwrap();
        let handed = NewBatch {
            task: "t",
            annotator: "w1",
            at: 100.0,
            batch: "[]",
        };
        s.put_batch(1, &handed).unwrap();
        let a = stored("{\"id\":\"a\"}", "{}");
        put_a(&mut *s, 2, Kind::Label, &a).unwrap();
        assert!(s.find(&["a", "b"]).unwrap().contains_key("a"), "{kind}: visible before commit");
        s.commit().unwrap();
        drop(s);

        let mut s = open();
        assert_eq!(s.tasks().unwrap(), vec![task], "{kind}");
        assert_eq!(s.task_count().unwrap(), 1, "{kind}");
        let mut seen = Vec::new();
        s.replay(0, &mut |seq, e| seen.push((seq, e))).unwrap();
        assert!(
            matches!(&seen[0], (1, Event::Batch { annotator, at, .. }) if annotator == "w1" && *at == Some(100.0)),
            "{kind}"
        );
        assert!(
            matches!(&seen[1], (2, Event::Annotation { record, kind: Kind::Label, .. }) if record == &a.record),
            "{kind}"
        );
        let mut after = Vec::new();
        s.replay(1, &mut |seq, _| after.push(seq)).unwrap();
        assert_eq!(after, vec![2], "{kind}: only the events above the one given");
        // A skip after the label: each kind read apart, or both in order.
        let b = stored("{\"id\":\"b\"}", "{}");
        let skip = NewAnnotation {
            id: "b",
            task: "t",
            kind: Kind::Skip,
            stored: &b,
        };
        s.begin().unwrap();
        s.put_annotation(3, &skip).unwrap();
        s.commit().unwrap();
        let mut r = (s.readers())().unwrap();
        let mut read = |q: RecordQuery| {
            let mut rows = Vec::new();
            r.annotations(q, &mut |seq, kind, rec, _| rows.push((seq, kind, rec.to_string())))
                .unwrap();
            rows
        };
        let all = RecordQuery {
            task: "t",
            kind: None,
            after: 0,
        };
        let (label, skipped) = ((2, Kind::Label, a.record.clone()), (3, Kind::Skip, b.record));
        let labels = RecordQuery {
            kind: Some(Kind::Label),
            ..all
        };
        assert_eq!(read(labels), vec![label.clone()], "{kind}");
        let skips = RecordQuery {
            kind: Some(Kind::Skip),
            ..all
        };
        assert_eq!(read(skips), vec![skipped.clone()], "{kind}");
        assert_eq!(read(all), vec![label, skipped.clone()], "{kind}");
        assert_eq!(read(RecordQuery { after: 2, ..all }), vec![skipped], "{kind}");
    });
}

#[test]
fn a_rolled_back_annotation_is_gone_and_its_id_is_free_on_every_store() {
    Kinds::new("rollback").each(|kind, open| {
        let mut s = open();
        let a = stored("r", "v");
        s.begin().unwrap();
        put_a(&mut *s, 1, Kind::Label, &a).unwrap();
        s.rollback();
        assert!(s.find(&["a"]).unwrap().is_empty(), "{kind}");
        let mut events = 0;
        s.replay(0, &mut |_, _| events += 1).unwrap();
        assert_eq!(events, 0, "{kind}");
        s.begin().unwrap();
        put_a(&mut *s, 1, Kind::Skip, &a).unwrap();
        s.commit().unwrap();
        assert!(s.find(&["a"]).unwrap().contains_key("a"), "{kind}");
    });
}

#[test]
fn a_second_annotation_under_a_stored_id_is_refused_by_every_store() {
    Kinds::new("unique").each(|kind, open| {
        let mut s = open();
        let a = stored("r", "v");
        s.begin().unwrap();
        put_a(&mut *s, 1, Kind::Label, &a).unwrap();
        s.commit().unwrap();
        s.begin().unwrap();
        // Refused when put, or at the latest when committed (a store may
        // write its puts at the commit).
        let refused = put_a(&mut *s, 2, Kind::Label, &a).is_err() || s.commit().is_err();
        assert!(refused, "{kind}: the id is the idempotency key");
        s.rollback();
        assert_eq!(
            s.find(&["a"]).unwrap()["a"].record,
            a.record,
            "{kind}: the first one stays"
        );
        assert_eq!(s.shared(), kind == "postgres", "{kind}");
    });
}
