//! robots.txt (RFC 9309): which paths of a site HyperLearn may fetch.
//!
//! The group for our product token is used when there is one, else the `*` group (groups
//! naming the same agent are merged). Rules match the URL's path and query as prefixes with
//! `*` (any run of characters) and a trailing `$` (end of URL); the longest matching rule
//! wins, and `allow` wins a tie. No matching rule, an empty `disallow` or no group: allowed.

/// One rule of a group.
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    allow: bool,
    pattern: String,
}

/// The rules that apply to HyperLearn on one site.
#[derive(Debug, Clone, PartialEq)]
pub struct Robots {
    rules: Vec<Rule>,
    /// Set when the file could not be read in a way that means "keep out" (RFC 9309 2.3.1.4:
    /// a server error or an unreachable server is a complete disallow).
    disallow_all: bool,
}

impl Robots {
    /// Everything allowed (no robots.txt: a 4xx answer).
    pub fn allow_all() -> Robots {
        Robots {
            rules: Vec::new(),
            disallow_all: false,
        }
    }

    /// Nothing allowed (robots.txt unreachable or a 5xx answer).
    pub fn disallow_all() -> Robots {
        Robots {
            rules: Vec::new(),
            disallow_all: true,
        }
    }

    /// Parses a robots.txt body for the agent `product` (e.g. "HyperLearn"), leniently: lines
    /// that are not `key: value` are skipped.
    pub fn parse(body: &str, product: &str) -> Robots {
        let product = product.to_ascii_lowercase();
        let mut ours: Vec<Rule> = Vec::new();
        let mut star: Vec<Rule> = Vec::new();
        let mut have_ours = false;
        // The agents of the group being read, and whether its rules have started (a
        // user-agent line after rules starts a new group).
        let mut agents: Vec<String> = Vec::new();
        let mut in_rules = false;
        for raw in body.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        agents.clear();
                        in_rules = false;
                    }
                    let agent = value.to_ascii_lowercase();
                    if agent == product || (!agent.is_empty() && product.starts_with(&agent)) {
                        have_ours = true;
                    }
                    agents.push(agent);
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    if value.is_empty() {
                        // `Disallow:` with nothing: allows everything; adds no rule.
                        continue;
                    }
                    let rule = Rule {
                        allow: key == "allow",
                        pattern: value.to_string(),
                    };
                    let for_us = agents
                        .iter()
                        .any(|a| a == &product || (!a.is_empty() && product.starts_with(a)));
                    if for_us {
                        ours.push(rule.clone());
                    }
                    if agents.iter().any(|a| a == "*") {
                        star.push(rule);
                    }
                }
                _ => {}
            }
        }
        Robots {
            rules: if have_ours { ours } else { star },
            disallow_all: false,
        }
    }

    /// Whether `path` (path and query of a URL, starting with `/`) may be fetched.
    pub fn allowed(&self, path: &str) -> bool {
        if self.disallow_all {
            return path == "/robots.txt";
        }
        let mut best: Option<(usize, bool)> = None;
        for rule in &self.rules {
            if matches(&rule.pattern, path) {
                let len = rule.pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, rule.allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Whether a rule pattern matches a path: `*` is any run of characters, a final `$`
/// anchors at the end, otherwise the pattern is a prefix.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut pos = 0;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            pos = part.len();
        } else if i == parts.len() - 1 && anchored {
            // The last piece must end the path (at or after `pos`).
            return path.len() >= pos + part.len() && path.ends_with(part);
        } else {
            match path[pos..].find(part) {
                Some(at) => pos += at + part.len(),
                None => return false,
            }
        }
    }
    !anchored || pos == path.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "\
# comments are ignored
User-agent: *
Disallow: /private/
Allow: /private/open.html
Disallow: /*.pdf$
Disallow: /search?

User-agent: BadBot
Disallow: /
";

    #[test]
    fn the_star_group_applies_with_longest_match_and_wildcards() {
        let r = Robots::parse(SITE, "HyperLearn");
        assert!(r.allowed("/news/2026/article.html"));
        assert!(!r.allowed("/private/notes.html"));
        assert!(r.allowed("/private/open.html"), "longer allow wins");
        assert!(!r.allowed("/files/report.pdf"));
        assert!(r.allowed("/files/report.pdf.html"), "$ anchors at the end");
        assert!(!r.allowed("/search?q=x"));
        assert!(r.allowed("/search-tips"));
        let bad = Robots::parse(SITE, "BadBot");
        assert!(!bad.allowed("/news/2026/article.html"));
    }

    #[test]
    fn our_own_group_replaces_the_star_group() {
        let text = "User-agent: *\nDisallow: /\n\nUser-agent: hyperlearn\nUser-agent: other\nDisallow: /drafts/\n";
        let r = Robots::parse(text, "HyperLearn");
        assert!(r.allowed("/news/a.html"));
        assert!(!r.allowed("/drafts/a.html"));
    }

    #[test]
    fn empty_disallow_ties_and_missing_files() {
        let r = Robots::parse("User-agent: *\nDisallow:\n", "HyperLearn");
        assert!(r.allowed("/anything"));
        let tie = Robots::parse("User-agent: *\nDisallow: /a\nAllow: /a\n", "HyperLearn");
        assert!(tie.allowed("/a/b"), "allow wins a tie");
        assert!(Robots::allow_all().allowed("/x"));
        assert!(!Robots::disallow_all().allowed("/x"));
        assert!(Robots::disallow_all().allowed("/robots.txt"));
        // Garbage never panics and allows.
        assert!(Robots::parse("\u{feff}<html>not robots</html>\n:::\n", "HyperLearn").allowed("/"));
    }

    #[test]
    fn wildcard_matching() {
        assert!(matches("/", "/x"));
        assert!(matches("/*/amp", "/news/amp/1"));
        assert!(!matches("/*/amp$", "/news/amp/1"));
        assert!(matches("/*/amp$", "/news/amp"));
        assert!(matches("*", "/anything"));
        assert!(matches("/a*b*c", "/a-b-c-d"));
        assert!(!matches("/a*b*c", "/a-c-b"));
    }
}
