//! The schema, as one history of versions for both backends: version `n` is the same change on
//! each, written in its dialect (SQLite's `STRICT` tables and `INTEGER`, PostgreSQL's `BIGINT`,
//! sequences and functions). Each backend runs the versions its database lacks, in one
//! transaction (`crate::sqlite`, `crate::postgres`).

/// SQL for each backend.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dialects {
    pub(crate) sqlite: &'static str,
    pub(crate) postgres: &'static str,
}

impl Dialects {
    /// The same SQL on both.
    const fn both(sql: &'static str) -> Self {
        Self {
            sqlite: sql,
            postgres: sql,
        }
    }
}

/// What a migration does in Rust, between its SQL and its `then` SQL: what SQL cannot do on
/// both backends alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Chains the audit rows already there (SHA-256 is computed in Rust, one implementation for
    /// both backends: SQLite has none).
    ChainAudit,
    /// Fills in what the team's list finds each report by, from its answers (read by the domain's
    /// own types, as a new report's are).
    FillListing,
}

/// One schema version: its SQL, then its [`Step`] if any, then more SQL. All of it in the
/// migration's transaction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    pub(crate) sql: Dialects,
    pub(crate) step: Option<Step>,
    pub(crate) then: Dialects,
}

impl Migration {
    /// A version that is SQL only.
    const fn sql(sql: Dialects) -> Self {
        Self {
            sql,
            step: None,
            then: Dialects::both(""),
        }
    }
}

