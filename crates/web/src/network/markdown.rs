//! The text of an announcement: a small, safe part of Markdown (paragraphs, emphasis, strong,
//! lists, links, headings drawn as h3/h4) turned into HTML by a whitelist. Raw HTML is shown
//! as text, escaped; links keep only http(s) and mailto and open nothing with the page's
//! rights (rel="noopener"); images keep their words, never the picture (a tracker, a leak).

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

/// The HTML of `text`: every tag it holds is one of the whitelist, every word escaped.
pub fn to_safe_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() * 2);
    // Per link opened in the text, whether it was drawn (its scheme allowed).
    let mut links: Vec<bool> = Vec::new();
    // Writing into a String cannot fail.
    let escaped = |html: &mut String, words: &str| {
        let _ = escape_html(&mut *html, words);
    };
    for event in Parser::new(text) {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph | Tag::HtmlBlock | Tag::CodeBlock(_) => html.push_str("<p>"),
                Tag::Heading { level, .. } => html.push_str(match level {
                    HeadingLevel::H1 | HeadingLevel::H2 => "<h3>",
                    HeadingLevel::H3 | HeadingLevel::H4 | HeadingLevel::H5 | HeadingLevel::H6 => {
                        "<h4>"
                    }
                }),
                Tag::Emphasis => html.push_str("<em>"),
                Tag::Strong => html.push_str("<strong>"),
                Tag::List(None) => html.push_str("<ul>"),
                Tag::List(Some(_)) => html.push_str("<ol>"),
                Tag::Item => html.push_str("<li>"),
                Tag::Link { dest_url, .. } => {
                    let allowed = allowed_link(&dest_url);
                    if allowed {
                        html.push_str("<a href=\"");
                        let _ = escape_href(&mut html, &dest_url);
                        html.push_str("\" rel=\"noopener\">");
                    }
                    links.push(allowed);
                }
                // Not drawn as such: their words come through as text. (Tables, footnotes and
                // the like are not enabled in the parser's options.)
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph | TagEnd::HtmlBlock | TagEnd::CodeBlock => html.push_str("</p>"),
                TagEnd::Heading(level) => html.push_str(match level {
                    HeadingLevel::H1 | HeadingLevel::H2 => "</h3>",
                    HeadingLevel::H3 | HeadingLevel::H4 | HeadingLevel::H5 | HeadingLevel::H6 => {
                        "</h4>"
                    }
                }),
                TagEnd::Emphasis => html.push_str("</em>"),
                TagEnd::Strong => html.push_str("</strong>"),
                TagEnd::List(false) => html.push_str("</ul>"),
                TagEnd::List(true) => html.push_str("</ol>"),
                TagEnd::Item => html.push_str("</li>"),
                TagEnd::Link => {
                    if links.pop().unwrap_or(false) {
                        html.push_str("</a>");
                    }
                }
                _ => {}
            },
            Event::Text(words) | Event::Html(words) | Event::InlineHtml(words) => {
                escaped(&mut html, &words)
            }
            Event::Code(words) => {
                html.push_str("<code>");
                escaped(&mut html, &words);
                html.push_str("</code>");
            }
            // Authors type lines, not Markdown: a line break stays one.
            Event::SoftBreak | Event::HardBreak => html.push_str("<br>"),
            Event::Rule => html.push_str("<hr>"),
            Event::InlineMath(words)
            | Event::DisplayMath(words)
            | Event::FootnoteReference(words) => escaped(&mut html, &words),
            Event::TaskListMarker(_) => {}
        }
    }
    html
}

/// Only the web and e-mail: `javascript:`, `data:`, relative paths and the rest are dropped.
fn allowed_link(destination: &str) -> bool {
    let destination = destination.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| destination.starts_with(scheme))
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;
    use proptest::prelude::*;

    #[test]
    fn raw_html_comes_out_escaped() {
        let html =
            to_safe_html("<script>alert(1)</script>\n\nVoir <img src=x onerror=alert(1)> ici");
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
    }

    #[test]
    fn javascript_links_are_dropped_web_links_kept() {
        let html =
            to_safe_html("[clic](javascript:alert(1)) et [le site](https://example.fr/a?b=1&c=2)");
        assert_eq!(
            html,
            "<p>clic et <a href=\"https://example.fr/a?b=1&amp;c=2\" rel=\"noopener\">le site</a></p>"
        );
        assert!(!to_safe_html("[x](JavaScript:alert(1))").contains("<a"));
        assert!(to_safe_html("[écrire](mailto:reseau@example.fr)").contains("href=\"mailto:"));
    }

    #[test]
    fn lists_emphasis_and_headings_are_drawn() {
        let html =
            to_safe_html("# Ordre du jour\n\n- *un*\n- **deux**\n\n![photo](https://x/y.png)");
        assert_eq!(
            html,
            "<h3>Ordre du jour</h3><ul>\n<li><em>un</em></li>\n<li><strong>deux</strong></li>\n</ul><p>photo</p>"
                .replace('\n', "")
        );
    }

    /// Every tag the output holds is one of the whitelist (so no `<script`, no ` on…=`).
    fn only_whitelisted_tags(html: &str) -> bool {
        let allowed = [
            "p", "/p", "h3", "/h3", "h4", "/h4", "em", "/em", "strong", "/strong", "ul", "/ul",
            "ol", "/ol", "li", "/li", "br", "hr", "code", "/code", "/a",
        ];
        html.split('<').skip(1).all(|rest| {
            let Some((tag, _)) = rest.split_once('>') else {
                return false;
            };
            allowed.contains(&tag)
                || (tag.starts_with("a href=\"")
                    && tag.ends_with("\" rel=\"noopener\"")
                    && !tag["a href=\"".len()..tag.len() - "\" rel=\"noopener\"".len()]
                        .contains(['"', '<', '>']))
        })
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("<script>".to_string()),
            Just("<img src=x onerror=alert(1)>".to_string()),
            Just("[a](javascript:alert(1))".to_string()),
            Just("[a](https://x.fr/\" onmouseover=\"b)".to_string()),
            Just("<a href=\"https://x\" onclick=\"y\">".to_string()),
            Just("\n\n".to_string()),
            Just("- ".to_string()),
            Just("# ".to_string()),
            Just("`".to_string()),
            Just("*".to_string()),
            "[<>\\[\\]()!*_`#=\"' a-zA-Z:/\n-]{0,12}",
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn no_input_yields_a_script_or_an_event_attribute(pieces in prop::collection::vec(piece(), 0..12)) {
            let html = to_safe_html(&pieces.concat());
            prop_assert!(!html.to_ascii_lowercase().contains("<script"), "{}", html);
            prop_assert!(only_whitelisted_tags(&html), "{}", html);
        }
    }
}
