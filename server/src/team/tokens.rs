//! Cookies, tokens and the shapes a reference or token must have before it is used.

use app::team as pages;
use axum::{
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use sha2::{Digest as _, Sha256};

/// The session cookie.
pub(super) const SESSION_COOKIE: &str = "__Host-lost-device-team";

/// The cookie that ties a sign-in to the browser that began it.
pub(super) const SIGN_IN_COOKIE: &str = "__Host-lost-device-sign-in";

/// The path and query a person asked for, to come back to after signing in.
pub(super) fn return_path(uri: &axum::http::Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| pages::TEAM_PATH.to_owned(), ToString::to_string)
}

pub(super) fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The value of cookie `name` in the request.
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|cookie| cookie.value().to_owned())
}

/// Sets cookie `name` for the whole site, over HTTPS only, out of scripts' reach, sent on
/// top-level navigations from other sites but not their forms' cross-site subrequests.
pub(super) fn set_cookie(response: &mut Response, name: &str, value: &str, max_age_s: i64) {
    let cookie = Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(max_age_s))
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

pub(super) fn clear_cookie(response: &mut Response, name: &str) {
    set_cookie(response, name, "", 0);
}

/// Whether `text` has the shape of one plain email address (`name@example.org`): one `@` with
/// something either side, at most 254 characters, nothing that could add a second address or a
/// header (spaces, commas, angle brackets, quotes, control characters).
pub(super) fn is_email(text: &str) -> bool {
    let plain = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_alphanumeric() || "._%+-'".contains(c))
    };
    text.len() <= 254
        && text
            .split_once('@')
            .is_some_and(|(local, domain)| plain(local) && plain(domain) && domain.contains('.'))
}

/// 32 random bytes, URL-safe base64; an error when the system gives no randomness.
pub(super) fn random_token() -> Result<String, getrandom::Error> {
    token_from(getrandom::fill)
}

/// A token of 32 bytes that `fill` gives, URL-safe base64; never one `fill` did not fill.
fn token_from(
    fill: impl FnOnce(&mut [u8]) -> Result<(), getrandom::Error>,
) -> Result<String, getrandom::Error> {
    use base64::Engine as _;
    let mut bytes = [0_u8; 32];
    fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `text` can be a token this service or its provider made (URL-safe base64, as a sign-in
/// state is), so nothing else reaches the database.
pub(super) fn is_token(text: &str) -> bool {
    (16..=256).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `text` has the shape of a report's reference.
pub(super) fn is_reference(text: &str) -> bool {
    incident_report::progress::is_reference(text)
}

pub(super) fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_or_state_is_only_url_safe_base64() {
        assert!(is_token("c3RhdGUtb2YtdGhpcy1icm93c2Vy_-"));
        for text in [
            "",
            "short",
            "a\u{0}bcdefghijklmnopq",
            "abcdefghijklmnop\r\nX: 1",
            &"a".repeat(300),
        ] {
            assert!(!is_token(text), "{text:?}");
        }
    }

    #[test]
    fn without_randomness_there_is_no_token() {
        assert!(token_from(|_| Err(getrandom::Error::UNSUPPORTED)).is_err());
        let token = token_from(|bytes| {
            bytes.fill(7);
            Ok(())
        })
        .expect("a token");
        assert_eq!(token.len(), 43);
        assert!(is_token(&token));
    }

    #[test]
    fn only_one_plain_email_address_is_an_email() {
        assert!(is_email("alex.smith@justice.gov.uk"));
        for text in [
            "",
            "alex",
            "alex@",
            "@example.org",
            "alex@localhost",
            "alex@example.org, sam@example.org",
            "Alex <alex@example.org>",
            "alex@example.org\r\nBcc: x@y.org",
            "a@b@example.org",
        ] {
            assert!(!is_email(text), "{text:?}");
        }
    }

    #[test]
    fn a_cookie_is_read_by_its_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("x__Host-lost-device-team=no; __Host-lost-device-team=yes"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("yes"));
        assert_eq!(cookie(&headers, SIGN_IN_COOKIE), None);
    }

    #[test]
    fn a_cookie_set_is_for_https_only_out_of_scripts_reach_and_ends_when_asked() {
        let mut response = Response::new(axum::body::Body::empty());
        set_cookie(&mut response, SESSION_COOKIE, "token", 60);
        clear_cookie(&mut response, SIGN_IN_COOKIE);
        let set: Vec<&str> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        assert_eq!(set.len(), 2);
        for (cookie, start, age) in [
            (set[0], "__Host-lost-device-team=token;", "Max-Age=60"),
            (set[1], "__Host-lost-device-sign-in=;", "Max-Age=0"),
        ] {
            assert!(cookie.starts_with(start), "{cookie}");
            for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/", age] {
                assert!(cookie.contains(attribute), "{attribute} in {cookie}");
            }
        }
    }
}
