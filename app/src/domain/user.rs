//! SMS user levels.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Level {
    One,
    Two,
}

impl Level {
    pub fn from_db(n: i16) -> Option<Level> {
        match n {
            1 => Some(Level::One),
            2 => Some(Level::Two),
            _ => None,
        }
    }

    pub fn as_db(self) -> i16 {
        match self {
            Level::One => 1,
            Level::Two => 2,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::One => "Level 1 user",
            Level::Two => "Level 2 user",
        }
    }
}
