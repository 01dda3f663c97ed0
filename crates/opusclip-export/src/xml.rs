//! A small indenting XML writer for the two XML timeline formats: elements, attributes and
//! text, always escaped.

use std::fmt::Write as _;

pub struct XmlWriter {
    text: String,
    open: Vec<&'static str>,
}

impl XmlWriter {
    /// A document that starts with the XML declaration and `<!DOCTYPE doctype>`.
    pub fn new(doctype: &str) -> XmlWriter {
        XmlWriter {
            text: format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE {doctype}>\n"),
            open: Vec::new(),
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.text.push_str("  ");
        }
    }

    fn tag(&mut self, name: &str, attributes: &[(&str, String)]) {
        self.text.push('<');
        self.text.push_str(name);
        for (key, value) in attributes {
            let _ = write!(self.text, " {key}=\"{}\"", escape(value));
        }
    }

    /// `<name a="…">` on its own line; children follow until `close`.
    pub fn open(&mut self, name: &'static str, attributes: &[(&str, String)]) {
        self.indent();
        self.tag(name, attributes);
        self.text.push_str(">\n");
        self.open.push(name);
    }

    /// Closes the innermost open element.
    pub fn close(&mut self) {
        let name = self.open.pop().expect("close without open");
        self.indent();
        let _ = writeln!(self.text, "</{name}>");
    }

    /// `<name>text</name>`.
    pub fn leaf(&mut self, name: &str, text: impl std::fmt::Display) {
        self.indent();
        let _ = writeln!(self.text, "<{name}>{}</{name}>", escape(&text.to_string()));
    }

    /// `<name a="…"/>`.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, String)]) {
        self.indent();
        self.tag(name, attributes);
        self.text.push_str("/>\n");
    }

    /// `<name a="…">text</name>`.
    pub fn leaf_with(&mut self, name: &str, attributes: &[(&str, String)], text: &str) {
        self.indent();
        self.tag(name, attributes);
        let _ = writeln!(self.text, ">{}</{name}>", escape(text));
    }

    pub fn finish(self) -> String {
        assert!(self.open.is_empty(), "unclosed elements: {:?}", self.open);
        self.text
    }
}

/// Text and attribute values with `& < > " '` escaped and control characters (which XML 1.0
/// cannot hold) left out.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' | '\t' => escaped.push(c),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// A number written briefly: at most `decimals` places, no trailing zeros, no `-0`.
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
    if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut xml = XmlWriter::new("x");
        xml.open("a", &[("name", "Q&A \"live\"".into())]);
        xml.leaf("b", "<tag> & \u{7}bell");
        xml.close();
        let text = xml.finish();
        assert!(text.contains("<a name=\"Q&amp;A &quot;live&quot;\">"), "{text}");
        assert!(text.contains("<b>&lt;tag&gt; &amp; bell</b>"), "{text}");
    }

    #[test]
    fn numbers_are_brief() {
        assert_eq!(number(2.5000, 4), "2.5");
        assert_eq!(number(-0.00001, 3), "0");
        assert_eq!(number(100.0, 3), "100");
    }
}
