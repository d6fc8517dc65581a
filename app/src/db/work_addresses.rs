//! Pre-stored work addresses of a sponsor, and copying one onto a CoS.

use crate::domain::work_address::{Postcode, WorkAddress};
use sqlx::{FromRow, PgConnection, PgPool};

#[derive(FromRow, Debug, Clone)]
pub struct Saved {
    pub id: i64,
    pub version: i32,
    pub identifier: String,
    pub line1: String,
    pub line2: Option<String>,
    pub line3: Option<String>,
    pub town: String,
    pub county: Option<String>,
    pub postcode: String,
}

impl Saved {
    pub fn address(&self) -> WorkAddress {
        WorkAddress {
            identifier: self.identifier.clone(),
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            line3: self.line3.clone(),
            town: self.town.clone(),
            county: self.county.clone(),
            postcode: Postcode::from_db(self.postcode.clone()),
        }
    }
}

const COLUMNS: &str = "id, version, identifier, line1, line2, line3, town, county, postcode";

/// The sponsor's addresses by identifier, as lists and the "Pre-stored address" drop-down show them.
pub async fn list(pool: &PgPool, sponsor_id: i64) -> sqlx::Result<Vec<Saved>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM work_addresses WHERE sponsor_id = $1 ORDER BY lower(identifier), id"))
        .bind(sponsor_id)
        .fetch_all(pool)
        .await
}

pub async fn by_id(pool: &PgPool, sponsor_id: i64, id: i64) -> sqlx::Result<Option<Saved>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM work_addresses WHERE sponsor_id = $1 AND id = $2"))
        .bind(sponsor_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The sponsor's address with this identifier, ignoring case.
pub async fn by_identifier(pool: &PgPool, sponsor_id: i64, identifier: &str) -> sqlx::Result<Option<Saved>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM work_addresses WHERE sponsor_id = $1 AND lower(identifier) = lower($2)"))
        .bind(sponsor_id)
        .bind(identifier)
        .fetch_optional(pool)
        .await
}

/// The address, locked until the transaction ends, so an edit or delete sees it as it is.
pub async fn lock(tx: &mut PgConnection, sponsor_id: i64, id: i64) -> sqlx::Result<Option<Saved>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM work_addresses WHERE sponsor_id = $1 AND id = $2 FOR UPDATE"))
        .bind(sponsor_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
}

/// Another address of the sponsor already uses this identifier (ignoring case).
#[derive(Debug, PartialEq, Eq)]
pub struct Duplicate;

fn duplicate(e: &sqlx::Error) -> bool {
    e.as_database_error().and_then(|d| d.constraint()) == Some("work_addresses_identifier")
}

pub async fn insert(tx: &mut PgConnection, sponsor_id: i64, a: &WorkAddress) -> sqlx::Result<Result<i64, Duplicate>> {
    let r = sqlx::query_scalar(
        "INSERT INTO work_addresses (sponsor_id, identifier, line1, line2, line3, town, county, postcode)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(sponsor_id)
    .bind(&a.identifier)
    .bind(&a.line1)
    .bind(&a.line2)
    .bind(&a.line3)
    .bind(&a.town)
    .bind(&a.county)
    .bind(a.postcode.as_str())
    .fetch_one(&mut *tx)
    .await;
    match r {
        Ok(id) => Ok(Ok(id)),
        Err(e) if duplicate(&e) => Ok(Err(Duplicate)),
        Err(e) => Err(e),
    }
}

/// Saves `a` over the address if it is still at `version`; false when it is not (changed or
/// deleted by someone else).
pub async fn update(tx: &mut PgConnection, sponsor_id: i64, id: i64, version: i32, a: &WorkAddress) -> sqlx::Result<Result<bool, Duplicate>> {
    let r = sqlx::query(
        "UPDATE work_addresses
         SET identifier = $4, line1 = $5, line2 = $6, line3 = $7, town = $8, county = $9, postcode = $10,
             version = version + 1, updated_at = now()
         WHERE sponsor_id = $1 AND id = $2 AND version = $3",
    )
    .bind(sponsor_id)
    .bind(id)
    .bind(version)
    .bind(&a.identifier)
    .bind(&a.line1)
    .bind(&a.line2)
    .bind(&a.line3)
    .bind(&a.town)
    .bind(&a.county)
    .bind(a.postcode.as_str())
    .execute(&mut *tx)
    .await;
    match r {
        Ok(done) => Ok(Ok(done.rows_affected() == 1)),
        Err(e) if duplicate(&e) => Ok(Err(Duplicate)),
        Err(e) => Err(e),
    }
}

/// Deletes the address if it is still at `version`.
pub async fn delete(tx: &mut PgConnection, sponsor_id: i64, id: i64, version: i32) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM work_addresses WHERE sponsor_id = $1 AND id = $2 AND version = $3")
        .bind(sponsor_id)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a draft CoS (WORK IN PROGRESS or READY TO GO) a copy of a pre-stored address as its
/// main work address: the CoS keeps the copy whatever later happens to the address. False when
/// the address or the draft is not the sponsor's.
pub async fn copy_to_cos(tx: &mut PgConnection, sponsor_id: i64, address_id: i64, cos_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE cos c
         SET work_address_line1 = w.line1, work_address_line2 = w.line2, work_address_line3 = w.line3,
             work_address_town = w.town, work_address_county = w.county, work_address_postcode = w.postcode,
             version = c.version + 1
         FROM work_addresses w
         WHERE c.sponsor_id = $1 AND c.id = $3 AND c.status IN ('WORK IN PROGRESS', 'READY TO GO')
           AND w.sponsor_id = $1 AND w.id = $2",
    )
    .bind(sponsor_id)
    .bind(address_id)
    .bind(cos_id)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
