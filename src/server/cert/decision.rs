//! The certification decision, as a pure function of the facts about one person and one program:
//! no database, so every rule is tested directly (see the tests below).

use crate::model::cert::{CertStatus, Phase, ReqKind};

pub const DAY: i64 = 86_400;

#[derive(Debug, Clone)]
pub struct Program {
    pub id: i64,
    pub name: crate::model::Names,
    pub requires: Option<i64>,
    pub validity_days: i64,
    pub window_days: i64,
    pub veteran_cycle_days: Option<i64>,
    pub manager_cycle_days: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Requirement {
    pub phase: Phase,
    pub kind: ReqKind,
    pub target: i64,
    pub min_percent: Option<i64>,
    pub program_id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    Suspended,
    Revoked,
}

/// Everything the decision depends on, gathered from the database.
#[derive(Debug, Clone)]
pub struct Facts {
    pub at: i64,
    pub hold: Option<Hold>,
    /// The latest certificate not revoked: (issued_at, expires_at).
    pub latest: Option<(i64, i64)>,
    pub window_days: i64,
    pub initial_met: bool,
    pub recert_met: bool,
    pub prerequisite_cleared: bool,
    pub started: bool,
    /// How long a certificate issued now lasts (by audience: new hire, veteran, manager).
    pub cycle_days: i64,
    /// Sent back by a failed follow-up and not yet passed again.
    pub reassess: bool,
}

/// The status, and the expiry of a certificate to issue now, if any.
pub fn decide(f: &Facts) -> (CertStatus, Option<i64>) {
    match f.hold {
        Some(Hold::Revoked) => return (CertStatus::Revoked, None),
        Some(Hold::Suspended) => return (CertStatus::Suspended, None),
        None => {}
    }
    let cycle = f.cycle_days * DAY;
    match f.latest {
        Some((_, expires)) if f.at < expires => {
            if f.reassess {
                (CertStatus::Reassess, None)
            } else if f.at < expires - f.window_days * DAY {
                (CertStatus::Certified, None)
            } else if f.recert_met && f.prerequisite_cleared {
                // Renewing early keeps the remaining days: the new period starts at the old expiry.
                (CertStatus::Certified, Some(expires + cycle))
            } else {
                (CertStatus::Expiring, None)
            }
        }
        latest => {
            if f.initial_met && f.prerequisite_cleared {
                (CertStatus::Certified, Some(f.at + cycle))
            } else if latest.is_some() {
                (CertStatus::Expired, None)
            } else if f.started {
                (CertStatus::InTraining, None)
            } else {
                (CertStatus::NotStarted, None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            at: 1_000 * DAY,
            hold: None,
            latest: None,
            window_days: 60,
            initial_met: false,
            recert_met: false,
            prerequisite_cleared: true,
            started: false,
            cycle_days: 365,
            reassess: false,
        }
    }

    #[test]
    fn first_certification() {
        let f = facts();
        assert_eq!(decide(&f), (CertStatus::NotStarted, None));
        assert_eq!(decide(&Facts { started: true, ..f.clone() }), (CertStatus::InTraining, None));
        assert_eq!(decide(&Facts { initial_met: true, ..f.clone() }), (CertStatus::Certified, Some(1_365 * DAY)));
        assert_eq!(
            decide(&Facts { initial_met: true, prerequisite_cleared: false, started: true, ..f }),
            (CertStatus::InTraining, None),
            "a higher level waits for the lower one"
        );
    }

    #[test]
    fn the_window_before_expiry_and_renewal() {
        let issued = (700 * DAY, 1_040 * DAY); // expires in 40 days; the 60-day window is open
        let f = Facts { latest: Some(issued), initial_met: true, ..facts() };
        assert_eq!(decide(&Facts { at: 979 * DAY, ..f.clone() }), (CertStatus::Certified, None), "before the window");
        assert_eq!(decide(&f), (CertStatus::Expiring, None), "old evidence does not renew");
        // Renewed inside the window with a 90-day veteran cycle: counted from the old expiry.
        assert_eq!(
            decide(&Facts { recert_met: true, cycle_days: 90, ..f.clone() }),
            (CertStatus::Certified, Some(1_130 * DAY))
        );
        let after = Facts { at: 1_040 * DAY, initial_met: false, ..f.clone() };
        assert_eq!(decide(&after), (CertStatus::Expired, None), "expiry day itself is expired");
        assert_eq!(
            decide(&Facts { initial_met: true, cycle_days: 90, ..after }),
            (CertStatus::Certified, Some(1_130 * DAY)),
            "fresh evidence after expiry certifies again"
        );
    }

    #[test]
    fn a_failed_follow_up_sends_back_until_passed_again() {
        let f = Facts { latest: Some((900 * DAY, 1_265 * DAY)), initial_met: true, reassess: true, ..facts() };
        assert_eq!(decide(&f), (CertStatus::Reassess, None), "not cleared while the certificate runs");
        assert!(!CertStatus::Reassess.cleared());
        assert_eq!(decide(&Facts { reassess: false, ..f.clone() }), (CertStatus::Certified, None));
        assert_eq!(
            decide(&Facts { at: 1_265 * DAY, initial_met: false, ..f.clone() }),
            (CertStatus::Expired, None),
            "an expired certificate is expired, re-assessment or not"
        );
        assert_eq!(decide(&Facts { hold: Some(Hold::Suspended), ..f }), (CertStatus::Suspended, None));
    }

    #[test]
    fn holds_override_everything() {
        let f = Facts { latest: Some((0, 2_000 * DAY)), initial_met: true, ..facts() };
        assert_eq!(decide(&Facts { hold: Some(Hold::Suspended), ..f.clone() }), (CertStatus::Suspended, None));
        assert_eq!(decide(&Facts { hold: Some(Hold::Revoked), ..f }), (CertStatus::Revoked, None));
    }
}
