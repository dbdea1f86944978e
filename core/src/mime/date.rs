//! The Date field (RFC 5322 §3.3, obsolete forms of §4.3).
//!
//! ```text
//! date-time   = [ day-of-week "," ] date time [CFWS]
//! date        = day month year
//! time        = time-of-day zone
//! time-of-day = hour ":" minute [ ":" second ]
//! zone        = ("+" / "-") 4DIGIT
//! obs-year    = 2*DIGIT          ; 2 digits: < 50 → 20xx, else 19xx; 3 digits: + 1900
//! obs-zone    = "UT" / "GMT" / "EST" / "EDT" / "CST" / "CDT" / "MST" / "MDT" / "PST" / "PDT"
//!             / military letters (read as -0000, their RFC 822 meaning having been wrong)
//! ```
//!
//! [`parse_date`] is total and iterative (comments nest by counter). The obsolete forms of
//! RFC 5322 §4.3 (two- or three-digit years, named and military zones) are read and reported as
//! `mime.date-obsolete`. Impossible dates (31 April, hour 24, a weekday that does not match) and
//! unreadable text are `mime.date-invalid`, with the reason. Forms that no version of the grammar
//! allows but that many readers accept — full day and month names (`Tuesday`, `January`), a
//! missing comma after the day name, one-digit hours, `-` between day, month and year, the
//! asctime form (`Mon Jan  2 15:04:05 2006`) — are still read, for display, and reported as
//! `mime.date-invalid` ("invalid per RFC 5322 §3.3; many readers accept it").

use crate::lint::msg;
use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::mime::header;
use crate::mime::lints;
use crate::span::Span;

/// Most tokens read from a Date field; a valid one has about ten.
pub const MAX_TOKENS: usize = 64;

/// A date and time with its zone offset, as written (not converted to UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateTime {
    /// The year (four digits after obsolete two- and three-digit years are expanded).
    pub year: u32,
    /// 1–12.
    pub month: u8,
    /// 1–31, valid for the month.
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–60 (60 for a leap second); 0 when the seconds were omitted.
    pub second: u8,
    /// Offset from UTC in minutes (`+0900` → 540).
    pub offset_minutes: i16,
    /// `false` for `-0000` and military zones: the local offset is unknown (RFC 5322 §3.3).
    pub zone_known: bool,
}

/// A parsed Date field body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParsedDate {
    /// The date, or `None` when it could not be read or names an impossible time.
    pub value: Option<DateTime>,
    /// Findings; spans are relative to the input.
    pub lints: Vec<Lint>,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

/// Days in `month` (1–12) of `year`.
pub fn days_in_month(year: u32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm); month
/// 1–12. Also used by the web to judge certificate validity dates (RFC 3339).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl DateTime {
    /// Day of the week, 0 = Monday … 6 = Sunday.
    pub fn weekday(&self) -> u8 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        // 1970-01-01 was a Thursday (3).
        ((days + 3).rem_euclid(7)) as u8
    }

    /// Seconds since the Unix epoch (UTC), counting a leap second as the next second.
    pub fn to_unix(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60
    }

    /// The zone as a sign and minutes east of UTC, both forms write it; an unknown zone is
    /// `-0000` (RFC 5322 §3.3) / `-00:00` (RFC 3339 §4.3).
    fn signed_offset(&self) -> (char, i32) {
        if !self.zone_known {
            ('-', 0)
        } else if self.offset_minutes < 0 {
            ('-', -i32::from(self.offset_minutes))
        } else {
            ('+', i32::from(self.offset_minutes))
        }
    }

    /// RFC 3339 form, e.g. `2006-01-02T15:04:05+09:00`; an unknown zone is `-00:00`
    /// (RFC 3339 §4.3).
    pub fn to_rfc3339(&self) -> String {
        let (sign, off) = self.signed_offset();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            sign,
            off / 60,
            off % 60
        )
    }

    /// RFC 5322 §3.3 form, e.g. `Mon, 02 Jan 2006 15:04:05 +0900`.
    pub fn to_rfc5322(&self) -> String {
        let (sign, off) = self.signed_offset();
        let month = MONTHS
            .get(usize::from(self.month.saturating_sub(1)))
            .copied()
            .unwrap_or("jan");
        let dow = DAYS
            .get(usize::from(self.weekday()))
            .copied()
            .unwrap_or("mon");
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} {}{:02}{:02}",
            capitalize(dow),
            self.day,
            capitalize(month),
            self.year,
            self.hour,
            self.minute,
            self.second,
            sign,
            off / 60,
            off % 60
        )
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// A token, borrowed from the input: letters as written (names are matched ignoring case),
/// digits, or one other byte.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    Alpha(&'a str),
    Num(&'a str),
    Punct(u8),
}

