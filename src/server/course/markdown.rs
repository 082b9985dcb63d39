//! Lesson Markdown to safe HTML: pulldown-cmark renders, ammonia removes anything executable
//! (scripts, event handlers, javascript: URLs) before the HTML is sent to a browser.

use std::sync::LazyLock;

use pulldown_cmark::{html, Options, Parser};

/// Built once: a default builder allocates its tag and attribute sets, which cost as much as
/// cleaning a question's stem (the attempt page renders five per view).
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    // `external`: a lesson's links (handouts, other sites) are the browser's to follow, never the
    // client router's, which would show its own "not found" for a PDF.
    b.link_rel(Some("external noopener noreferrer nofollow"));
    b
});

pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    SANITIZER.clean(&unsafe_html).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_renders() {
        let html = render("# 服务承诺\n\n- **24 小时**内响应\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        assert!(html.contains("<h1>服务承诺</h1>"));
        assert!(html.contains("<strong>24 小时</strong>"));
        assert!(html.contains("<table>"));
        let img = render("![流程](/files/7/三包.png)");
        assert!(img.contains("<img src=\"/files/7/%E4%B8%89%E5%8C%85.png\" alt=\"流程\""), "{img}");
    }

    #[test]
    fn nothing_executable_survives() {
        let evil = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n\
                    [click](javascript:alert(1))\n\n<a href=\"https://example.com\" onclick=\"x()\">ok</a>\n\n\
                    <iframe src=\"https://evil.example\"></iframe><style>body{}</style>";
        let html = render(evil);
        for bad in ["<script", "onerror", "javascript:", "onclick", "<iframe", "<style"] {
            assert!(!html.to_lowercase().contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("href=\"https://example.com\""));
        assert!(html.contains("rel=\"external noopener noreferrer nofollow\""));
    }
}
