//! Just enough of Rust's lexical grammar for the guards: string literals (with their contents
//! unescaped and line continuations removed), grouped into statements, with comments and char
//! literals skipped so that quotes inside them never confuse the scan.

/// One string literal: where it starts in the file, and its text as the program sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal {
    pub(crate) offset: usize,
    pub(crate) text: String,
}

/// The string literals of `source`, in order, each with the index of the statement (text up
/// to a `;` or a block boundary outside literals) it belongs to.
pub(crate) fn literals(source: &str) -> Vec<(usize, Literal)> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut statement = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            b'\'' => i = skip_char_literal(bytes, i),
            b';' | b'{' | b'}' => {
                statement += 1;
                i += 1;
            }
            b'r' | b'b' if starts_literal(bytes, i) => {
                let (literal, end) = raw_or_byte_literal(source, i);
                out.push((statement, literal));
                i = end;
            }
            b'"' => {
                let (literal, end) = plain_literal(source, i, i + 1);
                out.push((statement, literal));
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// `r"`, `r#"`, `b"`, `br"`, `br#"` at `i`, not in the middle of an identifier.
fn starts_literal(bytes: &[u8], i: usize) -> bool {
    if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
        return false;
    }
    let mut j = i;
    if bytes[j] == b'b' {
        j += 1;
    }
    if bytes.get(j) == Some(&b'r') {
        j += 1;
        while bytes.get(j) == Some(&b'#') {
            j += 1;
        }
    }
    j > i && bytes.get(j) == Some(&b'"')
}

fn raw_or_byte_literal(source: &str, start: usize) -> (Literal, usize) {
    let bytes = source.as_bytes();
    let mut j = start;
    if bytes[j] == b'b' {
        j += 1;
    }
    if bytes[j] != b'r' {
        // b"…": escapes as in a plain string.
        return plain_literal(source, start, j + 1);
    }
    j += 1;
    let hashes = bytes[j..].iter().take_while(|b| **b == b'#').count();
    let open = j + hashes + 1;
    let closing = format!("\"{}", "#".repeat(hashes));
    let close = source[open..]
        .find(&closing)
        .map_or(bytes.len(), |n| open + n);
    let end = (close + closing.len()).min(bytes.len());
    let literal = Literal {
        offset: start,
        text: source[open..close].to_owned(),
    };
    (literal, end)
}

/// A `"…"` literal whose opening quote precedes `body`; escapes are resolved far enough for
/// the guards: `\"`, `\\`, `\n`, and `\` + newline (a continuation, which drops the
/// following indentation).
fn plain_literal(source: &str, start: usize, body: usize) -> (Literal, usize) {
    let mut text = String::new();
    let mut chars = source[body..].char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '"' => {
                let literal = Literal {
                    offset: start,
                    text,
                };
                return (literal, body + k + 1);
            }
            '\\' => match chars.next() {
                Some((_, '\n')) => {
                    let rest = &source[body + k + 2..];
                    let indent = rest.len() - rest.trim_start().len();
                    text.push(' ');
                    for _ in 0..rest[..indent].chars().count() {
                        chars.next();
                    }
                }
                Some((_, 'n')) => text.push('\n'),
                Some((_, other)) => text.push(other),
                None => {}
            },
            other => text.push(other),
        }
    }
    (
        Literal {
            offset: start,
            text,
        },
        source.len(),
    )
}

fn skip_block_comment(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// A char literal (`'a'`, `'"'`, `'\''`, `'\u{202E}'`) is skipped whole; a lifetime (`'a`)
/// is just its quote.
fn skip_char_literal(bytes: &[u8], start: usize) -> usize {
    let body = start + 1;
    if bytes.get(body) == Some(&b'\\') {
        let close = bytes[body + 1..]
            .iter()
            .position(|b| *b == b'\'')
            .map_or(body + 1, |n| body + 1 + n);
        return close + 1;
    }
    // One (possibly multi-byte) character, then the closing quote.
    let width = match bytes.get(body) {
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(b) if *b >= 0xC0 => 2,
        _ => 1,
    };
    if bytes.get(body + width) == Some(&b'\'') {
        body + width + 1
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::literals;

    fn texts(source: &str) -> Vec<(usize, String)> {
        literals(source)
            .into_iter()
            .map(|(s, l)| (s, l.text))
            .collect()
    }

    #[test]
    fn continuations_escapes_raw_and_byte_strings() {
        let source = "let a = \"UPDATE operation_runs \\\n         SET status = ?\";\n\
                      let b = r#\"say \"hi\"\"#; let c = r##\"a \"# b\"##; let d = b\"x\\\"y\";";
        assert_eq!(
            texts(source),
            [
                (0, "UPDATE operation_runs  SET status = ?".to_owned()),
                (1, "say \"hi\"".to_owned()),
                (2, "a \"# b".to_owned()),
                (3, "x\"y".to_owned()),
            ]
        );
    }

    #[test]
    fn comments_and_char_literals_hide_their_quotes() {
        let source = "// \"not\"\n/* outer /* \" */ still \" */ let q = '\"'; let e = '\\''; \
                      let u = '\\u{202E}'; fn f<'a>(x: &'a str) {} let s = \"real\";";
        assert_eq!(texts(source), [(5, "real".to_owned())]);
    }

    #[test]
    fn literals_of_one_statement_share_its_index() {
        let source = "query(concat!(\"UPDATE operation_runs\", \" SET status = 1\")); next(\"x\");";
        assert_eq!(
            texts(source),
            [
                (0, "UPDATE operation_runs".to_owned()),
                (0, " SET status = 1".to_owned()),
                (1, "x".to_owned()),
            ]
        );
    }
}
