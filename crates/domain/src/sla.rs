//! SLA arithmetic: where a task stands against its due date, and the clock that says "now".

use chrono::{DateTime, Duration, Utc};

/// How far ahead a due date counts as "at risk".
pub const AT_RISK_WINDOW_HOURS: i64 = 24;

/// The source of "now", injected so tests (and replays) can move time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// Where an active task stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SlaStatus {
    /// No due date, or due later than the at-risk window.
    Healthy,
    /// Due within the window; hours remaining (one decimal).
    AtRisk { hours_remaining: f64 },
    /// Past due; hours overdue (one decimal).
    Breached { hours_overdue: f64 },
}

fn hours(d: Duration) -> f64 {
    (d.num_milliseconds() as f64 / 3_600_000.0 * 10.0).round() / 10.0
}

/// Classifies a due date at `now`. Exactly at the due instant a task is at risk with zero
/// hours left; one instant later it is breached.
pub fn status(due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> SlaStatus {
    match due {
        None => SlaStatus::Healthy,
        Some(due) if due < now => SlaStatus::Breached {
            hours_overdue: hours(now - due),
        },
        Some(due) if due - now <= Duration::hours(AT_RISK_WINDOW_HOURS) => SlaStatus::AtRisk {
            hours_remaining: hours(due - now),
        },
        Some(_) => SlaStatus::Healthy,
    }
}

/// Breached share of active tasks in percent, one decimal (0 when nothing is active).
pub fn breach_rate(breached: u64, active: u64) -> f64 {
    if active == 0 {
        0.0
    } else {
        (breached as f64 / active as f64 * 1000.0).round() / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        let now = Utc::now();
        assert_eq!(status(None, now), SlaStatus::Healthy);
        assert_eq!(
            status(Some(now + Duration::hours(25)), now),
            SlaStatus::Healthy
        );
        assert_eq!(
            status(Some(now + Duration::hours(23)), now),
            SlaStatus::AtRisk {
                hours_remaining: 23.0
            }
        );
        assert_eq!(
            status(Some(now + Duration::hours(24)), now),
            SlaStatus::AtRisk {
                hours_remaining: 24.0
            }
        );
        assert_eq!(
            status(Some(now - Duration::seconds(1)), now),
            SlaStatus::Breached { hours_overdue: 0.0 }
        );
        assert_eq!(
            status(Some(now - Duration::minutes(90)), now),
            SlaStatus::Breached { hours_overdue: 1.5 }
        );
    }

    #[test]
    fn rates() {
        assert_eq!(breach_rate(0, 0), 0.0);
        assert_eq!(breach_rate(1, 3), 33.3);
        assert_eq!(breach_rate(2, 3), 66.7);
    }
}