fn lex<'a>(raw: &'a [u8], lints: &mut Vec<Lint>) -> Vec<(Tok<'a>, Span)> {
    // A date is about a dozen tokens.
    let mut toks = Vec::with_capacity(16);
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        if toks.len() > MAX_TOKENS {
            break;
        }
        let start = i;
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'(' => {
                let (end, depth) = header::scan_comment(raw, start, None);
                i = end;
                if depth > 0 {
                    lints.push(
                        lints::DATE_INVALID
                            .at(Span::new(start, raw.len()), msg!("comment not closed")),
                    );
                }
            }
            _ if b.is_ascii_alphabetic() => {
                while raw.get(i).is_some_and(u8::is_ascii_alphabetic) {
                    i += 1;
                }
                let s = Span::new(start, i);
                // ASCII letters only, so always UTF-8.
                toks.push((Tok::Alpha(ascii(s.slice(raw))), s));
            }
            _ if b.is_ascii_digit() => {
                while raw.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                let s = Span::new(start, i);
                toks.push((Tok::Num(ascii(s.slice(raw))), s));
            }
            _ => {
                i += 1;
                toks.push((Tok::Punct(b), Span::new(start, i)));
            }
        }
    }
    toks
}

/// Bytes known to be ASCII as a `str` (empty if they are not).
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// `name` lowercased into `buf`, if it fits (no name matched here is longer than 9 letters).
fn lower<'b>(name: &str, buf: &'b mut [u8; 16]) -> Option<&'b str> {
    let dst = buf.get_mut(..name.len())?;
    dst.copy_from_slice(name.as_bytes());
    dst.make_ascii_lowercase();
    std::str::from_utf8(dst).ok()
}

fn month_of(name: &str) -> Option<(u8, bool)> {
    let mut buf = [0u8; 16];
    let name = lower(name, &mut buf)?;
    let short = name.get(..3)?;
    let idx = MONTHS.iter().position(|m| *m == short)?;
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if name.len() == 3 || full.get(idx) == Some(&name) {
        Some((idx as u8 + 1, name.len() != 3))
    } else {
        None
    }
}

fn day_of(name: &str) -> Option<(u8, bool)> {
    let short = name.get(..3)?;
    let idx = DAYS.iter().position(|d| d.eq_ignore_ascii_case(short))?;
    let full = DAY_NAMES.get(idx)?;
    if name.len() == 3 || name.eq_ignore_ascii_case(full) {
        Some((idx as u8, name.len() != 3))
    } else {
        None
    }
}

/// Named zones of RFC 5322 §4.3, plus `UTC`, in minutes.
fn named_zone(name: &str) -> Option<i16> {
    let mut buf = [0u8; 16];
    Some(match lower(name, &mut buf)? {
        "ut" | "gmt" | "utc" | "z" => 0,
        "edt" => -4 * 60,
        "est" | "cdt" => -5 * 60,
        "cst" | "mdt" => -6 * 60,
        "mst" | "pdt" => -7 * 60,
        "pst" => -8 * 60,
        _ => return None,
    })
}

struct Cursor<'t, 'a> {
    toks: &'t [(Tok<'a>, Span)],
    pos: usize,
}

