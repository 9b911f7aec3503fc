//! The rules a new name, address or password must meet, each refusal naming the rule.

use super::OrgError;

/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;
const SLUG_LEN: std::ops::RangeInclusive<usize> = 2..=40;

/// A new tenant's slug: lowercase letters, digits and hyphens, 2–40 long, not starting or
/// ending with a hyphen (it becomes part of every URL of the tenant).
pub fn check_new_slug(slug: &str) -> Result<opsux_core::TenantSlug, OrgError> {
    let chars_ok = slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let ok = chars_ok
        && SLUG_LEN.contains(&slug.len())
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    let parsed = opsux_core::TenantSlug::parse(slug).ok().filter(|_| ok);
    parsed.ok_or_else(|| {
        OrgError::invalid(
            "slug",
            format!(
                "{:?} is not a valid slug: use 2–40 lowercase letters, digits and hyphens, \
                 not starting or ending with a hyphen (e.g. \"contoso-emea\")",
                shorten(slug)
            ),
        )
    })
}

/// An e-mail address: one `@`, something before it, a dotted domain after it, no spaces;
/// at most 254 characters. Returned trimmed.
pub fn check_email(email: &str) -> Result<String, OrgError> {
    let email = email.trim();
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(email.to_owned())
    } else {
        Err(OrgError::invalid(
            "email",
            format!(
                "{:?} is not an e-mail address (name@example.com)",
                shorten(email)
            ),
        ))
    }
}

/// A password: at least [`MIN_PASSWORD_LEN`] characters, and not the e-mail address.
pub fn check_password(password: &str, email: &str) -> Result<(), OrgError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(OrgError::invalid(
            "password",
            format!("too short: use at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(OrgError::invalid(
            "password",
            "must not be the e-mail address",
        ));
    }
    Ok(())
}

/// A display name or tenant name: 1–200 characters once trimmed, no control characters.
pub(super) fn check_name(field: &'static str, name: &str) -> Result<String, OrgError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(OrgError::invalid(
            field,
            "give 1–200 characters, without control characters",
        ));
    }
    Ok(name.to_owned())
}

/// Long hostile input is cut before it is echoed in a message.
fn shorten(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_rule() {
        for good in ["ab", "contoso", "contoso-emea", "t1", &"a".repeat(40)] {
            assert!(check_new_slug(good).is_ok(), "{good}");
        }
        for bad in [
            "a",
            "-ab",
            "ab-",
            "Contoso",
            "con_toso",
            "con toso",
            "",
            &"a".repeat(41),
        ] {
            let err = check_new_slug(bad).unwrap_err().to_string();
            assert!(err.contains("2–40 lowercase letters"), "{bad}: {err}");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(check_email("  a@b.co ").unwrap(), "a@b.co");
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a b@c.de", "a@b@c.de", "a@.b", "a@b.",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_are_long_and_not_the_address() {
        assert!(check_password("correct horse battery", "a@b.co").is_ok());
        let short = check_password("short", "a@b.co").unwrap_err().to_string();
        assert!(short.contains("at least 12"), "{short}");
        let same = check_password("Alice@Example.com", "alice@example.com")
            .unwrap_err()
            .to_string();
        assert!(same.contains("e-mail"), "{same}");
    }
}