/// Each migration takes the schema from version `index` to `index + 1`. Times are milliseconds
/// since the Unix epoch.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration::sql(Dialects {
        sqlite: "
    CREATE TABLE reports (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        reference TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        form TEXT NOT NULL,
        received_at TEXT NOT NULL
    ) STRICT;",
        postgres: "
    CREATE SEQUENCE report_references;
    CREATE TABLE reports (
        seq BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        reference TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        form TEXT NOT NULL,
        received_at TEXT NOT NULL
    );",
    }),
    // One row per report and destination.
    Migration::sql(Dialects {
        sqlite: "
    CREATE TABLE deliveries (
        report_id TEXT NOT NULL REFERENCES reports (id),
        destination TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'delivered', 'parked')),
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        lease TEXT,
        lease_until INTEGER,
        last_error TEXT,
        delivered_at INTEGER,
        PRIMARY KEY (report_id, destination)
    ) STRICT;
    CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);",
        postgres: "
    CREATE TABLE deliveries (
        report_id TEXT NOT NULL REFERENCES reports (id),
        destination TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'delivered', 'parked')),
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        lease TEXT,
        lease_until BIGINT,
        last_error TEXT,
        delivered_at BIGINT,
        PRIMARY KEY (report_id, destination)
    );
    CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);",
    }),
    // The team's states, the audit trail (append-only: triggers refuse to change or delete a
    // row), the team's sessions and sign-ins under way.
    Migration::sql(Dialects {
        sqlite: "
    ALTER TABLE reports ADD COLUMN received_at_ms INTEGER;
    UPDATE reports SET received_at_ms =
        (SELECT MIN(created_at) FROM deliveries WHERE report_id = reports.id);
    ALTER TABLE reports ADD COLUMN acknowledged_at INTEGER;
    ALTER TABLE reports ADD COLUMN acknowledged_by TEXT;
    ALTER TABLE reports ADD COLUMN closed_at INTEGER;
    ALTER TABLE reports ADD COLUMN closed_by TEXT;
    ALTER TABLE reports ADD COLUMN outcome TEXT;
    ALTER TABLE reports ADD COLUMN note TEXT;
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        who TEXT NOT NULL,
        address TEXT NOT NULL,
        action TEXT NOT NULL,
        report_id TEXT REFERENCES reports (id),
        detail TEXT
    ) STRICT;
    CREATE INDEX audit_by_report ON audit (report_id, seq);
    CREATE TRIGGER audit_is_not_changed BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_is_not_deleted BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        csrf TEXT NOT NULL,
        id_token TEXT,
        created_at INTEGER NOT NULL,
        last_seen INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE sign_ins (
        state TEXT PRIMARY KEY,
        verifier TEXT NOT NULL,
        nonce TEXT NOT NULL,
        return_to TEXT NOT NULL,
        created_at INTEGER NOT NULL
    ) STRICT;",
        postgres: "
    ALTER TABLE reports ADD COLUMN received_at_ms BIGINT,
        ADD COLUMN acknowledged_at BIGINT,
        ADD COLUMN acknowledged_by TEXT,
        ADD COLUMN closed_at BIGINT,
        ADD COLUMN closed_by TEXT,
        ADD COLUMN outcome TEXT,
        ADD COLUMN note TEXT;
    UPDATE reports SET received_at_ms =
        (SELECT MIN(created_at) FROM deliveries WHERE report_id = reports.id);
    CREATE TABLE audit (
        seq BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        who TEXT NOT NULL,
        address TEXT NOT NULL,
        action TEXT NOT NULL,
        report_id TEXT REFERENCES reports (id),
        detail TEXT
    );
    CREATE INDEX audit_by_report ON audit (report_id, seq);
    CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
    CREATE TRIGGER audit_is_append_only BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        csrf TEXT NOT NULL,
        id_token TEXT,
        created_at BIGINT NOT NULL,
        last_seen BIGINT NOT NULL
    );
    CREATE TABLE sign_ins (
        state TEXT PRIMARY KEY,
        verifier TEXT NOT NULL,
        nonce TEXT NOT NULL,
        return_to TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );",
    }),
    // The audit trail chained, row to row. The rows already there are chained (in Rust) while
    // the trigger refusing updates is off; it is on again after, in the same transaction. On
    // SQLite a row inserted over an existing seq is refused (`INSERT OR REPLACE` would delete
    // the old row without firing the delete trigger); on PostgreSQL the trail is never
    // truncated, and an instance still running older code during an upgrade has its audit
    // writes refused rather than leaving an unchained row.
    Migration {
        sql: Dialects {
            sqlite: "
    ALTER TABLE audit ADD COLUMN chain TEXT;
    DROP TRIGGER audit_is_not_changed;
    CREATE TRIGGER audit_is_not_replaced BEFORE INSERT ON audit
        WHEN EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq)
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
            postgres: "
    ALTER TABLE audit ADD COLUMN chain TEXT;
    ALTER TABLE audit DISABLE TRIGGER audit_is_append_only;
    CREATE TRIGGER audit_is_not_truncated BEFORE TRUNCATE ON audit
        FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();",
        },
        step: Some(Step::ChainAudit),
        then: Dialects {
            sqlite: "
    CREATE TRIGGER audit_is_not_changed BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
            postgres: "
    ALTER TABLE audit ENABLE TRIGGER audit_is_append_only;
    ALTER TABLE audit ALTER COLUMN chain SET NOT NULL;",
        },
    },
    // Who started each sign-in, so a flood ends its own first. Unfinished sign-ins from before
    // count as one starter's: they end first.
    Migration::sql(Dialects::both(
        "ALTER TABLE sign_ins ADD COLUMN started_by TEXT NOT NULL DEFAULT '';",
    )),
    // What the team's list filters and searches by, kept beside the answers: the kinds of
    // incident and device stay when the answers are removed; the searched text goes with them.
    // On PostgreSQL a trigram index serves a search for text anywhere within it.
    Migration {
        sql: Dialects {
            sqlite: "
    ALTER TABLE reports ADD COLUMN what_happened TEXT;
    ALTER TABLE reports ADD COLUMN device TEXT;
    ALTER TABLE reports ADD COLUMN search TEXT;",
            postgres: "
    ALTER TABLE reports ADD COLUMN what_happened TEXT,
        ADD COLUMN device TEXT,
        ADD COLUMN search TEXT;",
        },
        step: Some(Step::FillListing),
        then: Dialects {
            sqlite: "
    CREATE INDEX reports_received ON reports (received_at_ms);",
            postgres: "
    CREATE INDEX reports_received ON reports (received_at_ms);
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX reports_search ON reports USING gin (search gin_trgm_ops);",
        },
    },
    // Working a case: who owns a report, and the team's running notes on it (each with who and
    // when, in order; removed with the answers after the retention period).
    Migration::sql(Dialects {
        sqlite: "
    ALTER TABLE reports ADD COLUMN owner TEXT;
    CREATE TABLE notes (
        seq INTEGER PRIMARY KEY,
        report_id TEXT NOT NULL REFERENCES reports (id),
        at INTEGER NOT NULL,
        who TEXT NOT NULL,
        text TEXT NOT NULL
    ) STRICT;
    CREATE INDEX notes_by_report ON notes (report_id, seq);",
        postgres: "
    ALTER TABLE reports ADD COLUMN owner TEXT;
    CREATE TABLE notes (
        seq BIGSERIAL PRIMARY KEY,
        report_id TEXT NOT NULL REFERENCES reports (id),
        at BIGINT NOT NULL,
        who TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX notes_by_report ON notes (report_id, seq);",
    }),
];
