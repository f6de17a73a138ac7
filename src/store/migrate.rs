//! Versioned schemas of the two store files, kept in `PRAGMA user_version`
//! (rusqlite_migration).
//!
//! Every step is idempotent (`IF NOT EXISTS`, `OR IGNORE`): two processes
//! that open a file at once may both start the same step, and files written
//! before the schema was versioned (version 0, tables already there) adopt
//! version 1 without change. Steps are only ever appended.

use rusqlite::{Connection, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

/// A file's schema: its steps, in order; version n has the first n.
pub(crate) struct Schema {
    steps: &'static [Step],
}

/// One step of a schema, idempotent.
#[derive(Clone, Copy)]
pub(crate) enum Step {
    Sql(&'static str),
    /// Adds each `(table, column, declaration)` the table lacks, then runs
    /// `then` (SQLite has no `ADD COLUMN IF NOT EXISTS`).
    AddColumns {
        columns: &'static [(&'static str, &'static str, &'static str)],
        then: &'static str,
    },
}

impl Step {
    fn migration(self) -> M<'static> {
        match self {
            Step::Sql(sql) => M::up(sql),
            Step::AddColumns { columns, then } => {
                M::up_with_hook("", move |tx: &rusqlite::Transaction| {
                    for (table, column, decl) in columns {
                        let present: bool = tx.query_row(
                            "SELECT count(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
                            [table, column],
                            |r| r.get(0),
                        )?;
                        if !present {
                            tx.execute_batch(&format!(
                                "ALTER TABLE {table} ADD COLUMN {column} {decl}"
                            ))?;
                        }
                    }
                    tx.execute_batch(then)?;
                    Ok(())
                })
            }
        }
    }
}

impl Schema {
    fn migrations(&self) -> Migrations<'static> {
        Migrations::new(self.steps.iter().map(|step| step.migration()).collect())
    }

    /// The latest version.
    pub(crate) fn latest(&self) -> usize {
        self.steps.len()
    }
}

/// The library's own store: analysis results and the decision outbox.
pub(crate) const LOCAL: Schema = Schema {
    steps: &[
        Step::Sql(LOCAL_V1_ANALYSIS),
        Step::Sql(super::library::SCHEMA),
        Step::Sql(LOCAL_V3_DECISIONS),
        LOCAL_V4_CLOCK,
        LOCAL_V5_EXACT_LISTS,
        LOCAL_V6_FRAMING_PARTS,
        Step::Sql(LOCAL_V7_SET_ASIDE),
        LOCAL_V8_FOOTAGE_PRINTS,
        LOCAL_V9_OBJECTS,
        LOCAL_V10_REGIONS,
        Step::Sql(LOCAL_V11_SETTINGS),
        CUT_POINTS,
        LOCAL_V13_MOTION,
    ],
};

/// The team's shared decisions store.
pub(crate) const SHARED: Schema = Schema {
    steps: &[Step::Sql(SHARED_V1_DECISIONS), SHARED_V2_CLOCK, CUT_POINTS],
};

/// Memoised features and the file-hash cache.
const LOCAL_V1_ANALYSIS: &str = "
CREATE TABLE IF NOT EXISTS features (
    content_hash TEXT NOT NULL,
    stage TEXT NOT NULL,
    model TEXT NOT NULL,
    params TEXT NOT NULL,
    value BLOB NOT NULL,
    created_at INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (content_hash, stage, model, params)
);
CREATE TABLE IF NOT EXISTS file_hashes (
    path TEXT NOT NULL PRIMARY KEY,
    size INTEGER NOT NULL,
    modified_ns INTEGER NOT NULL,
    content_hash TEXT NOT NULL
);
";

/// Every decision event this library knows: its own (`own = 1`, in the
/// outbox until `pushed = 1`) and the team's, pulled from the shared store.
/// `sync_state` keeps, per shared store, how far its log has been pulled.
const LOCAL_V3_DECISIONS: &str = "
CREATE TABLE IF NOT EXISTS decisions (
    id TEXT NOT NULL PRIMARY KEY,
    pair_id TEXT NOT NULL,
    editor TEXT NOT NULL,
    decided_at_ms INTEGER NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'clear')),
    note TEXT,
    own INTEGER NOT NULL,
    pushed INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_pair ON decisions (pair_id, editor, decided_at_ms);
