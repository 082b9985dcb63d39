//! The one writer of every CSV and XLSX download, so no export can hand a spreadsheet a formula.
//!
//! Spreadsheet programs run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
//! as a formula (OWASP "CSV injection"): `=HYPERLINK(...)` in a program name or a suspension
//! reason would become a live link. Every cell, header included, goes through `inert`, which
//! keeps such text plain with a leading apostrophe.

use rust_xlsxwriter::{Format, HeaderImagePosition, Image, Workbook, Worksheet};

use crate::error::{internal, AppResult};

pub struct Table {
    /// The XLSX sheet's name (at most 31 characters, no `[]:*?/\`).
    pub sheet: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Whom a printed sheet comes from: the organisation's name centred in the page header, its logo
/// on the left, its seal in the footer. The data stays a plain table from the first row.
#[derive(Debug, Clone, Default)]
pub struct Letterhead {
    pub name: String,
    pub logo: Option<Vec<u8>>,
    pub seal: Option<Vec<u8>>,
}

impl Letterhead {
    fn apply(&self, sheet: &mut Worksheet) -> AppResult<()> {
        let picture = |bytes: &Option<Vec<u8>>| {
            bytes.as_deref().and_then(|b| Image::new_from_buffer(b).ok()).map(|i| i.set_scale_to_size(120, 60, true))
        };
        // In header text "&" starts a code; a literal one is written twice.
        let name: String = self.name.replace('&', "&&").chars().take(200).collect();
        let logo = picture(&self.logo);
        let mut header = String::new();
        if logo.is_some() {
            header.push_str("&L&[Picture]");
        }
        if !name.is_empty() {
            header.push_str(&format!("&C&\"-,Bold\"{name}"));
        }
        if !header.is_empty() {
            sheet.set_header(header);
        }
        if let Some(logo) = logo {
            sheet.set_header_image(&logo, HeaderImagePosition::Left).map_err(internal)?;
        }
        if let Some(seal) = picture(&self.seal) {
            sheet.set_footer("&R&[Picture]");
            sheet.set_footer_image(&seal, HeaderImagePosition::Right).map_err(internal)?;
        }
        Ok(())
    }
}

pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    // A plain negative number ("-7.07", a discrimination index) is data, not a formula.
    let number = cell.starts_with('-') && cell[1..].chars().all(|c| c.is_ascii_digit() || c == '.') && cell.len() > 1;
    if !number && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

impl Table {
    /// UTF-8 with a BOM, so Excel opens Chinese text correctly.
    pub fn csv(&self) -> AppResult<Vec<u8>> {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        for row in std::iter::once(&self.header).chain(&self.rows) {
            w.write_record(row.iter().map(|c| inert(c).into_owned())).map_err(internal)?;
        }
        w.into_inner().map_err(internal)
    }

    /// Every cell a string (never a formula), the header bold and frozen, with a filter on it.
    pub fn xlsx(&self) -> AppResult<Vec<u8>> {
        self.xlsx_with(&Letterhead::default())
    }

    /// The same sheet, printed on the organisation's letterhead.
    pub fn xlsx_with(&self, letterhead: &Letterhead) -> AppResult<Vec<u8>> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(&self.sheet).map_err(internal)?;
        letterhead.apply(sheet)?;
        let bold = Format::new().set_bold();
        for (c, h) in self.header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, inert(h), &bold).map_err(internal)?;
            sheet.set_column_width(c as u16, 16).map_err(internal)?;
        }
        for (i, row) in self.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(i as u32 + 1, c as u16, inert(v)).map_err(internal)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(internal)?;
        if !self.header.is_empty() {
            sheet.autofilter(0, 0, self.rows.len() as u32, self.header.len() as u16 - 1).map_err(internal)?;
        }
        book.save_to_buffer().map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_kept_plain() {
        for bad in ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert(bad), format!("'{bad}"));
        }
        assert_eq!(inert("李娜 = ok"), "李娜 = ok");
        assert_eq!(inert("-7.07"), "-7.07");
        assert_eq!(inert("-"), "'-");
        let t = Table { sheet: "S".into(), header: vec!["=h".into()], rows: vec![vec!["=1+1".into()]] };
        let csv = String::from_utf8(t.csv().unwrap()).unwrap();
        assert_eq!(csv, "\u{feff}'=h\n'=1+1\n");
    }
}
