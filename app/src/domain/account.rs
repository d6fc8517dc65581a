//! The rules of managing users and passwords (domain.md "Users"): what a new user's details
//! must be, what a new password must be, and the deactivation rules. Pure: the server checks
//! the common-password list and the database on top of these.

/// A password's length limits: long enough to resist guessing, short enough that hashing
/// it cannot be made expensive.
pub const MIN_PASSWORD: usize = 12;
pub const MAX_PASSWORD: usize = 128;
pub const MAX_NAME: usize = 100;
pub const MAX_EMAIL: usize = 254;

/// The details of a new user, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewUser {
    pub full_name: String,
    pub email: String,
    pub user_id: String,
}

/// A new user's details as stored, or what is wrong, by field.
pub fn check_new_user(u: &NewUser) -> Result<NewUser, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let name = u.full_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(("full_name", "Enter the user's full name".to_string()));
    } else if name.chars().count() > MAX_NAME {
        errors.push(("full_name", format!("The full name must be {MAX_NAME} characters or fewer")));
    } else if name.chars().any(char::is_control) {
        errors.push(("full_name", crate::domain::search::CONTROL_MESSAGE.to_string()));
    }
    let email = u.email.trim().to_string();
    if email.is_empty() {
        errors.push(("email", "Enter the user's email address".to_string()));
    } else if !looks_like_email(&email) {
        errors.push(("email", "Enter an email address in the right form, like name@example.com".to_string()));
    }
    let user_id = u.user_id.trim().to_lowercase();
    if let Err(m) = check_user_id(&user_id) {
        errors.push(("user_id", m));
    }
    if errors.is_empty() {
        Ok(NewUser { full_name: name, email, user_id })
    } else {
        Err(errors.into_iter().map(|(f, m)| (f.to_string(), m)).collect())
    }
}

/// A user ID: 3 to 64 characters of lower-case letters, digits, dot and hyphen (typed in
/// any case; stored in lower case).
pub fn check_user_id(user_id: &str) -> Result<(), String> {
    if user_id.is_empty() {
        return Err("Enter a user ID".into());
    }
    let n = user_id.chars().count();
    if !(3..=64).contains(&n) {
        return Err("The user ID must be 3 to 64 characters".into());
    }
    if !user_id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-') {
        return Err("The user ID can only have letters, digits, dots (.) and hyphens (-)".into());
    }
    Ok(())
}

/// One @, something before it, a dot in the domain after it, no spaces: the form of an email
/// address, which is all a form can know (whether it reaches anyone is another matter).
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    email.chars().count() <= MAX_EMAIL
        && !local.is_empty()
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|p| !p.is_empty())
}

/// What is wrong with a new password, by field (`new_password`, `confirm_password`), apart
/// from whether it is a common one (the server knows the list).
pub fn check_new_password(user_id: &str, new: &str, confirm: &str) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    let n = new.chars().count();
    if new.is_empty() {
        errors.push(("new_password", "Enter a new password".to_string()));
    } else if n < MIN_PASSWORD {
        errors.push(("new_password", format!("Your new password must be at least {MIN_PASSWORD} characters")));
    } else if n > MAX_PASSWORD {
        errors.push(("new_password", format!("Your new password must be {MAX_PASSWORD} characters or fewer")));
    } else if !user_id.is_empty() && new.to_lowercase().contains(&user_id.to_lowercase()) {
        errors.push(("new_password", "Your new password must not contain your user ID".to_string()));
    }
    if confirm.is_empty() {
        errors.push(("confirm_password", "Confirm your new password".to_string()));
    } else if confirm != new {
        errors.push(("confirm_password", "The passwords do not match: type the new password again".to_string()));
    }
    errors.into_iter().map(|(f, m)| (f.to_string(), m)).collect()
}

/// Why a user cannot be deactivated, if they cannot: never yourself, never the last active
/// Level 1 user. `active_level1` counts the sponsor's active Level 1 users, this one included.
pub fn deactivation_refusal(is_self: bool, is_level1: bool, active_level1: usize) -> Option<&'static str> {
    if is_self {
        Some("You cannot deactivate yourself. Ask another Level 1 user to do it.")
    } else if is_level1 && active_level1 <= 1 {
        Some("This is the last active Level 1 user: a sponsor must always have one. Ask the Home Office for another Level 1 user first.")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, email: &str, id: &str) -> NewUser {
        NewUser { full_name: name.into(), email: email.into(), user_id: id.into() }
    }

    #[test]
    fn a_new_user_is_tidied_and_checked_by_field() {
        let ok = check_new_user(&user("  Jane   Smith ", " jane@acme.example ", "Jane.Smith-2")).unwrap();
        assert_eq!(ok, user("Jane Smith", "jane@acme.example", "jane.smith-2"));
        let fields = |u: NewUser| check_new_user(&u).unwrap_err().into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(fields(user("", "", "")), ["full_name", "email", "user_id"]);
        assert_eq!(fields(user("Jo", "jo@", "jo")), ["email", "user_id"]);
        assert_eq!(fields(user("Jo", "jo@acme", "jo_smith")), ["email", "user_id"]);
        assert_eq!(fields(user("Jo", "jo smith@acme.example", &"j".repeat(65))), ["email", "user_id"]);
        assert_eq!(fields(user(&"J".repeat(101), "jo@acme.example", "jos")), ["full_name"]);
        assert!(check_new_user(&user("Jo", "jo@acme.example", "jos")).is_ok());
    }

    #[test]
    fn password_rules_each_with_its_own_message() {
        let msgs = |n: &str, c: &str| check_new_password("jane.smith", n, c).into_iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>();
        assert_eq!(msgs("", ""), ["new_password: Enter a new password", "confirm_password: Confirm your new password"]);
        assert_eq!(msgs("short-one", "short-one"), ["new_password: Your new password must be at least 12 characters"]);
        assert_eq!(msgs("my-JANE.SMITH-pass", "my-JANE.SMITH-pass"), ["new_password: Your new password must not contain your user ID"]);
        assert_eq!(msgs("river-copper-lantern", "river-copper-lanterns"), ["confirm_password: The passwords do not match: type the new password again"]);
        assert_eq!(msgs(&"x".repeat(129), &"x".repeat(129)), ["new_password: Your new password must be 128 characters or fewer"]);
        assert!(msgs("river-copper-lantern", "river-copper-lantern").is_empty());
    }

    #[test]
    fn never_yourself_never_the_last_level1() {
        assert!(deactivation_refusal(true, false, 3).unwrap().contains("yourself"));
        assert!(deactivation_refusal(false, true, 1).unwrap().contains("last active Level 1"));
        assert_eq!(deactivation_refusal(false, true, 2), None);
        assert_eq!(deactivation_refusal(false, false, 1), None);
    }
}