CREATE INDEX IF NOT EXISTS decisions_outbox ON decisions (pushed) WHERE pushed = 0;
CREATE TABLE IF NOT EXISTS sync_state (
    store_id TEXT NOT NULL PRIMARY KEY,
    pulled_seq INTEGER NOT NULL
);
";

/// An append-only log of decision events; `seq` orders them for pulling,
/// `store_id` tells one shared store from a replacement at the same path.
const SHARED_V1_DECISIONS: &str = "
CREATE TABLE IF NOT EXISTS store_info (
    key TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT OR IGNORE INTO store_info (key, value) VALUES ('store_id', lower(hex(randomblob(16))));
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    pair_id TEXT NOT NULL,
    editor TEXT NOT NULL,
    decided_at_ms INTEGER NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'clear')),
    note TEXT,
    received_at INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE INDEX IF NOT EXISTS decisions_by_pair ON decisions (pair_id);
";

/// Each decision's hybrid logical clock; earlier events take their wall
/// time.
const LOCAL_V4_CLOCK: Step = Step::AddColumns {
    columns: &[("decisions", "clock", "INTEGER")],
    then: "UPDATE decisions SET clock = decided_at_ms WHERE clock IS NULL;
           CREATE INDEX IF NOT EXISTS decisions_by_clock ON decisions (clock);",
};

/// Candidate pairs from exact neighbour lists (`matching::neighbours`):
/// keyframes keep their 8-bit descriptor, pairs say which of their ends'
/// lists hold them, shots the k-th similarity of their lists, titles
/// whether their files are missing. Pairs made by the approximate index
/// before are dropped (those with a decision stay) and every title is
/// marked for re-indexing from its stored features (`indexed = 0`).
const LOCAL_V5_EXACT_LISTS: Step = Step::AddColumns {
    columns: &[
        ("keyframes", "vector", "BLOB"),
        ("pairs", "in_exit_list", "INTEGER NOT NULL DEFAULT 0"),
        ("pairs", "in_entry_list", "INTEGER NOT NULL DEFAULT 0"),
        ("shots", "exit_kth", "REAL"),
        ("shots", "entry_kth", "REAL"),
        ("titles", "missing", "INTEGER NOT NULL DEFAULT 0"),
    ],
    then: "UPDATE titles SET indexed = 0 WHERE indexed = 1
             AND EXISTS (SELECT 1 FROM keyframes k WHERE k.content_hash = titles.content_hash AND k.vector IS NULL);
           DELETE FROM pairs WHERE in_exit_list = 0 AND in_entry_list = 0
             AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.pair_id = pairs.id);
           DELETE FROM duplicates WHERE a_hash IN (SELECT content_hash FROM titles WHERE indexed = 0)
             OR b_hash IN (SELECT content_hash FROM titles WHERE indexed = 0);
           CREATE INDEX IF NOT EXISTS pairs_by_from_shot ON pairs (from_hash, from_shot);
           CREATE INDEX IF NOT EXISTS pairs_by_to_shot ON pairs (to_hash, to_shot);",
};

/// Pairs keep the four parts of their framing score (light, edges, lines,
/// subject) to explain it. Titles analysed before are analysed again under
/// the new analysis key, which rewrites their pairs.
const LOCAL_V6_FRAMING_PARTS: Step = Step::AddColumns {
    columns: &[
        ("pairs", "light", "REAL NOT NULL DEFAULT 0"),
        ("pairs", "edges", "REAL NOT NULL DEFAULT 0"),
        ("pairs", "lines", "REAL NOT NULL DEFAULT 0"),
        ("pairs", "subject", "REAL NOT NULL DEFAULT 0"),
    ],
    then: "",
};

/// The shots of a title that are never matched, and why: black, colour,
/// card (text or graphics) or short (a flash or whip). Every title is
/// marked for re-indexing from its stored features, which records them.
const LOCAL_V7_SET_ASIDE: &str = "
CREATE TABLE IF NOT EXISTS set_aside (
    content_hash TEXT NOT NULL,
    shot INTEGER NOT NULL,
    first_frame INTEGER NOT NULL,
    last_frame INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (content_hash, shot)
);
UPDATE titles SET indexed = 0 WHERE indexed = 1;";

