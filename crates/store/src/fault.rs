//! Infrastructure faults: the request was fine, but the database could not take it now (away,
//! full, read-only, locked). They are told apart from bugs so the API answers a fast `503`
//! with `Retry-After` instead of a `500`, and nothing is acknowledged that was not committed.

use sea_orm::{DbErr, RuntimeErr, sqlx};

/// Why the database could not serve a request just now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// No connection in time: the database is away, restarting, or every connection is busy.
    Unreachable,
    /// The disk holding the database is full; reads still work.
    DiskFull,
    /// The database accepts no writes (a read-only replica or setting, a read-only file).
    ReadOnly,
    /// Another writer held the lock too long, or the database cancelled the statement
    /// (deadlock, serialization failure, statement timeout).
    Busy,
    /// The database reported an I/O error reading or writing its files.
    Storage,
}

impl Fault {
    /// The sentence a client sees.
    pub fn message(self) -> &'static str {
        match self {
            // A connection lost mid-commit may have committed: no "nothing was changed".
            Fault::Unreachable => "The database is not reachable right now.",
            Fault::DiskFull => {
                "The database's disk is full; nothing was changed. Reads still work."
            }
            Fault::ReadOnly => "The database is read-only right now; nothing was changed.",
            Fault::Busy => "The database is busy; nothing was changed.",
            Fault::Storage => "The database could not read or write its storage.",
        }
    }

    /// Seconds a client should wait before retrying.
    pub fn retry_after(self) -> u64 {
        match self {
            Fault::Busy => 1,
            Fault::Unreachable => 2,
            Fault::DiskFull | Fault::ReadOnly | Fault::Storage => 30,
        }
    }

    /// The fault behind `err`, if it is one (and not a bug or bad input).
    pub fn of(err: &DbErr) -> Option<Fault> {
        match err {
            DbErr::ConnectionAcquire(_) => Some(Fault::Unreachable),
            DbErr::Conn(e) | DbErr::Exec(e) | DbErr::Query(e) => match e {
                RuntimeErr::SqlxError(e) => of_sqlx(e),
                _ => matches!(err, DbErr::Conn(_)).then_some(Fault::Unreachable),
            },
            _ => None,
        }
    }
}

fn of_sqlx(err: &sqlx::Error) -> Option<Fault> {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Some(Fault::Unreachable),
        sqlx::Error::Database(db) => {
            let code = db.code()?;
            // SQLSTATEs can be all digits too ("25006"), so ask which engine spoke.
            if db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
            {
                postgres(&code)
            } else {
                sqlite(code.parse::<i32>().ok()? & 0xff)
            }
        }
        _ => None,
    }
}

/// SQLite primary result codes (<https://sqlite.org/rescode.html>).
fn sqlite(primary: i32) -> Option<Fault> {
    match primary {
        5 | 6 => Some(Fault::Busy),  // SQLITE_BUSY, SQLITE_LOCKED
        8 => Some(Fault::ReadOnly),  // SQLITE_READONLY
        10 => Some(Fault::Storage),  // SQLITE_IOERR
        13 => Some(Fault::DiskFull), // SQLITE_FULL
        14 => Some(Fault::Storage),  // SQLITE_CANTOPEN
        _ => None,
    }
}

/// PostgreSQL SQLSTATEs (<https://www.postgresql.org/docs/current/errcodes-appendix.html>).
fn postgres(state: &str) -> Option<Fault> {
    match state {
        "53100" => Some(Fault::DiskFull),
        "25006" => Some(Fault::ReadOnly),
        "40001" | "40P01" | "55P03" | "57014" => Some(Fault::Busy),
        "53300" | "57P01" | "57P02" | "57P03" => Some(Fault::Unreachable),
        s if s.starts_with("08") => Some(Fault::Unreachable),
        s if s.starts_with("58") => Some(Fault::Storage),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_codes_map_to_faults() {
        assert_eq!(postgres("25006"), Some(Fault::ReadOnly));
        assert_eq!(postgres("53100"), Some(Fault::DiskFull));
        assert_eq!(postgres("08006"), Some(Fault::Unreachable));
        assert_eq!(postgres("23505"), None, "a unique violation is not a fault");
        assert_eq!(sqlite(13), Some(Fault::DiskFull));
        assert_eq!(
            sqlite(517 & 0xff),
            Some(Fault::Busy),
            "SQLITE_BUSY_SNAPSHOT"
        );
        assert_eq!(sqlite(19), None, "a constraint is not a fault");
    }
}
