//! A small table printer for terminal output: left-aligned columns separated
//! by two spaces, a header row, no trailing blanks.

use std::fmt;

/// Rows of text cells under a header. Cells are measured in characters, so
/// non-ASCII names line up as long as they are not double-width.
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    #[must_use]
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are blank, extra cells are kept.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn widths(&self) -> Vec<usize> {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let mut widths = vec![0; columns];
        for line in std::iter::once(&self.header).chain(&self.rows) {
            for (w, cell) in widths.iter_mut().zip(line) {
                *w = (*w).max(cell.chars().count());
            }
        }
        widths
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths = self.widths();
        for line in std::iter::once(&self.header).chain(&self.rows) {
            let mut text = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = line.get(i).map_or("", String::as_str);
                if i > 0 {
                    text.push_str("  ");
                }
                text.push_str(cell);
                text.extend(std::iter::repeat_n(
                    ' ',
                    width.saturating_sub(cell.chars().count()),
                ));
            }
            writeln!(f, "{}", text.trim_end())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Table;

    #[test]
    fn columns_line_up_without_trailing_blanks() {
        let mut t = Table::new(["PRODUCT", "SEATS"]);
        t.row(["cad", "3 of 10 in use"]);
        t.row(["simulation-suite", "0 of 2 in use"]);
        t.row(["x"]);
        assert_eq!(
            t.to_string(),
            "PRODUCT           SEATS\ncad               3 of 10 in use\nsimulation-suite  0 of 2 in use\nx\n"
        );
    }

    #[test]
    fn counts_characters_not_bytes() {
        let mut t = Table::new(["USER", "HOST"]);
        t.row(["jürgen", "ws-1"]);
        assert_eq!(t.to_string(), "USER    HOST\njürgen  ws-1\n");
    }
}