/// Shots, and those set aside that show a picture, keep their footage
/// prints ([`crate::matching::footage`]), which find re-used footage
/// whatever its cut. Titles analysed before are analysed again under the
/// new analysis key.
const LOCAL_V8_FOOTAGE_PRINTS: Step = Step::AddColumns {
    columns: &[("shots", "prints", "BLOB"), ("set_aside", "prints", "BLOB")],
    then: "UPDATE titles SET indexed = 0 WHERE indexed = 1;",
};

/// Pairs keep the fifth part of their framing score: where the network
/// sees the subject ([`crate::embed::objects`]). Titles analysed before are
/// analysed again under the new analysis key, which rewrites their pairs.
const LOCAL_V9_OBJECTS: Step = Step::AddColumns {
    columns: &[("pairs", "objects", "REAL NOT NULL DEFAULT 0")],
    then: "",
};

/// Keyframes keep their subject's and surroundings' features
/// ([`crate::matching::setups`]), which keep one set-up revisited out of
/// the pairs, and how clearly a figure stands out in them; pairs the sixth
/// part of their framing score, where a figure stands out
/// ([`crate::embed::saliency`]), and how clearly both frames show one. Titles analysed before
/// are analysed again under the new analysis key, which fills them.
const LOCAL_V10_REGIONS: Step = Step::AddColumns {
    columns: &[
        ("keyframes", "regions", "BLOB"),
        ("keyframes", "figure", "REAL"),
        ("pairs", "salient", "REAL NOT NULL DEFAULT 0"),
        ("pairs", "figure", "REAL NOT NULL DEFAULT 0"),
    ],
    then: "",
};

/// Settings of the library kept with it (the editor's name, where the
/// team's shared store is), so every front end reads the same ones.
const LOCAL_V11_SETTINGS: &str = "
CREATE TABLE IF NOT EXISTS settings (
    key TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);";

/// The shared log's events carry their clock too.
const SHARED_V2_CLOCK: Step = Step::AddColumns {
    columns: &[("decisions", "clock", "INTEGER")],
    then: "UPDATE decisions SET clock = decided_at_ms WHERE clock IS NULL;",
};

/// Decisions carry the editor's trim of the cut (both stores: local
/// version 12, shared version 3).
const CUT_POINTS: Step = Step::AddColumns {
    columns: &[
        ("decisions", "out_frame", "INTEGER"),
        ("decisions", "in_frame", "INTEGER"),
    ],
    then: "",
};

/// Shots keep their ends' motion ([`crate::motion`], JSON), and motion
/// pairs the movement that explains them (`kind = 'motion'`, JSON).
const LOCAL_V13_MOTION: Step = Step::AddColumns {
    columns: &[("shots", "motion", "TEXT"), ("pairs", "motion", "TEXT")],
    then: "CREATE INDEX IF NOT EXISTS pairs_by_kind ON pairs (kind, score DESC, id);",
};

/// Brings `conn` to the latest version of `migrations`. A step that fails
/// because another process ran it at the same moment is retried once the
/// version has been read again.
pub(super) fn to_latest(conn: &mut Connection, schema: &Schema) -> Result<(), String> {
    to_version(conn, schema, schema.latest())
}

/// Brings `conn` to `version` of `schema` (tests build earlier versions).
pub(crate) fn to_version(
    conn: &mut Connection,
    schema: &Schema,
    version: usize,
) -> Result<(), String> {
    let migrations = schema.migrations();
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    let mut attempt = 0;
    loop {
        match migrations.to_version(conn, version) {
            Ok(()) => break,
            Err(rusqlite_migration::Error::MigrationDefinition(
                rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
            )) => return Err(too_new(conn, schema)),
            Err(e) if attempt < 3 => {
                attempt += 1;
                tracing::debug!("schema migration retried: {e}");
            }
            Err(e) => return Err(format!("cannot bring the schema up to date: {e}")),
        }
    }
    conn.set_transaction_behavior(TransactionBehavior::Deferred);
    Ok(())
}

