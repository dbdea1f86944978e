//! Numbers with one decimal ("12.3 KiB", "0.5 s") written with integer arithmetic: formatting a
//! float would pull the float-printing code (about 6 KB) into the page's wasm.

/// `value / unit` with one decimal, rounded half up: `one_decimal(12_595, 1024)` is `"12.3"`.
/// A `unit` of 0 is taken as 1.
pub fn one_decimal(value: u64, unit: u64) -> String {
    let unit = u128::from(unit.max(1));
    let tenths = (u128::from(value) * 10 + unit / 2) / unit;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// A byte count for people: "512 B", "1.2 KiB", "3.4 MiB".
pub fn size_label(size: usize) -> String {
    const KIB: u64 = 1024;
    let size = size as u64;
    if size < KIB {
        format!("{size} B")
    } else if size < KIB * KIB {
        format!("{} KiB", one_decimal(size, KIB))
    } else {
        format!("{} MiB", one_decimal(size, KIB * KIB))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn one_decimal_rounds_like_the_float_formatting_did() {
        for (value, unit, want) in [
            (0, 1000, "0.0"),
            (500, 1000, "0.5"),
            (15_000, 1000, "15.0"),
            (1_049, 1000, "1.0"),
            (1_050, 1000, "1.1"),
            (1_999_949, 1000, "1999.9"),
            (12_595, 1024, "12.3"),
            (1023, 1024, "1.0"),
            (7, 0, "7.0"),
            (u64::MAX, 1, "18446744073709551615.0"),
            (u64::MAX, u64::MAX, "1.0"),
        ] {
            assert_eq!(
                one_decimal(value, unit),
                want,
                "one_decimal({value}, {unit})"
            );
        }
    }

    #[test]
    fn sizes_are_labelled() {
        for (size, want) in [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1536, "1.5 KiB"),
            (1024 * 1024 - 1, "1024.0 KiB"),
            (1024 * 1024, "1.0 MiB"),
            (25 * 1024 * 1024 + 400_000, "25.4 MiB"),
            (u32::MAX as usize, "4096.0 MiB"),
        ] {
            assert_eq!(size_label(size), want, "size_label({size})");
        }
    }
}
