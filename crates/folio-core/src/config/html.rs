//! `[html]` values checked once: the site's address, and the theme
//! variables written into the stylesheet.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// `[html] site-url`: an absolute `http` or `https` address, normalised
/// (`https://Example.org` → `https://example.org/`), without a query or a
/// fragment, since editions append paths to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteUrl(String);

impl SiteUrl {
    pub fn parse(text: &str) -> Result<SiteUrl, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| format!("not an address: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "a `{}:` address: the site's address starts with https:// or http://",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("the address names no host".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(
                "the site's address cannot hold `?` or `#`: editions append paths to it".into(),
            );
        }
        Ok(SiteUrl(url.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address of `path` (relative to the site's root) on the site: the
    /// one rule every edition's absolute links to the site follow.
    pub fn join(&self, path: &str) -> String {
        format!("{}/{path}", self.0.trim_end_matches('/'))
    }
}

impl Deref for SiteUrl {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SiteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for SiteUrl {
    type Error = String;

    fn try_from(text: String) -> Result<SiteUrl, String> {
        SiteUrl::parse(&text)
    }
}

impl From<SiteUrl> for String {
    fn from(url: SiteUrl) -> String {
        url.0
    }
}

/// The name of a theme variable in `[html.vars]`, without its leading `--`
/// (written with or without it): letters, digits, `-` and `_`, as a CSS
/// custom property's name may hold without escapes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CssVarName(String);

impl CssVarName {
    pub fn parse(written: &str) -> Result<CssVarName, String> {
        let name = written.strip_prefix("--").unwrap_or(written);
        if name.is_empty() {
            return Err("the name is empty".into());
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
        {
            return Err(format!("a variable's name cannot hold {c:?}"));
        }
        Ok(CssVarName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address of `path` (relative to the site's root) on the site: the
    /// one rule every edition's absolute links to the site follow.
    pub fn join(&self, path: &str) -> String {
        format!("{}/{path}", self.0.trim_end_matches('/'))
    }
}

/// The value of a theme variable: one CSS value, which cannot end the
/// declaration, the rule or a `<style>` element it is written in, nor open a
/// comment or a string that would swallow what follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CssValue(String);

impl CssValue {
    pub fn parse(written: &str) -> Result<CssValue, String> {
        let value = written.trim();
        if value.is_empty() {
            return Err("the value is empty".into());
        }
        if let Some(c) = value
            .chars()
            .find(|&c| matches!(c, ';' | '{' | '}' | '<' | '>' | '\\') || c.is_control())
        {
            return Err(format!("a value cannot hold {c:?}"));
        }
        if value.contains("/*") {
            return Err("a value cannot open a comment `/*`".into());
        }
        if value.matches('"').count() % 2 == 1 || value.matches('\'').count() % 2 == 1 {
            return Err("a quote is left open".into());
        }
        Ok(CssValue(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address of `path` (relative to the site's root) on the site: the
    /// one rule every edition's absolute links to the site follow.
    pub fn join(&self, path: &str) -> String {
        format!("{}/{path}", self.0.trim_end_matches('/'))
    }
}

macro_rules! string_conversions {
    ($($name:ident),*) => {$(
        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(text: String) -> Result<$name, String> {
                $name::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    )*};
}

string_conversions!(CssVarName, CssValue);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_urls_are_absolute_web_addresses() {
        assert_eq!(
            SiteUrl::parse("https://example.org/communs/")
                .unwrap()
                .as_str(),
            "https://example.org/communs/"
        );
        assert_eq!(
            SiteUrl::parse(" http://Example.org").unwrap().as_str(),
            "http://example.org/"
        );
        for bad in [
            "javascript:alert(1)",
            "example.org",
            "/communs/",
            "ftp://example.org/",
            "file:///etc/passwd",
            "https://example.org/?q=1",
            "https://example.org/#top",
            "https://",
            "",
        ] {
            assert!(SiteUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn variable_names_are_identifiers() {
        assert_eq!(
            CssVarName::parse("--light-accent").unwrap().as_str(),
            "light-accent"
        );
        assert_eq!(CssVarName::parse("measure").unwrap().as_str(), "measure");
        for bad in ["", "--", "a b", "x:y", "x;", "é"] {
            assert!(CssVarName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_cannot_leave_their_declaration() {
        for ok in [
            "72ch",
            " #1d5fa8 ",
            "\"Iowan Old Style\", serif",
            "calc(1rem + 2px)",
        ] {
            assert!(CssValue::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "red;} body{display:none",
            "red; color: blue",
            "}",
            "</style><script>",
            "a\\3b",
            "red\ncolor: blue",
            "  ",
            "red /* x",
            "\"open",
        ] {
            assert!(CssValue::parse(bad).is_err(), "{bad:?}");
        }
    }
}