fn too_new(conn: &Connection, schema: &Schema) -> String {
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap_or(-1);
    format!(
        "it was written by a newer Matchcut (schema version {found}; this one knows up to {})",
        schema.latest()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn steps_are_valid_and_idempotent() {
        for schema in [&LOCAL, &SHARED] {
            schema.migrations().validate().unwrap();
            let mut conn = Connection::open_in_memory().unwrap();
            to_latest(&mut conn, schema).unwrap();
            // Running every step again (a racing process) changes nothing.
            conn.pragma_update(None, "user_version", 0).unwrap();
            to_latest(&mut conn, schema).unwrap();
            assert_eq!(version(&conn), schema.latest() as i64);
        }
    }

    /// A library store as an earlier Matchcut left it, holding data of
    /// every table that version had. `None`: written before the schema was
    /// versioned (the tables of steps 1 and 2, `user_version` 0).
    fn earlier_store(path: &std::path::Path, version: Option<usize>) {
        let mut conn = Connection::open(path).unwrap();
        let tables = match version {
            None => {
                for step in &LOCAL.steps[..2] {
                    let Step::Sql(sql) = step else { unreachable!() };
                    conn.execute_batch(sql).unwrap();
                }
                2
            }
            Some(v) => {
                to_version(&mut conn, &LOCAL, v).unwrap();
                v
            }
        };
        let rows = [
            "INSERT INTO features (content_hash, stage, model, params, value) VALUES ('h', 's', 'm', 'p', x'2a')",
            "INSERT INTO titles (content_hash, path, frame_rate, frame_count, shots, analysis) VALUES ('h', 'a.mp4', '25/1', 10, 1, 'x')",
            "INSERT INTO decisions (id, pair_id, editor, decided_at_ms, decision, own, pushed) VALUES ('e', 'p', 'ann', 1, 'approve', 1, 0)",
        ];
        for row in &rows[..tables.min(rows.len())] {
            conn.execute(row, []).unwrap();
        }
    }

    #[test]
    fn stores_of_every_earlier_version_open_with_their_data() {
        use crate::store::{DecisionEvent, FeatureKey, LocalDecisions, Store};
        let dir = std::env::temp_dir().join(format!("matchcut-migrate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let versions = std::iter::once(None).chain((0..LOCAL.latest()).map(Some));
        for (n, earlier) in versions.enumerate() {
            let path = dir.join(format!("library{n}.sqlite"));
            earlier_store(&path, earlier);
            let tables = earlier.unwrap_or(2);
            let store = Store::open(&path).unwrap();
            let key = FeatureKey {
                content_hash: "h",
                stage: "s",
                model: "m",
                params: "p",
            };
            let feature = store.feature(&key).unwrap();
            assert_eq!(feature, (tables >= 1).then(|| vec![42]), "{earlier:?}");
            assert_eq!(store.title("h").unwrap().is_some(), tables >= 2);
            let log = LocalDecisions::open(&path).unwrap();
            let event = DecisionEvent {
                id: "new".into(),
                pair_id: "p".into(),
                editor: "bo".into(),
                decided_at_ms: 2,
                decision: crate::store::Decision::Reject,
                note: None,
                clock: 2,
                cut: Some(crate::store::CutPoints {
                    out_frame: 7,
                    in_frame: 9,
                }),
            };
            log.record(&event).unwrap();
            let before = usize::from(tables >= 3);
            let events = log.events().unwrap();
            assert_eq!(events.len(), before + 1, "{earlier:?}");
            // An event from before clocks takes its wall time as its clock.
            if let Some(old) = events.iter().find(|e| e.id == "e") {
                assert_eq!(old.clock, 1);
                assert_eq!(
                    old.cut, None,
                    "an event from before trims keeps the proposal"
                );
            }
            let new = events.iter().find(|e| e.id == "new").unwrap();
            assert_eq!(new.cut, event.cut, "{earlier:?}");
            assert_eq!(log.pending().unwrap(), before + 1);
            let conn = Connection::open(&path).unwrap();
            assert_eq!(version(&conn), LOCAL.latest() as i64);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_newer_file_is_refused_by_name() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        let error = to_latest(&mut conn, &LOCAL).unwrap_err();
        assert!(error.contains("newer Matchcut"), "{error}");
        assert!(error.contains("99"), "{error}");
    }
}