impl<'a> Cursor<'_, 'a> {
    fn peek(&self) -> Option<&(Tok<'a>, Span)> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<&(Tok<'a>, Span)> {
        let t = self.toks.get(self.pos);
        self.pos += 1;
        t
    }
    fn punct(&mut self, c: u8) -> bool {
        if matches!(self.peek(), Some((Tok::Punct(p), _)) if *p == c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn num(&mut self) -> Option<(&'a str, Span)> {
        match self.peek() {
            Some(&(Tok::Num(n), s)) => {
                let r = (n, s);
                self.pos += 1;
                Some(r)
            }
            _ => None,
        }
    }
}

/// Parses a Date field body; spans are relative to `raw`.
pub fn parse_date(raw: &[u8]) -> ParsedDate {
    let mut lints = Vec::new();
    let toks = lex(raw, &mut lints);
    let all = Span::new(0, raw.len());
    let value = parse_tokens(&toks, all, &mut lints);
    ParsedDate { value, lints }
}

fn invalid(lints: &mut Vec<Lint>, span: Span, msg: crate::lint::Message) -> Option<DateTime> {
    lints.push(lints::DATE_INVALID.at(span, msg));
    None
}

fn parse_tokens(toks: &[(Tok<'_>, Span)], all: Span, lints: &mut Vec<Lint>) -> Option<DateTime> {
    let mut c = Cursor { toks, pos: 0 };
    if toks.is_empty() {
        return invalid(lints, all, msg!("empty Date"));
    }
    // Day of week.
    let mut dow: Option<(u8, Span)> = None;
    let mut missing_comma = false;
    if let Some((Tok::Alpha(a), s)) = c.peek() {
        if let Some((d, full)) = day_of(a) {
            let s = *s;
            c.pos += 1;
            dow = Some((d, s));
            if full {
                lints.push(lints::DATE_INVALID.at(
                    s,
                    msg!("full day name: invalid per RFC 5322 §3.3 (day-name is Mon … Sun, in the obsolete form too); many readers accept it"),
                ));
            }
            missing_comma = !c.punct(b',');
        }
    }
    // asctime: "Mon Jan  2 15:04:05 2006".
    let asctime = matches!(c.peek(), Some((Tok::Alpha(a), _)) if month_of(a).is_some());
    if let (Some((_, s)), true, false) = (dow, missing_comma, asctime) {
        lints.push(lints::DATE_INVALID.at(
            s,
            msg!("no ',' after the day of the week: invalid per RFC 5322 §3.3; many readers accept it"),
        ));
    }
    let (day, month, year_tok);
    let mut time: Vec<(&str, Span)> = Vec::with_capacity(3);
    if asctime {
        lints.push(lints::DATE_INVALID.at(
            all,
            msg!("asctime form (`Mon Jan 2 15:04:05 2006`), not RFC 5322 date-time"),
        ));
        let Some(&(Tok::Alpha(m), ms)) = c.next() else {
            return None;
        };
        month = month_of(m).map(|(n, _)| n).unwrap_or(0);
        let _ = ms;
        let Some(d) = c.num() else {
            return invalid(lints, all, msg!("expected the day after the month"));
        };
        day = d;
        read_time(&mut c, &mut time);
        let Some(y) = c.num() else {
            return invalid(lints, all, msg!("expected the year after the time"));
        };
        year_tok = y;
    } else {
        let Some(d) = c.num() else {
            return invalid(
                lints,
                c.peek().map_or(all, |t| t.1),
                msg!("expected the day of the month"),
            );
        };
        day = d;
        let dash_before_month = c.punct(b'-');
        month = match c.next() {
            Some((Tok::Alpha(m), s)) => match month_of(m) {
                Some((n, full)) => {
                    if full {
                        lints.push(lints::DATE_INVALID.at(
                            *s,
                            msg!("full month name: invalid per RFC 5322 §3.3 (month is Jan … Dec, in the obsolete form too); many readers accept it"),
                        ));
                    }
                    n
                }
                None => {
                    let m = m.to_ascii_lowercase();
                    return invalid(
                        lints,
                        *s,
                        msg!("{m} is not a month name", m = format_args!("{m:?}")),
                    );
                }
            },
            Some((_, s)) => return invalid(lints, *s, msg!("expected a month name (Jan … Dec)")),
            None => return invalid(lints, all, msg!("the Date ends before the month")),
        };
        let dash_after_month = c.punct(b'-');
        if dash_before_month || dash_after_month {
            lints.push(lints::DATE_INVALID.at(
                all,
                msg!("'-' between day, month and year: invalid per RFC 5322 §3.3 (they are separated by white space); many readers accept it"),
            ));
        }
        let Some(y) = c.num() else {
            return invalid(
                lints,
                c.peek().map_or(all, |t| t.1),
                msg!("expected the year"),
            );
        };
        year_tok = y;
        read_time(&mut c, &mut time);
    }
    // Day.
    let (dstr, dspan) = day;
    let day: u8 = match dstr.parse::<u8>() {
        Ok(d) if dstr.len() <= 2 => d,
        _ => {
            return invalid(
                lints,
                dspan,
                msg!(
                    "day {d} is not one or two digits",
                    d = format_args!("{dstr:?}")
                ),
            )
        }
    };
    // Year.
    let (ystr, yspan) = year_tok;
    let year: u32 = match (ystr.len(), ystr.parse::<u32>()) {
        (2, Ok(y)) => {
            lints.push(lints::DATE_OBSOLETE.at(yspan, msg!("two-digit year (obs-year)")));
            if y < 50 {
                2000 + y
            } else {
                1900 + y
            }
        }
        (3, Ok(y)) => {
            lints.push(
                lints::DATE_OBSOLETE.at(yspan, msg!("three-digit year (obs-year): 1900 added")),
            );
            1900 + y
        }
        (4..=9, Ok(y)) => y,
        _ => {
            return invalid(
                lints,
                yspan,
                msg!(
                    "year {y} is not a 4-digit year",
                    y = format_args!("{ystr:?}")
                ),
            )
        }
    };
    if year < 1900 {
        lints.push(lints::DATE_INVALID.at(
            yspan,
            msg!("year {year} is before 1900 (RFC 5322 §3.3)", year),
        ));
    }
    // Time.
    if time.len() < 2 {
        return invalid(
            lints,
            c.peek().map_or(all, |t| t.1),
            msg!("expected the time as hh:mm[:ss]"),
        );
    }
    let field = |i: usize| time.get(i).copied().unwrap_or_default();
    let parse2 = |(s, sp): (&str, Span),
                  lints: &mut Vec<Lint>,
                  what: crate::lint::Message|
     -> Option<u8> {
        match s.parse::<u8>() {
            Ok(v) if s.len() <= 2 => {
                if s.len() == 1 {
                    lints.push(lints::DATE_INVALID.at(
                        sp,
                        msg!("{what} written with one digit: invalid per RFC 5322 §3.3 (two digits, in the obsolete form too); many readers accept it").text("what", what),
                    ));
                }
                Some(v)
            }
            _ => invalid(
                lints,
                sp,
                msg!("{what} {s} is not two digits", s = format_args!("{s:?}")).text("what", what),
            )
            .map(|_| 0),
        }
    };
    let hour = parse2(field(0), lints, msg!("hour"))?;
    let minute = parse2(field(1), lints, msg!("minute"))?;
    let second = if time.len() > 2 {
        parse2(field(2), lints, msg!("second"))?
    } else {
        0
    };
    // Zone.
    let (offset_minutes, zone_known) = match c.next().copied() {
        Some((Tok::Punct(sign @ (b'+' | b'-')), ss)) => match c.num() {
            Some((z, zs)) if z.len() == 4 => {
                let v: i16 = z.parse().unwrap_or(0);
                let (hh, mm) = (v / 100, v % 100);
                let span = Span::new(ss.start, zs.end);
                if mm > 59 {
                    return invalid(lints, span, msg!("zone minutes {mm} are above 59", mm));
                }
                let off = hh * 60 + mm;
                if sign == b'-' {
                    (-off, off != 0)
                } else {
                    (off, true)
                }
            }
            Some((z, zs)) => {
                return invalid(
                    lints,
                    Span::new(ss.start, zs.end),
                    msg!(
                        "zone {zone} is not 4 digits",
                        zone = format_args!("{}{z}", char::from(sign))
                    ),
                )
            }
            None => return invalid(lints, ss, msg!("zone sign without digits")),
        },
        Some((Tok::Alpha(z), zs)) => {
            if let Some(off) = named_zone(z) {
                lints.push(lints::DATE_OBSOLETE.at(
                    zs,
                    msg!(
                        "named zone {zone} (obs-zone); use a numeric offset",
                        zone = format_args!("{:?}", z.to_ascii_uppercase())
                    ),
                ));
                (off, true)
            } else if z.len() == 1 && !z.eq_ignore_ascii_case("j") {
                lints.push(lints::DATE_OBSOLETE.at(
                    zs,
                    msg!("military zone letter (obs-zone); read as -0000, offset unknown"),
                ));
                (0, false)
            } else {
                lints.push(lints::DATE_INVALID.at(
                    zs,
                    msg!(
                        "unknown zone {zone}; offset taken as unknown",
                        zone = format_args!("{:?}", z.to_ascii_uppercase())
                    ),
                ));
                (0, false)
            }
        }
        Some((_, s)) => return invalid(lints, s, msg!("expected a zone such as +0000")),
        None => {
            lints.push(
                lints::DATE_INVALID.at(all, msg!("no zone; offset taken as unknown (-0000)")),
            );
            (0, false)
        }
    };
    // asctime puts the year last: a zone may follow it, handled above; anything else is stray.
    if let Some((_, s)) = c.peek() {
        let rest = Span::new(s.start, toks.last().map_or(s.end, |t| t.1.end));
        lints.push(lints::DATE_INVALID.at(rest, msg!("unexpected text after the zone")));
    }
    // Ranges.
    if !(1..=12).contains(&month) {
        return invalid(lints, all, msg!("month out of range"));
    }
    let dim = days_in_month(year, month);
    if day == 0 || day > dim {
        let name = MONTHS.get(usize::from(month - 1)).copied().unwrap_or("?");
        return invalid(
            lints,
            dspan,
            msg!(
                "day {day} does not exist in {month} {year} ({dim} days)",
                day,
                month = capitalize(name),
                year,
                dim
            ),
        );
    }
    if hour > 23 || minute > 59 || second > 60 {
        let span = Span::new(
            time.first().map_or(0, |t| t.1.start),
            time.last().map_or(0, |t| t.1.end),
        );
        return invalid(
            lints,
            span,
            msg!(
                "time {time} is out of range",
                time = format_args!("{hour:02}:{minute:02}:{second:02}")
            ),
        );
    }
    let dt = DateTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        offset_minutes,
        zone_known,
    };
    if let Some((d, s)) = dow {
        let actual = dt.weekday();
        if d != actual {
            let given = DAY_NAMES.get(usize::from(d)).copied().unwrap_or("?");
            let real = DAY_NAMES.get(usize::from(actual)).copied().unwrap_or("?");
            lints.push(lints::DATE_INVALID.at(
                s,
                msg!(
                    "{given} given, but {date} is a {real}",
                    given,
                    date = format_args!("{year:04}-{month:02}-{day:02}"),
                    real
                ),
            ));
        }
    }
    Some(dt)
}

/// Reads `hh ":" mm [":" ss]` into `out`.
fn read_time<'a>(c: &mut Cursor<'_, 'a>, out: &mut Vec<(&'a str, Span)>) {
    let Some(h) = c.num() else { return };
    out.push(h);
    while out.len() < 3 && c.punct(b':') {
        match c.num() {
            Some(n) => out.push(n),
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// Issue 18: a full month name is not an obsolete form (RFC 5322 §4.3 has none) but invalid
    /// per §3.3; the date is still read for display and the finding says so.
    #[test]
    fn full_month_name_is_invalid_not_obsolete() {
        let raw = "Tue, 15 January 2008 16:02:43 -0500";
        let d = parse_date(raw.as_bytes());
        assert_eq!(
            d.value.map(|v| v.to_rfc3339()).as_deref(),
            Some("2008-01-15T16:02:43-05:00")
        );
        assert_eq!(d.lints.len(), 1, "{:?}", d.lints);
        let lint = &d.lints[0];
        assert_eq!(lint.code, "mime.date-invalid");
        assert_eq!(lint.reference, "RFC 5322 §3.3");
        assert_eq!(lint.severity, crate::lint::Severity::Error);
        assert_eq!(lint.span.slice(raw.as_bytes()), b"January");
        assert!(
            lint.message.contains("invalid per RFC 5322 §3.3")
                && lint.message.contains("many readers accept it"),
            "{}",
            lint.message
        );
    }

    /// The same Date in a whole message: the message's findings carry it, and the date is
    /// still shown.
    #[test]
    fn full_month_name_in_a_message_is_reported_invalid() {
        let msg = b"From: a@example.org\r\nDate: Tue, 15 January 2008 16:02:43 -0500\r\n\r\nhi\r\n";
        let m = crate::mime::parse::parse_message(msg);
        let codes: Vec<&str> = m.lints.iter().map(|l| l.lint.code.as_ref()).collect();
        assert_eq!(codes, ["mime.date-invalid"], "{:?}", m.lints);
        let lint = &m.lints[0].lint;
        assert_eq!(lint.reference, "RFC 5322 §3.3");
        assert_eq!(lint.span.slice(msg), b"January");
    }

    #[test]
    fn dates() {
        // (input, RFC 3339 or None, lint codes)
        let cases: &[(&str, Option<&str>, &[&str])] = &[
            ("Fri, 21 Nov 1997 09:55:06 -0600", Some("1997-11-21T09:55:06-06:00"), &[]),
            ("Tue, 1 Jul 2003 10:52:37 +0200", Some("2003-07-01T10:52:37+02:00"), &[]),
            ("Thu, 13 Feb 1969 23:32:54 -0330", Some("1969-02-13T23:32:54-03:30"), &[]),
            ("21 Nov 1997 09:55 +0000", Some("1997-11-21T09:55:00+00:00"), &[]),
            ("Mon, 02 Jan 2006 15:04:05 -0000", Some("2006-01-02T15:04:05-00:00"), &[]),
            (
                "Mon, 02 Jan 2006 15:04:05 +0900 (KST)",
                Some("2006-01-02T15:04:05+09:00"),
                &[],
            ),
            // RFC 5322 Appendix A.6.3: folding and comments everywhere.
            (
                "Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)",
                Some("1969-02-13T23:32:00-03:30"),
                &[],
            ),
            ("Sat, 29 Feb 2020 00:00:60 +0000", Some("2020-02-29T00:00:60+00:00"), &[]),
            // Obsolete forms.
            ("21 Nov 97 09:55:06 GMT", Some("1997-11-21T09:55:06+00:00"), &["mime.date-obsolete", "mime.date-obsolete"]),
            ("Fri, 21 Nov 03 09:55:06 EST", Some("2003-11-21T09:55:06-05:00"), &["mime.date-obsolete", "mime.date-obsolete"]),
            ("21 Nov 103 09:55:06 PDT", Some("2003-11-21T09:55:06-07:00"), &["mime.date-obsolete", "mime.date-obsolete"]),
            ("21 Nov 1997 09:55:06 UT", Some("1997-11-21T09:55:06+00:00"), &["mime.date-obsolete"]),
            ("21 Nov 1997 09:55:06 Z", Some("1997-11-21T09:55:06+00:00"), &["mime.date-obsolete"]),
            ("21 Nov 1997 09:55:06 A", Some("1997-11-21T09:55:06-00:00"), &["mime.date-obsolete"]),
            // Outside every form of the grammar (invalid per RFC 5322 §3.3), read leniently.
            ("Fri 21 Nov 1997 09:55:06 +0000", Some("1997-11-21T09:55:06+00:00"), &["mime.date-invalid"]),
            ("Friday, 21 November 1997 9:55:06 +0000", Some("1997-11-21T09:55:06+00:00"), &["mime.date-invalid", "mime.date-invalid", "mime.date-invalid"]),
            ("21-Nov-1997 09:55:06 +0000", Some("1997-11-21T09:55:06+00:00"), &["mime.date-invalid"]),
            // RFC 5322 §3.3 allows any two-digit zone hours; only the minutes are bounded.
            ("1 Jan 2020 10:00:00 +2500", Some("2020-01-01T10:00:00+25:00"), &[]),
            // Invalid.
            ("Sat, 21 Nov 1997 09:55:06 +0000", Some("1997-11-21T09:55:06+00:00"), &["mime.date-invalid"]),
            ("31 Apr 2020 10:00:00 +0000", None, &["mime.date-invalid"]),
            ("29 Feb 2019 10:00:00 +0000", None, &["mime.date-invalid"]),
            ("1 Jan 2020 24:00:00 +0000", None, &["mime.date-invalid"]),
            ("1 Jan 2020 10:00:00 +0070", None, &["mime.date-invalid"]),
            ("1 Jan 2020 10:00:00 +00", None, &["mime.date-invalid"]),
            ("1 Jan 2020 10:00:00", Some("2020-01-01T10:00:00-00:00"), &["mime.date-invalid"]),
            ("1 Jan 2020 10:00:00 CET", Some("2020-01-01T10:00:00-00:00"), &["mime.date-invalid"]),
            ("1 Jan 2020 10:00:00 +0000 garbage", Some("2020-01-01T10:00:00+00:00"), &["mime.date-invalid"]),
            ("1 Foo 2020 10:00:00 +0000", None, &["mime.date-invalid"]),
            ("yesterday", None, &["mime.date-invalid"]),
            ("", None, &["mime.date-invalid"]),
            ("1 Jan 1850 10:00:00 +0000", Some("1850-01-01T10:00:00+00:00"), &["mime.date-invalid"]),
            ("Mon Jan  2 15:04:05 2006", Some("2006-01-02T15:04:05-00:00"), &["mime.date-invalid", "mime.date-invalid"]),
            ("1 Jan 2020 10:00:00 +0000 (unclosed", Some("2020-01-01T10:00:00+00:00"), &["mime.date-invalid"]),
        ];
        for (raw, want, want_codes) in cases {
            let d = parse_date(raw.as_bytes());
            let got = d.value.map(|v| v.to_rfc3339());
            let codes: Vec<&str> = d.lints.iter().map(|l| l.code.as_ref()).collect();
            assert_eq!(
                (got.as_deref(), codes),
                (*want, want_codes.to_vec()),
                "input {raw:?}: {:?}",
                d.lints
            );
            for l in &d.lints {
                assert!(l.span.end <= raw.len(), "{raw:?}: {:?}", l.span);
            }
        }
    }

    #[test]
    fn typed_values() {
        let d = parse_date(b"Mon, 02 Jan 2006 15:04:05 +0900")
            .value
            .expect("valid");
        assert_eq!(
            (
                d.year,
                d.month,
                d.day,
                d.hour,
                d.minute,
                d.second,
                d.offset_minutes,
                d.zone_known
            ),
            (2006, 1, 2, 15, 4, 5, 540, true)
        );
        assert_eq!(d.weekday(), 0, "Monday");
        assert_eq!(d.to_unix(), 1_136_181_845, "2006-01-02T06:04:05Z");
        assert_eq!(d.to_rfc5322(), "Mon, 02 Jan 2006 15:04:05 +0900");
        let d = parse_date(b"1 Jan 1970 00:00:00 -0130")
            .value
            .expect("valid");
        assert_eq!((d.to_unix(), d.offset_minutes), (5400, -90));
        assert_eq!(d.to_rfc5322(), "Thu, 01 Jan 1970 00:00:00 -0130");
        assert_eq!(
            parse_date(b"Mon, 02 Jan 2006 15:04:05 -0000")
                .value
                .map(|v| v.zone_known),
            Some(false)
        );
    }

    #[test]
    fn hostile_inputs() {
        let deep = format!(
            "1 Jan 2020 10:00 +0000 {}{}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        assert!(parse_date(deep.as_bytes()).lints.is_empty(), "deep comment");
        let long = "1 ".repeat(100_000);
        let d = parse_date(long.as_bytes());
        assert!(
            d.value.is_none() && d.lints.len() <= 4,
            "{:?}",
            d.lints.len()
        );
        let mut rng = crate::testutil::XorShift::new(0x1234_5678_9ABC_DEF0);
        let alphabet = b"0123456789 :,+-()JanFebMonGMTESTx\r\n\xff";
        for round in 0..500 {
            let buf = rng.bytes(round % 50, alphabet, round % 3 == 0);
            let d = parse_date(&buf);
            for l in &d.lints {
                assert!(
                    l.span.start <= l.span.end && l.span.end <= buf.len(),
                    "{buf:?}: {:?}",
                    l.span
                );
            }
            if let Some(v) = d.value {
                assert!(
                    v.day >= 1 && v.day <= days_in_month(v.year, v.month),
                    "{buf:?}: {v:?}"
                );
                let _ = v.to_rfc3339();
            }
        }
    }
}
