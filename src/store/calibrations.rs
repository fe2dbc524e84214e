//! Calibration verdicts, keyed by the model file, the kind and the language.

use chrono::{DateTime, Utc};

use super::db::params;
use super::{OrStore, Store, StoreError};

/// A calibration verdict: what `hyperlearn calibrate` measured for a model file, a kind
/// and a language.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Calibration {
    pub model_sha256: String,
    pub kind: String,
    pub lang: String,
    /// The sha256 of the calibration set it was measured on.
    pub set_sha256: String,
    /// The model file's path when it was measured (for people; the sha256 is the key).
    pub model_file: String,
    pub items: i64,
    pub right_accepted: i64,
    pub wrong_tried: i64,
    pub wrong_accepted: i64,
    pub passed: bool,
    pub why: String,
    pub measured_at: DateTime<Utc>,
}

impl Store {
    /// Records a calibration verdict, replacing the one for the same model, kind and
    /// language.
    pub fn save_calibration(&self, c: &Calibration) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO calibrations (model_sha256, kind, lang, set_sha256,
                    model_file, items, right_accepted, wrong_tried, wrong_accepted, passed, why,
                    measured_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (model_sha256, kind, lang) DO UPDATE SET
                    set_sha256 = excluded.set_sha256, model_file = excluded.model_file,
                    items = excluded.items, right_accepted = excluded.right_accepted,
                    wrong_tried = excluded.wrong_tried, wrong_accepted = excluded.wrong_accepted,
                    passed = excluded.passed, why = excluded.why,
                    measured_at = excluded.measured_at",
                params![
                    c.model_sha256,
                    c.kind,
                    c.lang,
                    c.set_sha256,
                    c.model_file,
                    c.items,
                    c.right_accepted,
                    c.wrong_tried,
                    c.wrong_accepted,
                    c.passed,
                    c.why,
                    c.measured_at.to_rfc3339(),
                ],
            )
            .or_store(self)?;
        Ok(())
    }

    /// Every calibration verdict, newest first.
    pub fn calibrations(&self) -> Result<Vec<Calibration>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT model_sha256, kind, lang, set_sha256, model_file, items, right_accepted,
                        wrong_tried, wrong_accepted, passed, why, measured_at
                 FROM calibrations ORDER BY measured_at DESC, kind, lang",
            )
            .or_store(self)?;
        let rows = stmt
            .query_map([], |r| {
                let at: String = r.get(11)?;
                Ok(Calibration {
                    model_sha256: r.get(0)?,
                    kind: r.get(1)?,
                    lang: r.get(2)?,
                    set_sha256: r.get(3)?,
                    model_file: r.get(4)?,
                    items: r.get(5)?,
                    right_accepted: r.get(6)?,
                    wrong_tried: r.get(7)?,
                    wrong_accepted: r.get(8)?,
                    passed: r.get(9)?,
                    why: r.get(10)?,
                    measured_at: DateTime::parse_from_rfc3339(&at)
                        .map(|t| t.with_timezone(&Utc))
                        .unwrap_or_default(),
                })
            })
            .or_store(self)?;
        rows.collect::<Result<_, _>>().or_store(self)
    }

    /// Whether any verdict turned a kind on: without one, nobody needs the model's sha256.
    pub fn any_calibration_passed(&self) -> Result<bool, StoreError> {
        self.conn()
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM calibrations WHERE passed = 1)",
                [],
                |r| r.get(0),
            )
            .or_store(self)
    }
}
