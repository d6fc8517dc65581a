//! `GET /changes`: the live-change stream a hydrated page listens to (server-sent events).
//!
//! Each stream is a subscriber to the process's one change feed (`changes.rs`), filtered to
//! what its user may see: their sponsor's changes, and for a Level 2 user only those of CoS
//! they own or owned until that change. It ends when its session does (signed out here or on
//! another server, the user deactivated or their password changed), with an `ended` event
//! that tells the browser not to reconnect; and when it falls more than a backlog behind, when
//! the browser's EventSource reconnects by itself.

use crate::changes::{Change, Event};
use crate::middleware;
use crate::sessions::notice_key;
use crate::startup::AppState;
use app::api::ssr::{SessionUser, USER_KEY};
use app::db::users;
use axum::extract::State;
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use tokio::sync::broadcast::{self, error::RecvError};
use tower_sessions::Session;

pub const PATH: &str = "/changes";

/// Who a stream is for.
#[derive(Clone)]
struct Viewer {
    sponsor: i64,
    user: i64,
    level: i16,
    epoch: i32,
    session_id: String,
    session_key: String,
}

impl Viewer {
    /// Whether this viewer may hear of `c`: not of their own changes, which their screens
    /// have read again already.
    fn sees(&self, c: &Change) -> bool {
        if c.sponsor != Some(self.sponsor) || c.by == Some(self.user) {
            return false;
        }
        match c.kind.as_str() {
            "cos" | "created" | "owner" | "note" | "activity" => {
                self.level == 1 || c.owners.as_ref().is_some_and(|o| o.contains(&self.user))
            }
            "batch" | "work_address" | "user" => self.level == 1,
            _ => false,
        }
    }

    /// Whether a change may have ended this viewer's session.
    fn may_end_session(&self, c: &Change) -> bool {
        match c.kind.as_str() {
            "session" => c.key.as_deref() == Some(&self.session_key),
            "user" => c.sponsor == Some(self.sponsor) && c.ids.as_ref().is_some_and(|i| i.contains(&self.user)),
            _ => false,
        }
    }

    async fn still_signed_in(&self, pool: &PgPool) -> bool {
        let session: Result<bool, _> =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tower_sessions.session WHERE id = $1 AND expiry_date > now())")
                .bind(&self.session_id)
                .fetch_one(pool)
                .await;
        // A database too busy to answer keeps the stream: pages check the session anyway.
        if !session.unwrap_or(true) {
            return false;
        }
        !matches!(users::signed_in_user(pool, self.sponsor, self.user, self.epoch).await, Ok(None))
    }
}

pub async fn stream(State(state): State<AppState>, session: Session) -> Response {
    let (Some(user), Some(id)) = (session.get::<SessionUser>(USER_KEY).await.ok().flatten(), session.id()) else {
        return ended();
    };
    // A temporary password is changed before anything else, this too.
    if user.must_change_password {
        return ended();
    }
    let me = match users::signed_in_user(&state.pool, user.sponsor_id, user.id, user.epoch).await {
        Ok(Some(me)) => me,
        Ok(None) => return ended(),
        Err(_) => return middleware::busy(),
    };
    let viewer = Viewer {
        sponsor: me.sponsor_id,
        user: me.id,
        level: me.level,
        epoch: user.epoch,
        session_id: id.to_string(),
        session_key: notice_key(&id),
    };
    let events = state.changes.subscribe();
    // After `ended` the stream stops (the state's `None`).
    let stream = futures::stream::unfold(Some((events, viewer, state.pool.clone())), |open| async move {
        let (mut events, viewer, pool) = open?;
        match next_for(&mut events, &viewer, &pool).await? {
            Next::Event(event) => Some((Ok::<_, std::convert::Infallible>(event), Some((events, viewer, pool)))),
            Next::Ended => Some((Ok(sse::Event::default().event("ended").data("{}")), None)),
        }
    });
    let mut res = Sse::new(stream).keep_alive(KeepAlive::default()).into_response();
    // Through a proxy too, at once rather than buffered.
    res.headers_mut().insert("x-accel-buffering", axum::http::HeaderValue::from_static("no"));
    res
}

/// The answer without a session: a stream of one `ended` event, which tells the browser to
/// stop asking. (A refusal's status would do the same, but a page hydrating just as its user
/// signs out would log it as an error.)
fn ended() -> Response {
    let once = futures::stream::once(async { Ok::<_, std::convert::Infallible>(sse::Event::default().event("ended").data("{}")) });
    Sse::new(once).into_response()
}

enum Next {
    Event(sse::Event),
    /// The session ended: told as `ended`, so the browser closes the stream instead of
    /// reconnecting (which would be refused).
    Ended,
}

/// What this viewer should hear next, or None when the stream should end (and the browser
/// reconnect).
async fn next_for(events: &mut broadcast::Receiver<Event>, viewer: &Viewer, pool: &PgPool) -> Option<Next> {
    loop {
        match events.recv().await {
            Ok(Event::Missed) => return Some(Next::Event(sse::Event::default().event("missed").data("{}"))),
            Ok(Event::Changed(c)) => {
                if viewer.may_end_session(&c) && !viewer.still_signed_in(pool).await {
                    return Some(Next::Ended);
                }
                if viewer.sees(&c) {
                    return Some(Next::Event(sse::Event::default().json_data(&*c).ok()?));
                }
            }
            // Too far behind, or the server is stopping: the browser reconnects and re-reads.
            Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(level: i16) -> Viewer {
        Viewer { sponsor: 1, user: 10, level, epoch: 0, session_id: "s".into(), session_key: "k".into() }
    }

    fn change(kind: &str, sponsor: i64, owners: &[i64]) -> Change {
        Change {
            kind: kind.into(),
            sponsor: Some(sponsor),
            owners: Some(owners.to_vec()),
            cos: Some(vec!["C0000000001".into()]),
            count: Some(1),
            ids: None,
            by: None,
            key: None,
        }
    }

    #[test]
    fn another_sponsors_changes_are_never_seen() {
        for level in [1, 2] {
            for kind in ["cos", "created", "owner", "note", "activity", "batch", "work_address", "user"] {
                assert!(!viewer(level).sees(&change(kind, 2, &[10])), "{kind} at level {level}");
            }
        }
    }

    #[test]
    fn a_level_2_user_sees_only_their_own_cos() {
        let v = viewer(2);
        assert!(v.sees(&change("owner", 1, &[10, 11])));
        assert!(v.sees(&change("cos", 1, &[10])));
        assert!(!v.sees(&change("cos", 1, &[11])));
        assert!(!v.sees(&change("owner", 1, &[11, 12])));
        assert!(!v.sees(&change("batch", 1, &[])));
        assert!(!v.sees(&change("user", 1, &[])));
        assert!(viewer(1).sees(&change("cos", 1, &[11])));
    }

    #[test]
    fn nobody_is_told_of_their_own_change() {
        let mut c = change("owner", 1, &[10, 11]);
        c.by = Some(10);
        assert!(!viewer(1).sees(&c) && !viewer(2).sees(&c));
        c.by = Some(12);
        assert!(viewer(1).sees(&c) && viewer(2).sees(&c));
    }

    #[test]
    fn session_notices_are_never_sent_on() {
        let mut c = change("session", 1, &[]);
        c.key = Some("k".into());
        assert!(!viewer(1).sees(&c));
        assert!(viewer(1).may_end_session(&c));
        assert!(!serde_json::to_string(&c).unwrap().contains("\"key\""));
    }
}
